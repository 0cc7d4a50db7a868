// Batches per-step reports into column-typed metrics events: at most one message per MIN_INTERVAL_MS while
// training runs (flushed early before any other event of the run, and on pause, stop, finish, failure and single
// steps), typed arrays to transfer. stepRows turns an event back into the StepReport rows of metrics.jsonl.
import { FLOAT64_COLUMNS, METRIC_COLUMNS, type MetricsColumns, type StepReport } from './contracts/reports';
import type { MetricsEvent } from './protocol';

export const MIN_INTERVAL_MS = 50; // <= 20 metrics messages per second

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const FLOAT64: ReadonlySet<string> = new Set(FLOAT64_COLUMNS);

export class MetricsBuffer {
  private rows: StepReport[] = [];
  private last = now();

  push(r: StepReport): void {
    this.rows.push(r);
  }

  /** True when there is something to send and the last message is old enough. */
  due(): boolean {
    return this.rows.length > 0 && now() - this.last >= MIN_INTERVAL_MS;
  }

  /** The buffered rows as one event (null when empty); resets the buffer and the rate clock. */
  drain(memory: { numTensors: number; numBytes: number }): MetricsEvent | null {
    if (this.rows.length === 0) return null;
    const rows = this.rows;
    this.rows = [];
    this.last = now();
    const columns = {} as Record<string, Float32Array | Float64Array>;
    for (const c of METRIC_COLUMNS) {
      const col = FLOAT64.has(c) ? new Float64Array(rows.length) : new Float32Array(rows.length);
      rows.forEach((r, i) => (col[i] = r[c] ?? NaN));
      columns[c] = col;
    }
    return {
      type: 'metrics',
      count: rows.length,
      columns: columns as MetricsColumns,
      memory: { numTensors: memory.numTensors, numBytes: memory.numBytes },
    };
  }
}

/** The shortest decimal that reads back as the same float32 (0.003, not 0.003000000026077032). */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x)) return x;
  for (let digits = 1; digits < 9; digits++) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === x) return y;
  }
  return Number(x.toPrecision(9));
}

/** A metrics event as the StepReport rows of metrics.jsonl (the same rows whoever writes the run directory), in
 *  the trainer's field order: float32 columns as their shortest decimals, a NaN (accuracy on text) left out. */
export function stepRows(ev: MetricsEvent): StepReport[] {
  return Array.from({ length: ev.count }, (_, i) => {
    const row: Record<string, number | string> = {};
    for (const c of METRIC_COLUMNS) {
      const v = ev.columns[c][i];
      if (!Number.isNaN(v)) row[c] = FLOAT64.has(c) ? v : shortestFloat32(v);
      if (c === 'time_s') row.split = 'train';
    }
    return row as unknown as StepReport;
  });
}

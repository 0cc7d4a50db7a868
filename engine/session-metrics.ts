// Batches per-step reports into column-typed metrics events: at most one message per MIN_INTERVAL_MS while
// training runs (flushed early on pause, stop, finish, failure and single steps), typed arrays to transfer.
import { FLOAT64_COLUMNS, METRIC_COLUMNS, type MetricsColumns, type MetricsEvent } from './protocol';
import type { StepReport } from './train/trainer';

export const MIN_INTERVAL_MS = 50; // <= 20 metrics messages per second

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

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
      const col = FLOAT64_COLUMNS.has(c) ? new Float64Array(rows.length) : new Float32Array(rows.length);
      rows.forEach((r, i) => (col[i] = (r as unknown as Record<string, number | undefined>)[c] ?? NaN));
      columns[c] = col;
    }
    return {
      type: 'metrics',
      count: rows.length,
      columns: columns as unknown as MetricsColumns,
      memory: { numTensors: memory.numTensors, numBytes: memory.numBytes },
    };
  }
}

/** Columns back to rows (for files and tests): one plain object per step. */
export function metricRows(ev: MetricsEvent): Record<(typeof METRIC_COLUMNS)[number], number>[] {
  return Array.from(
    { length: ev.count },
    (_, i) =>
      Object.fromEntries(METRIC_COLUMNS.map((c) => [c, ev.columns[c][i]])) as Record<
        (typeof METRIC_COLUMNS)[number],
        number
      >,
  );
}

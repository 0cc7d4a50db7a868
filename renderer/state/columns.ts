// Growable typed-array columns: how the renderer keeps a run's metric series (DESIGN §4: never one object per
// point). Appends are amortised O(1) (capacity doubles); readers get zero-copy subarray views of the filled part.
// Every column of a table has the same length; a missing value is NaN.
import { METRIC_COLUMNS } from '../../engine/contracts/reports';

export type ColumnArray = Float64Array;

export class Columns<Name extends string = string> {
  private data: Record<Name, Float64Array>;
  private n = 0;

  constructor(
    readonly names: readonly Name[],
    capacity = 256,
  ) {
    this.data = Object.fromEntries(names.map((c) => [c, new Float64Array(capacity)])) as Record<Name, Float64Array>;
  }

  get length(): number {
    return this.n;
  }

  /** The filled part of a column (a view: valid until the next append that grows the buffers). */
  get(name: Name): Float64Array {
    return this.data[name].subarray(0, this.n);
  }

  /** Append one row; absent or non-numeric fields become NaN. */
  push(row: Partial<Record<Name, number | null | undefined>>): void {
    this.reserve(this.n + 1);
    for (const c of this.names) {
      const v = row[c];
      this.data[c][this.n] = typeof v === 'number' ? v : NaN;
    }
    this.n++;
  }

  /** Append `count` rows given column-wise (e.g. a worker metrics event); columns not given become NaN. */
  pushColumns(cols: Partial<Record<Name, ArrayLike<number>>>, count: number): void {
    this.reserve(this.n + count);
    for (const c of this.names) {
      const src = cols[c];
      const dst = this.data[c];
      for (let i = 0; i < count; i++) dst[this.n + i] = src ? src[i] : NaN;
    }
    this.n += count;
  }

  /** Drop every row whose `key` column is greater than `max` (a resumed run rolls back to its checkpoint). */
  truncateAfter(key: Name, max: number): void {
    const k = this.data[key];
    let n = this.n;
    while (n > 0 && k[n - 1] > max) n--;
    this.n = n;
  }

  clear(): void {
    this.n = 0;
  }

  private reserve(size: number): void {
    const cap = this.data[this.names[0]].length;
    if (size <= cap) return;
    let next = Math.max(cap, 16);
    while (next < size) next *= 2;
    for (const c of this.names) {
      const grown = new Float64Array(next);
      grown.set(this.data[c].subarray(0, this.n));
      this.data[c] = grown;
    }
  }
}

/** Training rows (one per logged step): the worker's metric columns, in its order. */
export const TRAIN_COLUMNS = METRIC_COLUMNS;
export type TrainColumn = (typeof TRAIN_COLUMNS)[number];

/** Validation rows (one per evaluation): engine EvalReport's numeric fields. */
export const VAL_COLUMNS = [
  'step',
  'tokens',
  'time_s',
  'loss',
  'ppl',
  'bits_per_token',
  'bpb',
  'accuracy',
  'answer_accuracy',
] as const;
export type ValColumn = (typeof VAL_COLUMNS)[number];

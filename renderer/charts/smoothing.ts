// Debiased exponential moving average (TensorBoard's smoothing): s_t = S_t / D_t with S_t = a S_{t-1} + (1 - a) y_t
// and D_t = a D_{t-1} + (1 - a), so the first values are not pulled towards 0 (D_t = 1 - w^t for uniform steps,
// exactly TensorBoard's 1 - w^numAccum). Two refinements:
// - non-uniform steps: the decay between two points is a = w^(Δstep / unit), `unit` being the series' usual step
//   spacing, so a point after a long gap forgets more history (uniform steps give a = w, TensorBoard's numbers);
// - NaN / ±Infinity values: left out of the average and kept as NaN in the output (the smoothed line has the same
//   gaps as the raw one); the decay still counts the steps they covered.
// The raw series is never changed; the chart draws it faintly under the smoothed line.

/** The usual spacing of a step column: the median positive difference among its first 64 intervals (1 if none). */
export function stepUnit(steps: ArrayLike<number> | null): number {
  if (!steps) return 1;
  const diffs: number[] = [];
  let prev = NaN;
  for (let i = 0; i < steps.length && diffs.length < 64; i++) {
    const s = steps[i];
    if (!Number.isFinite(s)) continue;
    if (s - prev > 0) diffs.push(s - prev);
    prev = s;
  }
  if (diffs.length === 0) return 1;
  diffs.sort((a, b) => a - b);
  return diffs[diffs.length >> 1];
}

/**
 * Smooths a growing series incrementally: `update` continues from where the last call stopped when the series only
 * grew (O(new points)), and starts over when it was rolled back or replaced.
 */
export class EmaSmoother {
  private out = new Float64Array(0);
  private n = 0;
  private s = 0; // S_t
  private d = 0; // D_t
  private lastStep = NaN; // step of the last finite value
  private unit = 1;
  private lastY = NaN; // ys[n-1] and steps[n-1] as seen, to tell growth from replacement
  private lastS = NaN;

  constructor(readonly weight: number) {
    if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  }

  /** The smoothed series for `ys` (steps: the x used for the decay; null = the index). A view: copy to keep. */
  update(ys: ArrayLike<number>, steps: ArrayLike<number> | null = null): Float64Array {
    const n = ys.length;
    const sAt = (i: number) => (steps ? steps[i] : i);
    const grew =
      n >= this.n &&
      (this.n === 0 || (Object.is(ys[this.n - 1], this.lastY) && Object.is(sAt(this.n - 1), this.lastS)));
    if (!grew || this.n === 0) this.reset(steps);
    if (this.out.length < n) {
      const grown = new Float64Array(Math.max(n, 2 * this.out.length, 64));
      grown.set(this.out.subarray(0, this.n));
      this.out = grown;
    }
    const w = this.weight,
      unit = this.unit;
    for (let i = this.n; i < n; i++) {
      const y = ys[i],
        step = sAt(i);
      if (!Number.isFinite(y)) {
        this.out[i] = NaN;
        continue;
      }
      let dt = (step - this.lastStep) / unit;
      if (!(dt > 0)) dt = 1; // the first point, a repeated step or a missing one: one ordinary step
      const a = w === 0 ? 0 : Math.pow(w, dt);
      this.s = a * this.s + (1 - a) * y;
      this.d = a * this.d + (1 - a);
      this.lastStep = step;
      this.out[i] = this.s / this.d;
    }
    this.n = n;
    if (n > 0) {
      this.lastY = ys[n - 1];
      this.lastS = sAt(n - 1);
    }
    return this.out.subarray(0, n);
  }

  private reset(steps: ArrayLike<number> | null): void {
    this.n = 0;
    this.s = this.d = 0;
    this.lastStep = NaN;
    this.unit = stepUnit(steps);
  }
}

/** One-shot smoothing (a fresh copy). `weight` 0 returns the values unchanged (non-finite ones as NaN). */
export function emaSmooth(ys: ArrayLike<number>, weight: number, steps: ArrayLike<number> | null = null): Float64Array {
  return new EmaSmoother(weight).update(ys, steps).slice();
}

/** A cache of smoothers keyed by series (run + metric): the chart asks every frame, only new points are smoothed. */
export class SmoothingCache {
  private map = new Map<string, EmaSmoother>();

  get(key: string, ys: ArrayLike<number>, steps: ArrayLike<number> | null, weight: number): Float64Array {
    let sm = this.map.get(key);
    if (!sm || sm.weight !== weight) {
      sm = new EmaSmoother(weight);
      this.map.set(key, sm);
    }
    return sm.update(ys, steps);
  }

  /** Forget series not in `keep` (runs removed from the chart). */
  retain(keep: Set<string>): void {
    for (const k of this.map.keys()) if (!keep.has(k)) this.map.delete(k);
  }
}

// Debiased EMA smoothing: TensorBoard's numbers for uniform steps, sensible NaN gaps and non-uniform steps, and the
// incremental cache equal to smoothing from scratch.
import { describe, expect, it } from 'vitest';
import { EmaSmoother, SmoothingCache, emaSmooth, stepUnit } from '../../renderer/charts/smoothing';

/** TensorBoard's scalar smoothing (tensorboard/webapp/.../line_chart: `last = last * w + (1 - w) * y`,
 *  divided by 1 - w^numAccum; non-finite values pass through unchanged), written out as the reference. */
function tensorboard(ys: number[], w: number): number[] {
  let last = 0,
    numAccum = 0;
  return ys.map((y) => {
    if (!Number.isFinite(y)) return y;
    last = last * w + (1 - w) * y;
    numAccum++;
    return w === 1 ? last : last / (1 - Math.pow(w, numAccum));
  });
}

const noisy = (n: number) => Array.from({ length: n }, (_, i) => 3 * Math.exp(-i / 50) + Math.sin(i * 1.7) * 0.2 + 1);

describe('debiased EMA', () => {
  it('equals TensorBoard for uniform steps', () => {
    const ys = noisy(400);
    for (const w of [0, 0.3, 0.6, 0.9, 0.99]) {
      const ours = emaSmooth(
        ys,
        w,
        Float64Array.from(ys, (_, i) => 10 * i),
      ); // logged every 10 steps
      const ref = tensorboard(ys, w);
      ours.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 12));
    }
  });

  it('is not pulled towards zero at the start (debiased) and leaves a constant series constant', () => {
    const s = emaSmooth([5, 5, 5, 5], 0.9);
    s.forEach((v) => expect(v).toBeCloseTo(5, 12));
    expect(emaSmooth([2.5, 9], 0.99)[0]).toBeCloseTo(2.5, 12);
  });

  it('keeps NaN gaps and lets the gap count as elapsed steps', () => {
    const w = 0.5;
    const s = emaSmooth([1, NaN, 3], w, [1, 2, 3]);
    expect(Number.isNaN(s[1])).toBe(true);
    // S = a S + (1 - a) y with a = w^2 across the two-step gap; D likewise
    const a = w * w;
    const S = a * (1 - w) * 1 + (1 - a) * 3,
      D = a * (1 - w) + (1 - a);
    expect(s[2]).toBeCloseTo(S / D, 12);
    expect(emaSmooth([NaN, NaN], 0.6).every(Number.isNaN)).toBe(true);
  });

  it('decays by the step distance for non-uniform steps', () => {
    const w = 0.9;
    // unit spacing 1, then a jump of 100 steps: the old history is almost forgotten
    const steps = [...Array.from({ length: 10 }, (_, i) => i), 109];
    const ys = [...Array(10).fill(10), 0];
    const s = emaSmooth(ys, w, steps);
    expect(stepUnit(steps)).toBe(1);
    const a = Math.pow(w, 100);
    const D9 = 1 - Math.pow(w, 10),
      S9 = 10 * D9;
    expect(s[10]).toBeCloseTo((a * S9) / (a * D9 + (1 - a)), 12);
    expect(s[10]).toBeLessThan(0.01);
    // the index-based TensorBoard value would still be ~9
    expect(tensorboard(ys, w)[10]).toBeGreaterThan(5);
  });

  it('weight 0 is the identity; weights outside [0, 1) are refused', () => {
    expect(Array.from(emaSmooth([3, 1, 2], 0))).toEqual([3, 1, 2]);
    expect(() => new EmaSmoother(1)).toThrow(/\[0, 1\)/);
    expect(() => new EmaSmoother(-0.1)).toThrow(RangeError);
  });

  it('continues incrementally when the series grows and starts over when it is rolled back', () => {
    const ys = noisy(1000),
      steps = ys.map((_, i) => i + 1);
    const cache = new SmoothingCache();
    const buf = new Float64Array(1000),
      sb = new Float64Array(1000);
    let last: Float64Array = new Float64Array();
    for (const n of [1, 2, 50, 51, 400, 1000]) {
      buf.set(ys.slice(0, n));
      sb.set(steps.slice(0, n));
      last = cache.get('run/train/loss', buf.subarray(0, n), sb.subarray(0, n), 0.8);
      expect(Array.from(last)).toEqual(Array.from(emaSmooth(ys.slice(0, n), 0.8, steps.slice(0, n))));
    }
    // roll back to step 300 and train different values
    const redone = ys.slice(0, 300).concat(ys.slice(300, 500).map((v) => v + 1));
    buf.set(redone);
    const again = cache.get('run/train/loss', buf.subarray(0, 500), sb.subarray(0, 500), 0.8);
    expect(Array.from(again)).toEqual(Array.from(emaSmooth(redone, 0.8, steps.slice(0, 500))));
    // a new weight is a new smoother
    expect(cache.get('run/train/loss', buf.subarray(0, 500), sb.subarray(0, 500), 0)[499]).toBe(redone[499]);
  });
});

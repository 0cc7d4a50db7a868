// Downsampling typed-array columns to one row per pixel column (min / max / last per column, W&B style).
import { describe, expect, it } from 'vitest';
import { downsample, xExtent, yExtent, allocDownsampled } from '../../renderer/charts/downsample';
import { CHUNK, ChunkIndex } from '../../renderer/charts/chunk-index';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

function series(n: number, seed = 1) {
  const r = rng(seed);
  const x = new Float64Array(n),
    y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i + 1;
    y[i] = 5 * Math.exp(-i / (n / 4)) + 0.3 * r();
  }
  return { x, y };
}

describe('downsample', () => {
  it('keeps min, max and last of every column and folds every point exactly once', () => {
    const { x, y } = series(100_000);
    const buckets = 500;
    const d = downsample(x, y, { x0: 1, x1: 100_000, buckets });
    expect(d.n).toBeLessThanOrEqual(buckets);
    expect(d.n).toBeGreaterThan(buckets - 2);
    let total = 0;
    for (let r = 0; r < d.n; r++) total += d.count[r];
    expect(total).toBe(100_000);
    // brute force per column
    const per = buckets / (100_000 - 1);
    const lo = new Float64Array(buckets).fill(Infinity),
      hi = new Float64Array(buckets).fill(-Infinity),
      last = new Float64Array(buckets);
    for (let i = 0; i < x.length; i++) {
      const b = Math.min(buckets - 1, Math.floor((x[i] - 1) * per));
      lo[b] = Math.min(lo[b], y[i]);
      hi[b] = Math.max(hi[b], y[i]);
      last[b] = y[i];
    }
    for (let r = 0; r < d.n; r++) {
      const b = Math.min(buckets - 1, Math.floor((d.x[r] - 1) * per));
      expect([d.lo[r], d.hi[r], d.last[r]]).toEqual([lo[b], hi[b], last[b]]);
    }
    expect(d.x[d.n - 1]).toBe(100_000); // the line ends at the last point
  });

  it('breaks the line at NaN and Infinity and counts them', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    const y = Float64Array.from([1, 2, 3, NaN, NaN, 4, 5, Infinity, 6, 7]);
    const d = downsample(x, y, { x0: 0, x1: 9, buckets: 100 });
    expect(d.nonFinite).toBe(3);
    const lasts = Array.from(d.last.subarray(0, d.n));
    expect(lasts.map((v) => (Number.isNaN(v) ? 'gap' : v))).toEqual([1, 2, 3, 'gap', 4, 5, 'gap', 6, 7]);
    expect(Array.from(d.count.subarray(0, d.n)).filter((c) => c === 0)).toHaveLength(2);
  });

  it('a series that is all NaN draws nothing', () => {
    const d = downsample([1, 2, 3], [NaN, NaN, NaN], { x0: 1, x1: 3, buckets: 10 });
    expect(d.n).toBe(0);
    expect(d.nonFinite).toBe(3);
    expect(yExtent(d)).toBeNull();
  });

  it('drops non-positive values from a log axis and says how many', () => {
    const x = [1, 2, 3, 4, 5],
      y = [1, 0, -2, 0.5, 0.25];
    const d = downsample(x, y, { x0: 1, x1: 5, buckets: 10, logY: true });
    expect(d.nonPositive).toBe(2);
    expect(Array.from(d.last.subarray(0, d.n))).toEqual([1, 0.5, 0.25]);
    const lx = downsample([0, 1, 3, 30, 90], [4, 3, 2, 1, 1], { x0: 1, x1: 100, buckets: 2, logX: true });
    expect(lx.nonPositive).toBe(1); // x = 0 has no place on a log axis
    // equal columns in log x: [1, 10) holds 1 and 3, [10, 100] holds 30 and 90 (linear columns would split at 50.5)
    expect(Array.from(lx.count.subarray(0, lx.n))).toEqual([2, 2]);
  });

  it('keeps the neighbours of a zoomed range so lines reach the edges', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = Float64Array.from(x, (v) => v * 2);
    const d = downsample(x, y, { x0: 40.5, x1: 60.5, buckets: 1000 });
    expect(d.x[0]).toBe(40);
    expect(d.x[d.n - 1]).toBe(61);
    expect(d.n).toBe(22);
    expect(d.outside).toBe(100 - 20);
  });

  it('scales x (attention MACs = step x MACs per step) and reuses its output', () => {
    const out = allocDownsampled(10);
    const d = downsample([1, 2, 3], [3, 2, 1], { x0: 1e6, x1: 3e6, buckets: 10, xScale: 1e6 }, out);
    expect(d).toBe(out);
    expect(Array.from(d.x.subarray(0, d.n))).toEqual([1e6, 2e6, 3e6]);
    expect(xExtent([0, 1, 2], { xScale: 5 })).toEqual([0, 10]);
    expect(xExtent([0, 1, 2], { logX: true })).toEqual([1, 2]);
    expect(xExtent([NaN])).toBeNull();
  });

  it('handles one point and a degenerate range', () => {
    const d = downsample([7], [0.5], { x0: 7, x1: 7, buckets: 50 });
    expect(d.n).toBe(1);
    expect([d.x[0], d.last[0]]).toEqual([7, 0.5]);
  });
});

describe('chunk index', () => {
  const fields = (d: ReturnType<typeof downsample>) => ({
    n: d.n,
    x: Array.from(d.x.subarray(0, d.n)),
    lo: Array.from(d.lo.subarray(0, d.n)),
    hi: Array.from(d.hi.subarray(0, d.n)),
    last: Array.from(d.last.subarray(0, d.n)),
    count: Array.from(d.count.subarray(0, d.n)),
    counted: [d.nonFinite, d.nonPositive, d.outside],
  });

  it('gives exactly the point-by-point result, for any range, axis and NaN pattern', () => {
    const r = rng(7);
    const n = 20_000;
    const x = Float64Array.from({ length: n }, (_, i) => i * 3 + 1);
    const y = Float64Array.from({ length: n }, (_, i) =>
      r() < 0.002 ? NaN : r() < 0.01 ? -r() : 5 * Math.exp(-i / 4000) + r(),
    );
    const ix = new ChunkIndex();
    ix.update(x, y);
    expect(ix.chunks).toBe(Math.floor(n / CHUNK));
    for (const o of [
      { x0: 1, x1: 60_000, buckets: 500 },
      { x0: 1, x1: 60_000, buckets: 37, logY: true },
      { x0: 1, x1: 60_000, buckets: 300, logX: true },
      { x0: 5_000, x1: 9_000.5, buckets: 40 },
      { x0: 1, x1: 60_000, buckets: 5000 }, // more columns than chunks fit: mostly points
      { x0: 2e6, x1: 9e7, buckets: 400, xScale: 1500 },
    ])
      expect(fields(downsample(x, y, o, undefined, ix))).toEqual(fields(downsample(x, y, o)));
  });

  it('follows a growing series and starts over when it is rolled back', () => {
    const x = Float64Array.from({ length: 1000 }, (_, i) => i),
      y = Float64Array.from(x, (v) => Math.sin(v));
    const ix = new ChunkIndex();
    ix.update(x.subarray(0, 100), y.subarray(0, 100));
    expect(ix.chunks).toBe(6);
    ix.update(x, y);
    expect(ix.chunks).toBe(62);
    const y2 = y.slice(0, 500);
    y2[490] = 42; // rolled back and trained again differently
    ix.update(x.subarray(0, 500), y2);
    expect(ix.chunks).toBe(31);
    expect(ix.hi[30]).toBe(42);
    const o = { x0: 0, x1: 499, buckets: 20 };
    expect(fields(downsample(x.subarray(0, 500), y2, o, undefined, ix))).toEqual(
      fields(downsample(x.subarray(0, 500), y2, o)),
    );
  });
});

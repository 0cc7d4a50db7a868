// Downsampling a typed-array series to about one point per pixel column (DESIGN §4, the W&B "full fidelity" way):
// the visible x-range is cut into `buckets` equal columns (equal in log x on a log axis); each non-empty column keeps
// the min and max of its y values (drawn as a band) and its last point (the line goes through it). One pass over the
// points, no allocation when an output is reused. A non-finite y breaks the line (a gap row); on a log axis
// non-positive values cannot be drawn and are dropped (and counted, so the chart can say so).
import { CHUNK, type ChunkIndex } from './chunk-index';

export interface DownsampleOptions {
  x0: number; // visible x-range (in data units)
  x1: number;
  buckets: number; // columns across the range, ~ the plot width in px
  logX?: boolean;
  logY?: boolean;
  xScale?: number; // x values are xs[i] * xScale (attention MACs = step * MACs per step); default 1
  from?: number; // only points [from, to) of the arrays; default all
  to?: number;
}

export interface Downsampled {
  n: number; // rows filled
  x: Float64Array; // x of each row's last point (NaN-free); gap rows repeat the x where the gap starts
  lo: Float64Array; // min y of the row's column (NaN in a gap row)
  hi: Float64Array; // max y
  last: Float64Array; // the row's last y (NaN in a gap row)
  count: Int32Array; // points folded into the row (0 for a gap row)
  nonFinite: number; // points with NaN / ±Infinity y in range (shown as gaps)
  nonPositive: number; // points dropped because a log axis cannot show them (x or y <= 0)
  outside: number; // points outside [x0, x1] (neighbours of the range are kept so lines reach the edges)
}

/** An output with room for `buckets` columns, their gaps and the two edge neighbours. */
export function allocDownsampled(buckets: number): Downsampled {
  const cap = 2 * buckets + 4;
  return {
    n: 0,
    x: new Float64Array(cap),
    lo: new Float64Array(cap),
    hi: new Float64Array(cap),
    last: new Float64Array(cap),
    count: new Int32Array(cap),
    nonFinite: 0,
    nonPositive: 0,
    outside: 0,
  };
}

function capacityOf(d: Downsampled): number {
  return d.x.length;
}

/**
 * Downsample `ys` against `xs` (same length; xs ascending, as steps, tokens and time are: the scan stops at the first
 * point right of the range). Returns `out` (reused when big enough, otherwise a new one).
 */
export function downsample(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  opts: DownsampleOptions,
  out?: Downsampled,
  index?: ChunkIndex, // a summary of xs/ys (chunk-index.ts), up to date: same result, far fewer steps
): Downsampled {
  const nb = Math.max(1, Math.floor(opts.buckets));
  const d = out && capacityOf(out) >= 2 * nb + 4 ? out : allocDownsampled(nb);
  d.n = d.nonFinite = d.nonPositive = d.outside = 0;
  const logX = !!opts.logX,
    logY = !!opts.logY,
    k = opts.xScale ?? 1,
    x0 = opts.x0,
    x1 = opts.x1;
  const from = Math.max(0, opts.from ?? 0),
    to = Math.min(opts.to ?? xs.length, xs.length, ys.length);
  const t0 = logX ? Math.log(x0) : x0,
    t1 = logX ? Math.log(x1) : x1;
  const perUnit = t1 > t0 ? nb / (t1 - t0) : 0;

  // the row being filled (plain locals: no closure captures them, so V8 keeps them in registers)
  let bucket = -2, // -1: the left neighbour, nb: the right one
    rx = 0,
    rlo = Infinity,
    rhi = -Infinity,
    rlast = NaN,
    rcount = 0,
    gapPending = false;

  // points left of the range (xs ascending: binary searches); the last one is the left neighbour
  const start = lowerBound(xs, k, from, to, x0, false);
  const positive = logX ? Math.min(start, lowerBound(xs, k, from, to, 0, true)) : from; // x <= 0: not on a log axis
  d.nonPositive += positive - from;
  for (let i = start - 1; i >= from; i--) {
    const x = xs[i] * k;
    if (x === x && !(logX && x <= 0) && drawable(ys[i], logY)) {
      bucket = -1;
      rx = x;
      rlo = rhi = rlast = ys[i];
      rcount = 1;
      break;
    }
  }
  d.outside += start - positive;

  // the range itself: one pass, the per-point work inlined; with a chunk index, a whole chunk that lies in one
  // pixel column (and is all finite, and drawable on the axes) is folded in one step
  const end = lowerBound(xs, k, start, to, x1, true);
  const chunks = index ? index.chunks : 0;
  let i = start;
  while (i < end) {
    const c = (i / CHUNK) | 0;
    if (index && i === c * CHUNK && c < chunks && i + CHUNK <= end && index.clean[c] === 1 && !gapPending) {
      const xa = index.xFirst[c] * k,
        xb = index.xLast[c] * k;
      if (!(logX && xa <= 0) && !(logY && index.lo[c] <= 0)) {
        let ba = ((logX ? Math.log(xa) : xa) - t0) * perUnit,
          bb = ((logX ? Math.log(xb) : xb) - t0) * perUnit;
        ba = ba >= nb ? nb - 1 : ba < 0 ? 0 : ba | 0;
        bb = bb >= nb ? nb - 1 : bb < 0 ? 0 : bb | 0;
        if (ba === bb) {
          if (ba !== bucket) {
            if (rcount > 0) pushRow(d, rx, rlo, rhi, rlast, rcount);
            rcount = 0;
            rlo = Infinity;
            rhi = -Infinity;
            bucket = ba;
          }
          rx = xb;
          rlast = index.lastY[c];
          if (index.lo[c] < rlo) rlo = index.lo[c];
          if (index.hi[c] > rhi) rhi = index.hi[c];
          rcount += CHUNK;
          i += CHUNK;
          continue;
        }
      }
    }
    const x = xs[i] * k,
      y = ys[i];
    i++;
    if (!(x === x) || (logX && x <= 0)) {
      if (x === x) d.nonPositive++;
      continue; // no place on the x axis
    }
    if (y !== y || y === Infinity || y === -Infinity) {
      d.nonFinite++;
      if (rcount > 0 || d.n > 0) gapPending = true;
      continue;
    }
    if (logY && y <= 0) {
      d.nonPositive++;
      continue;
    }
    let b = ((logX ? Math.log(x) : x) - t0) * perUnit;
    b = b >= nb ? nb - 1 : b < 0 ? 0 : b | 0;
    if (b !== bucket || gapPending) {
      if (rcount > 0) pushRow(d, rx, rlo, rhi, rlast, rcount);
      if (gapPending) pushGap(d, x);
      rcount = 0;
      rlo = Infinity;
      rhi = -Infinity;
      gapPending = false;
      bucket = b;
    }
    rx = x;
    rlast = y;
    if (y < rlo) rlo = y;
    if (y > rhi) rhi = y;
    rcount++;
  }

  // the first drawable point right of the range is the right neighbour; the rest are only counted
  d.outside += to - i;
  for (; i < to; i++) {
    const x = xs[i] * k,
      y = ys[i];
    if (!drawable(y, logY)) {
      if (y === y && y !== Infinity && y !== -Infinity) d.nonPositive++;
      else d.nonFinite++;
      continue;
    }
    if (rcount > 0) pushRow(d, rx, rlo, rhi, rlast, rcount);
    if (gapPending) pushGap(d, x);
    rx = x;
    rlo = rhi = rlast = y;
    rcount = 1;
    break;
  }
  if (rcount > 0) pushRow(d, rx, rlo, rhi, rlast, rcount);
  return d;
}

/** First index in [from, to) whose x (xs[i] * k) is >= v (> v when strict); xs ascending. */
function lowerBound(xs: ArrayLike<number>, k: number, from: number, to: number, v: number, strict: boolean): number {
  let lo = from,
    hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = xs[mid] * k;
    if (x < v || (strict && x === v)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const drawable = (y: number, logY: boolean) => y === y && y !== Infinity && y !== -Infinity && !(logY && y <= 0);

function pushRow(d: Downsampled, x: number, lo: number, hi: number, last: number, count: number): void {
  const i = d.n++;
  d.x[i] = x;
  d.lo[i] = lo;
  d.hi[i] = hi;
  d.last[i] = last;
  d.count[i] = count;
}

/** A gap row breaks the line (none before anything is drawn, nor twice in a row). */
function pushGap(d: Downsampled, x: number): void {
  if (d.n === 0 || d.count[d.n - 1] === 0) return;
  const i = d.n++;
  d.x[i] = x;
  d.lo[i] = d.hi[i] = d.last[i] = NaN;
  d.count[i] = 0;
}

/** The finite x-extent of a series (x > 0 on a log axis); null when it has no such point. xs ascending: the first
 *  and last usable values, found from both ends (O(1) for a clean series). */
export function xExtent(
  xs: ArrayLike<number>,
  opts: { logX?: boolean; xScale?: number } = {},
): [number, number] | null {
  const k = opts.xScale ?? 1,
    logX = !!opts.logX;
  const usable = (x: number) => Number.isFinite(x) && !(logX && x <= 0);
  let a = 0,
    b = xs.length - 1;
  while (a <= b && !usable(xs[a] * k)) a++;
  while (b >= a && !usable(xs[b] * k)) b--;
  return a <= b ? [xs[a] * k, xs[b] * k] : null;
}

/** The y-extent of downsampled rows, optionally inside [x0, x1] only: of their bands, or (`lines`) of the line
 *  through their last values only (an isolated spike widens a band, not the axis: TensorBoard's "ignore outliers"). */
export function yExtent(d: Downsampled, x0 = -Infinity, x1 = Infinity, lines = false): [number, number] | null {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < d.n; i++) {
    if (d.count[i] === 0 || d.x[i] < x0 || d.x[i] > x1) continue;
    const a = lines ? d.last[i] : d.lo[i],
      b = lines ? d.last[i] : d.hi[i];
    if (a < lo) lo = a;
    if (b > hi) hi = b;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Indices of the rows to draw for a stacked chart: the last row of each pixel column of [x0, x1] (all experts of a
 * row come from the same report, so a drawn stack always sums to 1), plus the neighbours just outside the range.
 */
export function bucketLastRows(
  xs: ArrayLike<number>,
  opts: { x0: number; x1: number; buckets: number; logX?: boolean; xScale?: number },
): number[] {
  const k = opts.xScale ?? 1,
    logX = !!opts.logX;
  const t = (x: number) => (logX ? Math.log(x) : x);
  const t0 = t(opts.x0),
    t1 = t(opts.x1);
  const per = t1 > t0 ? opts.buckets / (t1 - t0) : 0;
  const out: number[] = [];
  let lastBucket = NaN,
    before = -1;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] * k;
    if (!Number.isFinite(x) || (logX && x <= 0)) continue;
    if (x < opts.x0) {
      before = i;
      continue;
    }
    if (before >= 0) {
      out.push(before);
      before = -1;
    }
    if (x > opts.x1) {
      out.push(i);
      break;
    }
    const b = Math.min(opts.buckets - 1, Math.floor((t(x) - t0) * per));
    if (b === lastBucket) out[out.length - 1] = i;
    else {
      out.push(i);
      lastBucket = b;
    }
  }
  return out;
}

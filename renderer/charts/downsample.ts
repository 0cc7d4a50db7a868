// Downsampling a typed-array series to about one point per pixel column (DESIGN §4, the W&B "full fidelity" way):
// the visible x-range is cut into `buckets` equal columns (equal in log x on a log axis); each non-empty column keeps
// the min and max of its y values (drawn as a band) and its last point (the line goes through it). One pass over the
// points, no allocation when an output is reused. A non-finite y breaks the line (a gap row); on a log axis
// non-positive values cannot be drawn and are dropped (and counted, so the chart can say so).

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
): Downsampled {
  const nb = Math.max(1, Math.floor(opts.buckets));
  const d = out && capacityOf(out) >= 2 * nb + 4 ? out : allocDownsampled(nb);
  d.n = d.nonFinite = d.nonPositive = d.outside = 0;
  const logX = !!opts.logX,
    logY = !!opts.logY,
    k = opts.xScale ?? 1;
  const from = Math.max(0, opts.from ?? 0),
    to = Math.min(opts.to ?? xs.length, xs.length, ys.length);
  const t = (x: number) => (logX ? Math.log(x) : x);
  const t0 = t(opts.x0),
    t1 = t(opts.x1);
  const perUnit = t1 > t0 ? nb / (t1 - t0) : 0;

  // the current row being filled
  let bucket = -2, // -1: the left neighbour, nb: the right one
    rx = 0,
    rlo = Infinity,
    rhi = -Infinity,
    rlast = NaN,
    rcount = 0;
  let gapPending = false;
  let before = -1; // index of the last point left of the range (kept as the left neighbour)

  const flush = () => {
    if (rcount === 0) return;
    const i = d.n++;
    d.x[i] = rx;
    d.lo[i] = rlo;
    d.hi[i] = rhi;
    d.last[i] = rlast;
    d.count[i] = rcount;
    rcount = 0;
    rlo = Infinity;
    rhi = -Infinity;
  };
  const gap = (x: number) => {
    if (d.n === 0 || d.count[d.n - 1] === 0) return; // nothing drawn yet, or already broken
    const i = d.n++;
    d.x[i] = x;
    d.lo[i] = d.hi[i] = d.last[i] = NaN;
    d.count[i] = 0;
  };
  const add = (b: number, x: number, y: number) => {
    if (b !== bucket || gapPending) {
      flush();
      if (gapPending) gap(x);
      gapPending = false;
      bucket = b;
    }
    rx = x;
    rlast = y;
    if (y < rlo) rlo = y;
    if (y > rhi) rhi = y;
    rcount++;
  };

  for (let i = from; i < to; i++) {
    const x = xs[i] * k,
      y = ys[i];
    if (!(x === x) || (logX && x <= 0)) {
      if (x === x) d.nonPositive++;
      continue; // no place on the x axis
    }
    if (x < opts.x0) {
      d.outside++;
      before = i;
      continue;
    }
    if (before >= 0) {
      // the left neighbour goes first, so the line enters the plot from its edge
      const by = ys[before];
      if (Number.isFinite(by) && !(logY && by <= 0)) add(-1, xs[before] * k, by);
      before = -1;
    }
    const past = x > opts.x1;
    if (past) d.outside++;
    if (!Number.isFinite(y)) {
      d.nonFinite++;
      if (rcount > 0 || d.n > 0) gapPending = true;
    } else if (logY && y <= 0) {
      d.nonPositive++;
    } else {
      const b = past ? nb : Math.min(nb - 1, Math.max(0, Math.floor((t(x) - t0) * perUnit)));
      add(b, x, y);
    }
    if (past) {
      // the first point right of the range is the right neighbour; the rest are only counted
      for (let j = i + 1; j < to; j++) if (xs[j] * k > opts.x1) d.outside++;
      break;
    }
  }
  flush();
  return d;
}

/** The finite x-extent of a series (x > 0 on a log axis); null when it has no such point. */
export function xExtent(
  xs: ArrayLike<number>,
  opts: { logX?: boolean; xScale?: number } = {},
): [number, number] | null {
  const k = opts.xScale ?? 1;
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] * k;
    if (!Number.isFinite(x) || (opts.logX && x <= 0)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** The y-extent of downsampled rows (their bands), optionally inside [x0, x1] only. */
export function yExtent(d: Downsampled, x0 = -Infinity, x1 = Infinity): [number, number] | null {
  let lo = Infinity,
    hi = -Infinity;
  for (let i = 0; i < d.n; i++) {
    if (d.count[i] === 0 || d.x[i] < x0 || d.x[i] > x1) continue;
    if (d.lo[i] < lo) lo = d.lo[i];
    if (d.hi[i] > hi) hi = d.hi[i];
  }
  return lo <= hi ? [lo, hi] : null;
}

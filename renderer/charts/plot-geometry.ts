// Where the plot area sits inside a chart of a given size, and the x scale between data and pixels. The recharts
// chart is laid out with these fixed margins and axis sizes, so the hover layer can map a pointer to data without
// asking the chart (and without re-rendering it).

export const PLOT_MARGIN = { top: 10, right: 16, bottom: 2, left: 2 } as const;
export const Y_AXIS_WIDTH = 50;
export const X_AXIS_HEIGHT = 24;

export interface PlotRect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function plotRect(width: number, height: number): PlotRect {
  const left = PLOT_MARGIN.left + Y_AXIS_WIDTH,
    top = PLOT_MARGIN.top;
  return {
    left,
    top,
    width: Math.max(1, width - left - PLOT_MARGIN.right),
    height: Math.max(1, height - top - PLOT_MARGIN.bottom - X_AXIS_HEIGHT),
  };
}

export interface XScale {
  toPx(x: number): number; // data -> px from the chart's left edge
  fromPx(px: number): number; // px -> data (clamped to the domain)
}

export function xScale(domain: [number, number], log: boolean, rect: PlotRect): XScale {
  const t = (v: number) => (log ? Math.log(v) : v);
  const inv = (v: number) => (log ? Math.exp(v) : v);
  const t0 = t(domain[0]),
    t1 = t(domain[1]);
  const span = t1 - t0 || 1;
  return {
    toPx: (x) => rect.left + ((t(x) - t0) / span) * rect.width,
    fromPx: (px) => inv(t0 + (Math.min(Math.max(px - rect.left, 0), rect.width) / rect.width) * span),
  };
}

/** Index of the row whose x is nearest to `x` in rows sorted by x (-1 when empty). */
export function nearestIndex(n: number, xAt: (i: number) => number, x: number): number {
  if (n === 0) return -1;
  let lo = 0,
    hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xAt(mid) < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(xAt(lo - 1) - x) <= Math.abs(xAt(lo) - x)) return lo - 1;
  return lo;
}

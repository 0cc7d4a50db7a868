// SVG path data for downsampled series: the line through each pixel column's last value (a gap row breaks it) and
// the min-max band as closed polygons. Pure string building over typed arrays with the axis mapping inlined (linear
// or log, like the chart's d3 scales): a few thousand points cost well under a millisecond, where handing the same
// points to recharts' <Line>/<Area> cost tens of milliseconds per redraw (see tools/bench-ui.ts).
import type { Downsampled } from './downsample';

/** Data -> pixels along one axis: linear or log domain onto a pixel range (the same map as a d3 scale). */
export interface AxisMap {
  d0: number; // domain, in data units
  d1: number;
  r0: number; // pixel range (y: bottom to top, so r0 > r1)
  r1: number;
  log: boolean;
}

/** The map as a function (for positions outside the hot loops). NaN where the value has no place (log of <= 0). */
export function mapFn(m: AxisMap): (v: number) => number {
  const { a, b, log } = coefficients(m);
  return (v) => (log ? (v > 0 ? a * Math.log(v) + b : NaN) : a * v + b);
}

function coefficients(m: AxisMap): { a: number; b: number; log: boolean } {
  const t0 = m.log ? Math.log(m.d0) : m.d0,
    t1 = m.log ? Math.log(m.d1) : m.d1;
  const a = t1 !== t0 ? (m.r1 - m.r0) / (t1 - t0) : 0;
  return { a, b: m.r0 - a * t0, log: m.log };
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** "M x y L x y ..." through `values` (default: each row's last value); a gap row starts a new subpath. */
export function linePath(d: Downsampled, xm: AxisMap, ym: AxisMap, values: Float64Array = d.last): string {
  const X = coefficients(xm),
    Y = coefficients(ym);
  let out = '',
    pen = false;
  for (let i = 0; i < d.n; i++) {
    if (d.count[i] === 0) {
      pen = false;
      continue;
    }
    const xv = d.x[i],
      yv = values[i];
    const x = X.log ? (xv > 0 ? X.a * Math.log(xv) + X.b : NaN) : X.a * xv + X.b;
    const y = Y.log ? (yv > 0 ? Y.a * Math.log(yv) + Y.b : NaN) : Y.a * yv + Y.b;
    if (x !== x || y !== y || x === Infinity || x === -Infinity || y === Infinity || y === -Infinity) {
      pen = false;
      continue;
    }
    out += (pen ? 'L' : 'M') + r1(x) + ',' + r1(y);
    pen = true;
  }
  return out;
}

/** The band between each row's min and max: one closed polygon per unbroken stretch of rows. */
export function bandPath(d: Downsampled, xm: AxisMap, ym: AxisMap): string {
  const sx = mapFn(xm),
    sy = mapFn(ym);
  const n = d.n,
    px = new Float64Array(n),
    plo = new Float64Array(n),
    phi = new Float64Array(n),
    ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    px[i] = sx(d.x[i]);
    plo[i] = sy(d.lo[i]);
    phi[i] = sy(d.hi[i]);
    ok[i] = d.count[i] > 0 && Number.isFinite(px[i]) && Number.isFinite(plo[i]) && Number.isFinite(phi[i]) ? 1 : 0;
  }
  let out = '',
    start = -1;
  for (let i = 0; i <= n; i++) {
    if (i < n && ok[i]) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - 1 > start) {
      // one polygon: the max edge forward, the min edge back
      let s = 'M' + r1(px[start]) + ',' + r1(phi[start]);
      for (let j = start + 1; j < i; j++) s += 'L' + r1(px[j]) + ',' + r1(phi[j]);
      for (let j = i - 1; j >= start; j--) s += 'L' + r1(px[j]) + ',' + r1(plo[j]);
      out += s + 'Z';
    }
    start = -1;
  }
  return out;
}

/** Pixel positions of the rows' last values (for dots on short series). */
export function dotPositions(d: Downsampled, xm: AxisMap, ym: AxisMap): [number, number][] {
  const sx = mapFn(xm),
    sy = mapFn(ym);
  const out: [number, number][] = [];
  for (let i = 0; i < d.n; i++) {
    if (d.count[i] === 0) continue;
    const x = sx(d.x[i]),
      y = sy(d.last[i]);
    if (Number.isFinite(x) && Number.isFinite(y)) out.push([r1(x), r1(y)]);
  }
  return out;
}

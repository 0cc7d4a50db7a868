// Axis domains and "nice" ticks (1, 2, 5 x 10^k on a linear axis; decades, then 2 and 5 multiples, on a log axis).

export interface AxisTicks {
  domain: [number, number];
  ticks: number[];
  step: number; // spacing of linear ticks (for their label precision); on a log axis the smallest gap
}

/** The nice step (1, 2, 2.5 or 5 x 10^k) closest above span / count. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return m * p;
}

/** Ticks k * step inside [lo, hi] (about `count` of them). */
export function linearTicks(lo: number, hi: number, count: number): { ticks: number[]; step: number } {
  if (!(hi > lo)) return { ticks: Number.isFinite(lo) ? [lo] : [], step: 1 };
  const step = niceStep(hi - lo, count);
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  for (let i = first; i * step <= hi + step * 1e-9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, step };
}

/** Ticks for a log axis over [lo, hi] (both > 0). */
export function logTicks(lo: number, hi: number, count: number): { ticks: number[]; step: number } {
  if (!(lo > 0) || !(hi > lo)) return linearTicks(lo, hi, count);
  const d0 = Math.ceil(Math.log10(lo) - 1e-9),
    d1 = Math.floor(Math.log10(hi) + 1e-9);
  const decades = d1 - d0 + 1;
  if (decades >= 3) {
    const every = Math.max(1, Math.ceil(decades / (Math.max(2, count) + 2))); // labels are short: a few extra fit
    const ticks: number[] = [];
    for (let d = d0; d <= d1; d++) if ((d - d0) % every === 0) ticks.push(10 ** d);
    return { ticks, step: ticks[0] };
  }
  // few decades: 1, 2, 5 within each
  const ticks: number[] = [];
  for (let d = d0 - 1; d <= d1; d++)
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** d).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  if (ticks.length >= 3) return { ticks, step: ticks[0] < 1 ? ticks[0] : 1 };
  // within about one decade: linear ticks read better (all positive here)
  return linearTicks(lo, hi, count);
}

/** A padded domain for data within [lo, hi] and its ticks (padding in log space on a log axis). */
export function axisTicks(
  extent: [number, number] | null,
  opts: { log?: boolean; count?: number; pad?: number; fallback?: [number, number]; integer?: boolean },
): AxisTicks {
  const count = opts.count ?? 5,
    pad = opts.pad ?? 0;
  let [lo, hi] = extent ?? opts.fallback ?? (opts.log ? [1, 10] : [0, 1]);
  if (opts.log) {
    let l = Math.log10(lo),
      h = Math.log10(hi);
    if (h - l < 1e-9) {
      l -= 0.5;
      h += 0.5;
    }
    const p = (h - l) * pad;
    lo = 10 ** (l - p);
    hi = 10 ** (h + p);
    const { ticks, step } = logTicks(lo, hi, count);
    return { domain: [lo, hi], ticks, step };
  }
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(lo))) {
    const w = opts.integer ? Math.max(1, Math.round(Math.abs(lo) * 0.1)) : Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= w;
    hi += w;
  } else {
    const p = (hi - lo) * pad;
    lo -= p;
    hi += p;
  }
  const { ticks, step } = linearTicks(lo, hi, count);
  if (opts.integer && step < 1) {
    // counts (steps, tokens): no fractional ticks
    const whole = linearTicks(lo, hi, Math.max(1, Math.floor(hi - lo)));
    return { domain: [lo, hi], ticks: whole.ticks.filter(Number.isInteger), step: Math.max(1, whole.step) };
  }
  return { domain: [lo, hi], ticks, step };
}

// Routing health, pure: Jain fairness of expert usage, the margin between the k-th and (k+1)-th sigmoid score,
// the flip rate between two saved probes, and the collapse flag. The trainer's routing statistics
// (engine/train/routing.ts) use the first two; the renderer computes flip rates and flags from saved reports.
import type { HeadStats, MarginStats, ProbeReport, SelectionSide } from '../contracts/reports';

/** Jain's fairness index (sum x)^2 / (n sum x^2) of non-negative loads: 1 when all are equal, 1/n when one
 *  takes everything. An all-zero load counts as fair (1). */
export function jain(loads: ArrayLike<number>): number {
  let s = 0,
    s2 = 0;
  for (let i = 0; i < loads.length; i++) {
    s += loads[i]!;
    s2 += loads[i]! * loads[i]!;
  }
  return s2 > 0 ? (s * s) / (loads.length * s2) : 1;
}

/** The q-quantile of ascending `sorted` values, interpolating linearly between order statistics (numpy's
 *  default): position q * (n - 1). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1),
    lo = Math.floor(pos),
    hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Per-token margins s_(k) - s_(k+1) (the k-th and (k+1)-th largest sigmoid score) of group g, summarised.
 *  scores [N, G, E] flat. null when k >= E (no (k+1)-th score). */
export function marginStats(
  scores: ArrayLike<number>,
  N: number,
  G: number,
  E: number,
  k: number,
  g: number,
): MarginStats | null {
  if (k >= E || N === 0) return null;
  const margins = new Float64Array(N);
  const row = new Float64Array(E);
  for (let n = 0; n < N; n++) {
    for (let e = 0; e < E; e++) row[e] = scores[(n * G + g) * E + e]!;
    row.sort(); // ascending: the k-th largest is at E - k
    margins[n] = row[E - k]! - row[E - k - 1]!;
  }
  margins.sort();
  const mean = margins.reduce((a, b) => a + b, 0) / N;
  return { mean, p10: quantile(margins, 0.1), p50: quantile(margins, 0.5), p90: quantile(margins, 0.9) };
}

/** Share of the probe's (token, head) pairs whose chosen top-k set (ignoring order) differs between two probes of
 *  the same text, in one layer and side; `head` given: that head only. Throws when the probes are of different
 *  texts or lack the selection. */
export function flipRate(a: ProbeReport, b: ProbeReport, layer: number, side: SelectionSide, head?: number): number {
  if (a.tokens.length !== b.tokens.length || a.tokens.some((t, i) => t !== b.tokens[i]))
    throw new Error('flip rate needs two probes of the same text (their tokens differ)');
  const sa = a.layers[layer]?.[side],
    sb = b.layers[layer]?.[side];
  if (!sa || !sb) throw new Error(`flip rate: layer ${layer} has no ${side} selection in both probes`);
  let flips = 0,
    total = 0;
  sa.idx.forEach((heads, t) =>
    heads.forEach((chosen, h) => {
      if (head !== undefined && h !== head) return;
      const other = new Set(sb.idx[t]![h]!);
      total++;
      if (chosen.length !== other.size || chosen.some((e) => !other.has(e))) flips++;
    }),
  );
  if (total === 0) throw new Error(`flip rate: head ${head} does not exist in layer ${layer} ${side}`);
  return flips / total;
}

/** When a head's routing counts as collapsing: its usage is as concentrated as on fewer than half of its experts
 *  used equally (Jain fairness below 0.5), or more than half of its experts are never chosen. With k of E experts
 *  per token the fairest possible usage has Jain 1, the most collapsed k/E; a healthy head stays well above 0.5. */
export const COLLAPSE = { minJain: 0.5, maxDeadFraction: 0.5 };

/** The collapse flag of one head and side, with the reasons in words. */
export function collapse(h: HeadStats, limits = COLLAPSE): { collapsed: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const j = h.jain ?? jain(h.share);
  if (j < limits.minJain) reasons.push(`Jain fairness ${j.toFixed(2)} < ${limits.minJain}`);
  if (h.deadFraction > limits.maxDeadFraction)
    reasons.push(`${Math.round(h.deadFraction * 100)}% of experts dead (> ${limits.maxDeadFraction * 100}%)`);
  return { collapsed: reasons.length > 0, reasons };
}

// Routing health over time, from the run's routing rows (engine RoutingReport): per head of one (layer, side) the
// Jain fairness, normalised usage entropy, dead-expert fraction and the top-k margin (mean, p10, p90), the collapse
// flag of every row (engine/run/routing-health.ts `collapse`) merged into marked step ranges, and the V x O
// co-occurrence matrices with their change between consecutive snapshots. Pure; no DOM.
import type { HeadStats, RoutingReport, SelectionSide } from '../../engine/contracts/reports';
import { collapse, COLLAPSE, jain } from '../../engine/run/routing-health';

export interface HeadHealth {
  head: number;
  jain: Float64Array; // [n] NaN where the row lacks the head
  entropy: Float64Array;
  dead: Float64Array;
  marginMean: Float64Array; // NaN when the row has no margin (k = E, or a row from before protocol 2)
  marginP10: Float64Array;
  marginP90: Float64Array;
  collapsed: Uint8Array; // [n] 1 where the row flags collapse
  reasons: string[][]; // [n] the flag's reasons in words (empty when healthy)
}

export interface HealthColumns {
  n: number;
  step: Float64Array;
  tokens: Float64Array;
  heads: HeadHealth[];
  nExperts: number;
  hasMargin: boolean; // some row has a margin (false: k = E, or rows from before protocol 2)
}

function headOf(r: RoutingReport, layer: number, side: SelectionSide, head: number): HeadStats | undefined {
  const s = r.sides.find((x) => x.layer === layer && x.side === side);
  return s?.heads.find((h) => h.head === head) ?? s?.heads[head];
}

/** Health columns of every head of (layer, side) over the reports (rows lacking a head are NaN: gaps). */
export function healthColumns(
  reports: readonly RoutingReport[],
  layer: number,
  side: SelectionSide,
  limits = COLLAPSE,
): HealthColumns {
  const n = reports.length;
  let H = 0,
    E = 0;
  for (const r of reports) {
    const s = r.sides.find((x) => x.layer === layer && x.side === side);
    if (s) {
      H = Math.max(H, s.heads.length);
      E = Math.max(E, s.heads[0]?.share.length ?? 0);
    }
  }
  const col = () => new Float64Array(n).fill(NaN);
  const heads: HeadHealth[] = Array.from({ length: H }, (_, head) => ({
    head,
    jain: col(),
    entropy: col(),
    dead: col(),
    marginMean: col(),
    marginP10: col(),
    marginP90: col(),
    collapsed: new Uint8Array(n),
    reasons: Array.from({ length: n }, () => [] as string[]),
  }));
  const step = new Float64Array(n),
    tokens = new Float64Array(n);
  let hasMargin = false;
  reports.forEach((r, i) => {
    step[i] = r.step;
    tokens[i] = r.tokens;
    for (const hh of heads) {
      const h = headOf(r, layer, side, hh.head);
      if (!h) continue;
      hh.jain[i] = h.jain ?? jain(h.share);
      hh.entropy[i] = h.entropy;
      hh.dead[i] = h.deadFraction;
      if (h.margin) {
        hasMargin = true;
        hh.marginMean[i] = h.margin.mean;
        hh.marginP10[i] = h.margin.p10;
        hh.marginP90[i] = h.margin.p90;
      }
      const c = collapse(h, limits); // the engine's flag; the words below never round onto the limit
      hh.collapsed[i] = c.collapsed ? 1 : 0;
      hh.reasons[i] = c.collapsed ? reasonWords(h, limits) : [];
    }
  });
  return { n, step, tokens, heads, nExperts: E, hasMargin };
}

/** `v` with as few decimals (2 or more) as keep it visibly below `limit` (0.4996 is "0.4996", not "0.50"). */
export function below(v: number, limit: number): string {
  for (let d = 2; d < 8; d++) {
    const s = v.toFixed(d);
    if (Number(s) < limit) return s;
  }
  return String(v);
}

/** Why a head counts as collapsing, in words: the engine's two conditions (engine/run/routing-health.ts collapse),
 *  with numbers that read right next to their limits (dead experts as a count: "5 of 8 experts dead"). */
export function reasonWords(h: HeadStats, limits = COLLAPSE): string[] {
  const j = h.jain ?? jain(h.share);
  const E = h.share.length;
  const out: string[] = [];
  if (j < limits.minJain) out.push(`Jain fairness ${below(j, limits.minJain)} < ${limits.minJain}`);
  if (h.deadFraction > limits.maxDeadFraction)
    out.push(`${Math.round(h.deadFraction * E)} of ${E} experts dead (more than ${limits.maxDeadFraction * 100}%)`);
  return out;
}

/** A stretch of consecutive flagged rows of one head: from its first flagged step to its last. */
export interface CollapseRegion {
  head: number;
  from: number; // step
  to: number; // step
  rows: number;
  reasons: string[]; // the reasons at its last row
  ongoing: boolean; // it reaches the newest row
}

/** The flagged stretches of every head (consecutive flagged rows merge; a healthy or missing row ends one). */
export function collapseRegions(cols: HealthColumns): CollapseRegion[] {
  const out: CollapseRegion[] = [];
  for (const h of cols.heads) {
    let start = -1;
    for (let i = 0; i <= cols.n; i++) {
      const flagged = i < cols.n && h.collapsed[i] === 1;
      if (flagged && start < 0) start = i;
      if (!flagged && start >= 0) {
        out.push({
          head: h.head,
          from: cols.step[start]!,
          to: cols.step[i - 1]!,
          rows: i - start,
          reasons: h.reasons[i - 1]!,
          ongoing: i === cols.n,
        });
        start = -1;
      }
    }
  }
  return out;
}

// ---- V x O co-occurrence ----

export interface CooccurrenceSnapshot {
  index: number; // row index into the reports
  step: number;
  matrix: number[][]; // [E_v][E_o] counts
}

/** The co-occurrence snapshots of (layer, head), in step order (rows without one are skipped). */
export function cooccurrenceSnapshots(
  reports: readonly RoutingReport[],
  layer: number,
  head: number,
): CooccurrenceSnapshot[] {
  const out: CooccurrenceSnapshot[] = [];
  reports.forEach((r, index) => {
    const c = r.cooccurrence?.find((x) => x.layer === layer && x.head === head);
    if (c && c.matrix.length) out.push({ index, step: r.step, matrix: c.matrix });
  });
  return out;
}

/** Which (layer, head) pairs have a co-occurrence matrix in the newest report that has any. */
export function cooccurrenceHeads(reports: readonly RoutingReport[]): { layer: number; head: number }[] {
  for (let i = reports.length - 1; i >= 0; i--) {
    const c = reports[i]!.cooccurrence ?? [];
    if (c.length) return c.map(({ layer, head }) => ({ layer, head }));
  }
  return [];
}

/** Counts as shares of their total (the matrix of one snapshot sums to 1; all zero stays zero). */
export function toShares(m: readonly (readonly number[])[]): number[][] {
  let total = 0;
  for (const row of m) for (const v of row) total += v;
  return m.map((row) => row.map((v) => (total > 0 ? v / total : 0)));
}

/** The change from snapshot `a` to snapshot `b` as shares (b - a, each normalised to sum 1), so snapshots over
 *  different numbers of tokens compare. Throws on different shapes. */
export function cooccurrenceDiff(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  if (a.length !== b.length || a.some((row, i) => row.length !== b[i]!.length))
    throw new Error(
      `co-occurrence matrices differ in shape (${a.length}x${a[0]?.length ?? 0} vs ${b.length}x${b[0]?.length ?? 0})`,
    );
  const sa = toShares(a),
    sb = toShares(b);
  return sb.map((row, i) => row.map((v, j) => v - sa[i]![j]!));
}

/** The largest |value| of a matrix (the half-range of a symmetric diverging scale; 0 for an empty matrix). */
export function maxAbs(m: readonly (readonly number[])[]): number {
  let x = 0;
  for (const row of m) for (const v of row) if (Math.abs(v) > x) x = Math.abs(v);
  return x;
}

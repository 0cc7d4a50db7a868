// What the lens draws, read from a ProbeReport: the attention matrix of one layer and head, and each selection's
// sigmoid scores and chosen top-k as flat typed arrays (the heatmap primitive's input), cached per report so that
// switching back to a layer, head or side costs nothing. Pure.
import type { ProbeLayer, ProbeReport, ProbeSelection, SelectionSide } from '../../../engine/contracts/reports';

export const SIDES: readonly SelectionSide[] = ['src', 'dst', 'mlp'];

/** One selection of one layer, as the heatmaps want it. Token-major: row t holds the E experts of token t. */
export interface SelectionGrid {
  side: SelectionSide;
  T: number;
  E: number;
  k: number;
  group: number; // the selection's head (0 for MoA's router and the σ-MoE MLP)
  scores: Float32Array; // [T * E] sigmoid scores
  chosen: Uint8Array; // [T * E] 1 = among the top-k
  idx: number[][]; // [T][k] chosen experts, highest first
  gates: number[][]; // [T][k] their gates
}

/** The selection head that serves attention head `head` (a selection with one group serves every head). */
export const groupOf = (sel: ProbeSelection, head: number): number => {
  const G = sel.scores[0]?.length ?? 1;
  return G === 1 ? 0 : Math.min(head, G - 1);
};

const cache = new WeakMap<ProbeReport, Map<string, unknown>>();

function memo<T>(report: ProbeReport, key: string, make: () => T): T {
  let m = cache.get(report);
  if (!m) cache.set(report, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}

/** [T * T] attention weights of a head, query-major; the causal (future) half is NaN: no value, not zero. */
export function attentionGrid(report: ProbeReport, layer: number, head: number): Float32Array | null {
  const a = report.layers[layer]?.attention[head];
  if (!a) return null;
  return memo(report, `att:${layer}:${head}`, () => {
    const T = a.length;
    const out = new Float32Array(T * T);
    for (let q = 0; q < T; q++) for (let k = 0; k < T; k++) out[q * T + k] = k > q && a[q][k] === 0 ? NaN : a[q][k];
    return out;
  });
}

/** The selection of a layer, side and head as grids; null when the layer has no such selection. */
export function selectionGrid(
  report: ProbeReport,
  layer: number,
  side: SelectionSide,
  head: number,
): SelectionGrid | null {
  const sel = report.layers[layer]?.[side];
  if (!sel || !sel.scores.length) return null;
  const g = groupOf(sel, head);
  return memo(report, `sel:${layer}:${side}:${g}`, () => {
    const T = sel.scores.length,
      E = sel.scores[0][g].length,
      k = sel.idx[0][g].length;
    const scores = new Float32Array(T * E);
    const chosen = new Uint8Array(T * E);
    for (let t = 0; t < T; t++) {
      scores.set(sel.scores[t][g], t * E);
      for (const e of sel.idx[t][g]) chosen[t * E + e] = 1;
    }
    return {
      side,
      T,
      E,
      k,
      group: g,
      scores,
      chosen,
      idx: sel.idx.map((r) => r[g]),
      gates: sel.gates.map((r) => r[g]),
    };
  });
}

/** A token-major [T, E] grid as expert-major [E, T] (the source side lies under the matrix: one column per key). */
export function transposed(values: Float32Array, T: number, E: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) out[e * T + t] = values[t * E + e];
  return out;
}

export function transposedMask(mask: Uint8Array, T: number, E: number): Uint8Array {
  const out = new Uint8Array(mask.length);
  for (let t = 0; t < T; t++) for (let e = 0; e < E; e++) out[e * T + t] = mask[t * E + e];
  return out;
}

/** What the report says about the model: layers, heads per layer, the sides each layer selects on. */
export interface ProbeShape {
  T: number;
  layers: { heads: number; sides: SelectionSide[] }[];
}

export function probeShape(report: ProbeReport): ProbeShape {
  return {
    T: report.tokens.length,
    layers: report.layers.map((l: ProbeLayer) => ({
      heads: l.attention.length,
      sides: SIDES.filter((s) => !!l[s]?.scores.length),
    })),
  };
}

/** Cells chosen in `before` but not in `now` (where an intervention moved the choice): drawn dashed. */
export function movedFrom(before: SelectionGrid | null, now: SelectionGrid | null): Uint8Array | null {
  if (!before || !now || before.chosen.length !== now.chosen.length) return null;
  const out = new Uint8Array(now.chosen.length);
  let any = false;
  for (let i = 0; i < out.length; i++) if (before.chosen[i] && !now.chosen[i]) any = !!(out[i] = 1);
  return any ? out : null;
}

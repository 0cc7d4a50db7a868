// Counterfactual routing on a probe: which selections a model makes, the checks on an intervention list, and the
// ranking override it becomes (a RouteHook for lmForward). Semantics (engine/README.md "Counterfactual routing"):
// ablate = the expert's score is -inf before top-k (the next best takes its place, exactly like expert dropout);
// force = the expert is ranked above every unforced one (it is chosen, displacing the weakest) while forced experts
// keep their order among themselves, so forcing the already-chosen set reproduces the same idx in the same order
// (bitwise the same numbers); uniform = content-free balanced routing: position t of head h picks experts
// (t*k + j) mod E for j < k (every expert gets the same load, as torchtitan's forced load balancing). The gates
// are always the experts' real sigmoid scores: only the choice changes, never the weights.
import * as tf from '@tensorflow/tfjs';
import type { ProbeIntervention } from '../contracts/reports';
import type { RouteHook, SelectionSide } from '../model/types';
import type { ModelConfig } from '../spec';

/** A probe, trace, tokenize or atlas request that cannot be answered as asked (the session reports it as an
 *  invalid request, naming what is wrong). */
export class ProbeInputError extends Error {
  override name = 'ProbeInputError';
}

/** One selection a model makes in one layer. */
export interface SelectionSite {
  layer: number;
  side: SelectionSide;
  heads: number; // groups (SwitchHead heads; 1 for MoA's router and the σ-MoE MLP)
  experts: number; // E
  k: number;
}

/** Why a layer has no selection on `side`, in words. */
function noSelection(model: ModelConfig, side: SelectionSide): string {
  const a = model.attention;
  if (side === 'mlp') return 'its MLP is dense';
  if (a.kind === 'dense') return 'its attention is dense (no expert selection)';
  if (a.kind === 'moa') return "MoA routes on the destination side only ('dst')";
  if (a.nExperts === 1) return 'nExperts = 1 (a per-head output gate, no selection)';
  return side === 'src' ? 'neither K nor V is an expert mixture' : 'neither Q nor O is an expert mixture';
}

/** The selections of every layer, in layer then side (src, dst, mlp) order. */
export function selectionSites(model: ModelConfig): SelectionSite[] {
  const a = model.attention,
    m = model.mlp;
  const perLayer: Omit<SelectionSite, 'layer'>[] = [];
  if (a.kind === 'switchhead' && a.nExperts > 1) {
    const site = { heads: a.nHeads, experts: a.nExperts, k: a.k };
    if (a.moe.k || a.moe.v) perLayer.push({ side: 'src', ...site });
    if (a.moe.q || a.moe.o) perLayer.push({ side: 'dst', ...site });
  }
  if (a.kind === 'moa') perLayer.push({ side: 'dst', heads: 1, experts: a.nExperts, k: a.k });
  if (m.kind === 'sigma-moe') perLayer.push({ side: 'mlp', heads: 1, experts: m.nExperts, k: m.k });
  return Array.from({ length: model.nLayers }, (_, layer) => perLayer.map((s) => ({ layer, ...s }))).flat();
}

const FORCED = 1,
  ABLATED = 2;
/** Added to a forced expert's score: above every sigmoid score (they lie in [0, 1]), order among forced kept. */
const LIFT = 2;

/** The ranking offsets of each intervened selection: key `${layer}:${side}`, values [T, G, E] (0 keep, +LIFT
 *  forced, -inf ablated). */
export type RoutePlan = Map<string, { site: SelectionSite; offsets: Float32Array }>;

/** Check `list` against the model and a probe of T positions, and turn it into a RoutePlan. Throws a
 *  ProbeInputError naming the first problem (a layer, head, side, expert or position that does not exist;
 *  forcing more than k or ablating more than E - k experts at one place; contradictory interventions). */
export function planInterventions(model: ModelConfig, list: ProbeIntervention[], T: number): RoutePlan {
  const sites = selectionSites(model);
  const L = model.nLayers;
  const marks = new Map<string, { site: SelectionSite; state: Uint8Array; uniform: Set<number> }>();
  const cell = (site: SelectionSite) => {
    const key = `${site.layer}:${site.side}`;
    let m = marks.get(key);
    if (!m) marks.set(key, (m = { site, state: new Uint8Array(T * site.heads * site.experts), uniform: new Set() }));
    return m;
  };
  const where = (s: SelectionSite, head: number) => `layer ${s.layer} head ${head} ${s.side}`;
  const checkLayer = (layer: number) => {
    if (layer >= L) throw new ProbeInputError(`layer ${layer} does not exist: the model has ${L} layers (0-${L - 1})`);
  };
  const findSite = (layer: number, side: SelectionSide) => {
    checkLayer(layer);
    const s = sites.find((x) => x.layer === layer && x.side === side);
    if (!s) throw new ProbeInputError(`layer ${layer} has no ${side} selection: ${noSelection(model, side)}`);
    return s;
  };
  const checkHead = (s: SelectionSite, head: number) => {
    if (head >= s.heads)
      throw new ProbeInputError(`head ${head} does not exist: layer ${s.layer} ${s.side} has ${s.heads} heads`);
  };

  for (const iv of list) {
    if (iv.kind === 'uniform') {
      if (iv.layer !== undefined) checkLayer(iv.layer);
      const chosen = sites.filter(
        (s) => (iv.layer === undefined || s.layer === iv.layer) && (iv.side === undefined || s.side === iv.side),
      );
      if (!chosen.length)
        throw new ProbeInputError(
          iv.layer !== undefined && iv.side !== undefined
            ? `layer ${iv.layer} has no ${iv.side} selection: ${noSelection(model, iv.side)}`
            : `uniform routing has nothing to act on: this model selects no experts${iv.layer !== undefined ? ` in layer ${iv.layer}` : ''}${iv.side ? ` on side ${iv.side}` : ''}`,
        );
      for (const s of chosen) {
        if (iv.head !== undefined) checkHead(s, iv.head);
        for (let h = 0; h < s.heads; h++) if (iv.head === undefined || iv.head === h) cell(s).uniform.add(h);
      }
      continue;
    }
    const s = findSite(iv.layer, iv.side);
    checkHead(s, iv.head);
    if (iv.expert >= s.experts)
      throw new ProbeInputError(
        `expert ${iv.expert} does not exist: ${where(s, iv.head)} has ${s.experts} experts (0-${s.experts - 1})`,
      );
    if (iv.position !== undefined && iv.position >= T)
      throw new ProbeInputError(`position ${iv.position} does not exist: the probe has ${T} positions (0-${T - 1})`);
    const { state } = cell(s);
    const mark = iv.kind === 'force' ? FORCED : ABLATED;
    for (let t = 0; t < T; t++) {
      if (iv.position !== undefined && t !== iv.position) continue;
      const o = (t * s.heads + iv.head) * s.experts + iv.expert;
      if (state[o] && state[o] !== mark)
        throw new ProbeInputError(
          `expert ${iv.expert} is both forced and ablated at ${where(s, iv.head)} position ${t}`,
        );
      state[o] = mark;
    }
  }

  const plan: RoutePlan = new Map();
  for (const [key, { site: s, state, uniform }] of marks) {
    const { heads: G, experts: E, k } = s;
    const offsets = new Float32Array(T * G * E);
    for (let t = 0; t < T; t++)
      for (let h = 0; h < G; h++) {
        const base = (t * G + h) * E;
        if (uniform.has(h)) {
          for (let e = 0; e < E; e++) {
            if (state[base + e])
              throw new ProbeInputError(
                `uniform routing at ${where(s, h)} cannot be combined with forcing or ablating an expert there`,
              );
            offsets[base + e] = -Infinity;
          }
          for (let j = 0; j < k; j++) offsets[base + ((t * k + j) % E)] = LIFT;
          continue;
        }
        let forced = 0,
          ablated = 0;
        for (let e = 0; e < E; e++) {
          if (state[base + e] === FORCED) forced++;
          if (state[base + e] === ABLATED) ablated++;
          offsets[base + e] = state[base + e] === FORCED ? LIFT : state[base + e] === ABLATED ? -Infinity : 0;
        }
        if (forced > k)
          throw new ProbeInputError(`forcing ${forced} experts at ${where(s, h)} position ${t} exceeds k = ${k}`);
        if (ablated > E - k)
          throw new ProbeInputError(
            `ablating ${ablated} of ${E} experts at ${where(s, h)} position ${t} leaves fewer than k = ${k}`,
          );
      }
    plan.set(key, { site: s, offsets });
  }
  return plan;
}

/** The plan as a hook for lmForward: scores [T, G, E] + offsets at the intervened selections. */
export function routeHook(plan: RoutePlan): RouteHook {
  return (layer, side, scores) => {
    const p = plan.get(`${layer}:${side}`);
    if (!p) return undefined;
    const shape = scores.shape as [number, number, number]; // [N, G, E]
    if (shape[0] * shape[1] * shape[2] !== p.offsets.length)
      throw new Error(`intervention plan of layer ${layer} ${side} does not fit scores of shape [${shape.join(', ')}]`);
    return tf.add(scores, tf.tensor3d(p.offsets, shape)); // [N, G, E]
  };
}

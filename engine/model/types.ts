// Shared types of the model code: parameters by name, the per-call context, and what layers report back.
import * as tf from '@tensorflow/tfjs';
import type { SelectionSide } from '../contracts/reports';
import type { Selection } from '../ops/select';

/** Parameters by name, in the oracle's layouts (shared/switchhead/oracle/README.md). */
export type Params = Record<string, tf.Tensor>;

export interface Ctx {
  training: boolean;
  /** Base seed for this forward pass (derived from the run seed and the step). */
  seed: number;
  /** The layer being computed (set by lmForward): where a routing hook applies. */
  layer?: number;
  /** Probe interventions (engine/train/probe-interventions.ts); absent in training and evaluation. */
  route?: RouteHook;
}

export type { SelectionSide };

/** What top-k ranks instead of one selection's sigmoid scores [N, G, E] (the gates stay the real scores);
 *  undefined: the scores themselves. */
export type RouteHook = (layer: number, side: SelectionSide, scores: tf.Tensor) => tf.Tensor | undefined;

/** The ranking override of `side` in the current layer, for sigmoidTopK (undefined without a hook). */
export function rankFor(ctx: Ctx, side: SelectionSide): ((scores: tf.Tensor) => tf.Tensor) | undefined {
  const { route, layer } = ctx;
  return route && layer !== undefined ? (scores) => route(layer, side, scores) ?? scores : undefined;
}

/** A per-site seed: the same (ctx.seed, site) always gives the same dropout mask. */
export function siteSeed(ctx: Ctx, site: string): number {
  let h = 2166136261 ^ ctx.seed;
  for (let i = 0; i < site.length; i++) h = Math.imul(h ^ site.charCodeAt(i), 16777619);
  return (h >>> 0) % 2147483647;
}

/** Dropout while training (seeded per site, so deterministic under the run seed); identity otherwise. */
export function dropout(x: tf.Tensor, rate: number, ctx: Ctx, site: string): tf.Tensor {
  return ctx.training && rate > 0 ? tf.dropout(x, rate, undefined, siteSeed(ctx, site)) : x;
}

export interface AttentionOut {
  out: tf.Tensor; // [B, T, d]
  probs: tf.Tensor; // [B, H, T, Tk] attention matrices
  headOutputs?: tf.Tensor; // [B, T, H, dh]
  src?: Selection; // source side (K/V) selection, rows = B*Tk
  dst?: Selection; // destination side (Q/O) selection, rows = B*T
  reg?: tf.Scalar; // selection regulariser (before its coefficient)
  auxLoss?: tf.Scalar; // MoA auxiliary losses, already weighted by their coefficients
}

/** Prefix view of a parameter record: sub(p, 'att.') holds p['att.W_q'] as 'W_q'. */
export function sub(p: Params, prefix: string): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(p)) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
}

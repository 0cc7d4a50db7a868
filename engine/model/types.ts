// Shared types of the model code: parameters by name, the per-call context, and what layers report back.
import * as tf from '@tensorflow/tfjs';
import type { Selection } from '../ops/select';

/** Parameters by name, in the oracle's layouts (shared/switchhead/oracle/README.md). */
export type Params = Record<string, tf.Tensor>;

export interface Ctx {
  training: boolean;
  /** Base seed for this forward pass (derived from the run seed and the step). */
  seed: number;
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

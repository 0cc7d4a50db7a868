// MoA, Mixture of Attention heads (Zhang et al. 2022) as re-implemented in [MA] (SPEC §5.3). One shared K/V
// projection; E query experts and E output experts; a router picks k experts (= active heads) per token, and
// each active head computes its own attention matrix against the shared keys.
// Not cross-checked numerically against the official code (SPEC §11.8); conventions chosen here:
// W_kv rows [0, dh) are K and [dh, 2dh) are V; the learnable scale multiplies the whole score (content and
// XL position term); "moa" mode gates are the top-k softmax probabilities, not renormalised.
import * as tf from '@tensorflow/tfjs';
import type { AttentionConfig } from '../spec';
import { cvmm } from '../ops/cvmm';
import { linear } from '../ops/linalg';
import { xlRelativeScores } from '../ops/position';
import { pick, sigmoidTopK } from '../ops/select';
import { attend, dotScores, maskedSoftmax } from './attention-core';
import { rankFor, siteSeed, type AttentionOut, type Ctx, type Params } from './types';

export function moaAttention(p: Params, cfg: AttentionConfig, x: tf.Tensor, kv: tf.Tensor, ctx: Ctx): AttentionOut {
  const [B, T, d] = x.shape as number[];
  const Tk = kv.shape[1]!;
  const { dHead: dh, nExperts: E, k } = cfg;
  const N = B * T;
  const xq = x.reshape([N, d]) as tf.Tensor2D; // [N, d]
  const drop =
    ctx.training && cfg.expertDropout > 0
      ? { rate: cfg.expertDropout, seed: siteSeed(ctx, 'moa'), mode: 'neg-inf' as const }
      : undefined;
  const sel = sigmoidTopK(xq, p.W_sel as tf.Tensor2D, 1, k, drop, rankFor(ctx, 'dst')); // idx [N, 1, k]
  const gates = cfg.moaMode === 'moa' ? pick(tf.softmax(sel.logits, -1), sel.idx, E) : sel.gates; // [N, 1, k]
  const experts = sel.idx.reshape([N, k]) as tf.Tensor2D; // [N, k]

  const kvp = linear(kv, p.W_kv).reshape([B, Tk, 2, dh]); // [B, Tk, 2, dh]
  const sq = tf.sqrt(p.scale); // sqrt(scale) on q and on k
  const keys = tf.mul(tf.slice(kvp, [0, 0, 0, 0], [B, Tk, 1, dh]).reshape([B, 1, Tk, dh]), sq); // [B, 1, Tk, dh]
  const values = tf.slice(kvp, [0, 0, 1, 0], [B, Tk, 1, dh]).reshape([B, 1, Tk, dh]); // [B, 1, Tk, dh]
  const q = tf.mul(
    cvmm(xq, experts, p.W_q as tf.Tensor3D)
      .reshape([B, T, k, dh])
      .transpose([0, 2, 1, 3]),
    sq,
  ); // [B, k, T, dh]

  let scores = dotScores(q, tf.tile(keys, [1, k, 1, 1])); // [B, k, T, Tk]: each active head is one matrix
  if (cfg.positions === 'xl') {
    const Wpos = tf.tile(tf.mul(p.W_pos, sq), [k, 1]) as tf.Tensor2D; // [k*dh, d]: one positional projection, shared
    scores = tf.add(scores, xlRelativeScores(q, Wpos, d, Tk, 1));
  }
  const probs = maskedSoftmax(scores); // [B, k, T, Tk]
  const u = attend(probs, tf.tile(values, [1, k, 1, 1])).transpose([0, 2, 1, 3]); // [B, T, k, dh]
  const y = cvmm(
    u.reshape([N * k, dh]) as tf.Tensor2D,
    experts.reshape([N * k, 1]) as tf.Tensor2D,
    p.W_o as tf.Tensor3D,
  ); // [N*k, 1, d]
  const out = tf.sum(tf.mul(y.reshape([N, k, d]), gates.reshape([N, k, 1])), 1); // [N, d]
  const auxLoss =
    cfg.moaMode === 'moa'
      ? moaAuxLosses(sel.logits.reshape([N, E]), gates.reshape([N, k]), experts, cfg.moaAux)
      : undefined;
  return { out: out.reshape([B, T, d]), probs, headOutputs: u, dst: { ...sel, gates: gates }, auxLoss };
}

/** The original MoA auxiliary losses, weighted: cv = CV(importance)^2 with importance_e the summed gates of expert e;
 *  switch = E * sum_e f_e P_e (f_e: share of selections, no gradient; P_e: mean router probability); z = mean
 *  logsumexp(logits)^2. logits [N, E], gates [N, k], experts int32 [N, k]. */
export function moaAuxLosses(
  logits: tf.Tensor,
  gates: tf.Tensor,
  experts: tf.Tensor,
  c: { cv: number; switch: number; z: number },
): tf.Scalar | undefined {
  if (!(c.cv > 0 || c.switch > 0 || c.z > 0)) return undefined;
  const [N, E] = logits.shape as number[];
  const k = experts.shape[1]!;
  // 2-D one-hot summed over axis 0: tfjs-webgpu 4.22 generates invalid WGSL (i32 vs f32) for a sum over axes
  // [0, 1] of the 3-D [N, k, E] one-hot.
  const dispatch = tf.oneHot(experts.reshape([N * k]), E).toFloat(); // [N*k, E]
  let total: tf.Tensor = tf.scalar(0);
  if (c.cv > 0) {
    const importance = tf.sum(tf.mul(dispatch, gates.reshape([N * k, 1])), 0); // [E]
    const { mean, variance } = tf.moments(importance);
    total = tf.add(total, tf.mul(tf.div(variance, tf.add(tf.square(mean), 1e-10)), c.cv));
  }
  if (c.switch > 0) {
    const f = tf.div(tf.sum(dispatch, 0), N * k); // [E], counts carry no gradient
    const P = tf.mean(tf.softmax(logits, -1), 0); // [E]
    total = tf.add(total, tf.mul(tf.mul(tf.sum(tf.mul(f, P)), E), c.switch));
  }
  if (c.z > 0) total = tf.add(total, tf.mul(tf.mean(tf.square(tf.logSumExp(logits, -1))), c.z));
  return total as tf.Scalar;
}

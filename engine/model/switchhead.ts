// SwitchHead attention (SPEC §1): per-head MoE on any of Q/K/V/O, one attention matrix per head.
// Source-side selection (from the key/value input) serves K and V; destination-side (from the query input)
// serves Q and O. Sigmoid top-k, gates not renormalised. Positions: none, RoPE (§2.2), XL relative (§2.1).
import * as tf from '@tensorflow/tfjs';
import type { AttentionConfig } from '../spec';
import { moeIn, moeOut } from '../ops/cvmm';
import { linear } from '../ops/linalg';
import { negMarginalEntropy } from '../ops/nn';
import { rope, xlRelativeScores } from '../ops/position';
import { globalExpertIds, sigmoidTopK, type Selection } from '../ops/select';
import { attend, dotScores, fromHeads, maskedSoftmax, toHeads } from './attention-core';
import { rankFor, siteSeed, type AttentionOut, type Ctx, type Params } from './types';

/** x: query input [B, T, d]; kv: key/value input [B, Tk, d] (memory first, then x). Both already LayerNorm-ed. */
export function switchHeadAttention(
  p: Params,
  cfg: AttentionConfig,
  x: tf.Tensor,
  kv: tf.Tensor,
  ctx: Ctx,
): AttentionOut {
  const [B, T, d] = x.shape as number[];
  const Tk = kv.shape[1]!;
  const { nHeads: H, dHead: dh, nExperts: E, k } = cfg;
  const xq = x.reshape([B * T, d]) as tf.Tensor2D; // [B*T, d]
  const xkv = kv.reshape([B * Tk, d]) as tf.Tensor2D; // [B*Tk, d]
  const drop = (side: string) =>
    ctx.training && cfg.expertDropout > 0
      ? { rate: cfg.expertDropout, seed: siteSeed(ctx, side), mode: 'neg-inf' as const }
      : undefined;

  // nExperts == 1 ([SH] only): dense projections plus a learned per-head sigmoid gate on each head's output.
  const single = E === 1;
  const moe = single ? { q: false, k: false, v: false, o: false } : cfg.moe;
  const src =
    moe.k || moe.v
      ? sigmoidTopK(xkv, p.W_sel_src as tf.Tensor2D, H, k, drop('sel_src'), rankFor(ctx, 'src'))
      : undefined;
  const dst =
    moe.q || moe.o
      ? sigmoidTopK(xq, p.W_sel_dst as tf.Tensor2D, H, k, drop('sel_dst'), rankFor(ctx, 'dst'))
      : undefined;

  // MoE projections on the selected experts only (ops/cvmm.ts); expert e of head h is row h*E + e of W.
  const project = (W: tf.Tensor, moe: boolean, rows: tf.Tensor2D, sel: Selection | undefined, len: number) =>
    moe
      ? moeIn(rows, globalExpertIds(sel!.idx, E, false), sel!.gates, W as tf.Tensor3D, { B, T: len })
      : toHeads(linear(rows, W).reshape([B, len, H, dh])); // [B, H, len, dh]
  // Scores carry d_head^-1/2. With an XL term, q and k each carry d_head^-1/4 (the positional term uses the scaled q
  // and its own pe scale, as in the reference); otherwise q alone carries it (same scores, one multiply fewer).
  const s4 = Math.pow(dh, -0.25),
    xl = cfg.positions === 'xl';
  let q = tf.mul(project(p.W_q, moe.q, xq, dst, T), xl ? s4 : s4 * s4); // [B, H, T, dh]
  let kk = project(p.W_k, moe.k, xkv, src, Tk); // [B, H, Tk, dh]
  if (xl) kk = tf.mul(kk, s4);
  const v = project(p.W_v, moe.v, xkv, src, Tk); // [B, H, Tk, dh]

  if (cfg.positions === 'rope') {
    const nRot = Math.floor(cfg.rotateFraction * dh);
    q = rope(q, nRot, cfg.ropeBase, Tk - T);
    kk = rope(kk, nRot, cfg.ropeBase, 0);
  }
  let scores = dotScores(q, kk); // [B, H, T, Tk]
  if (xl) scores = tf.add(scores, xlRelativeScores(q, p.W_pos as tf.Tensor2D, d, Tk, s4));
  const probs = maskedSoftmax(scores); // [B, H, T, Tk]
  const uHeads = attend(probs, v); // [B, H, T, dh]
  const u = fromHeads(uHeads); // [B, T, H, dh]

  let out: tf.Tensor;
  if (moe.o)
    out = moeOut(uHeads, globalExpertIds(dst!.idx, E, true), dst!.gates, p.W_o as tf.Tensor3D); // [B*T, d]
  else {
    const gated = single ? tf.mul(u, tf.expandDims(tf.sigmoid(linear(x, p.W_sel_dst)), 3)) : u; // [B, T, H, dh]
    out = linear(gated.reshape([B * T, H * dh]), p.W_o); // [B*T, d]
  }
  const reg = cfg.selectionReg > 0 ? selectionEntropyReg([src, dst], B) : undefined;
  return { out: out.reshape([B, T, d]), probs, headOutputs: u, src, dst, reg };
}

/** SPEC §1 selection regulariser: -mean_b H(mean over (time x head) of softmax_E(logits)), summed over sides. */
function selectionEntropyReg(sides: (Selection | undefined)[], B: number): tf.Scalar {
  const terms = sides
    .filter((s): s is Selection => !!s)
    .map((s) => tf.mean(negMarginalEntropy(s.logits.reshape([B, -1, s.logits.shape[2]!])))); // [B, T*H, E] -> scalar
  return (terms.length ? tf.addN(terms) : tf.scalar(0)) as tf.Scalar;
}

// Dense multi-head attention baselines (SPEC §5.1-5.2): no positions, RoPE, or Transformer-XL relative
// attention with content/position biases u, v and a learnable scale.
import * as tf from '@tensorflow/tfjs';
import type { AttentionConfig } from '../spec';
import { linear } from '../ops/linalg';
import { rope, xlRelativeScores } from '../ops/position';
import { attend, dotScores, fromHeads, maskedSoftmax, toHeads } from './attention-core';
import type { AttentionOut, Ctx, Params } from './types';

export function denseAttention(p: Params, cfg: AttentionConfig, x: tf.Tensor, kv: tf.Tensor, _ctx: Ctx): AttentionOut {
  const [B, T, d] = x.shape as number[];
  const Tk = kv.shape[1]!;
  const { nHeads: H, dHead: dh } = cfg;
  let q = toHeads(linear(x, p.W_q).reshape([B, T, H, dh])); // [B, H, T, dh]
  let k = toHeads(linear(kv, p.W_k).reshape([B, Tk, H, dh])); // [B, H, Tk, dh]
  const v = toHeads(linear(kv, p.W_v).reshape([B, Tk, H, dh])); // [B, H, Tk, dh]

  let scores: tf.Tensor;
  if (cfg.positions === 'xl') {
    const bias = (b: tf.Tensor) => tf.add(q, b.reshape([1, H, 1, dh])); // per-head bias on q
    const content = dotScores(bias(p.u_content), k); // [B, H, T, Tk]
    const position = xlRelativeScores(bias(p.v_pos), p.W_pos as tf.Tensor2D, d, Tk, 1); // [B, H, T, Tk]
    scores = tf.mul(tf.add(content, position), p.scale); // learnable scale, init 1/sqrt(dh)
  } else {
    if (cfg.positions === 'rope') {
      const nRot = Math.floor(cfg.rotateFraction * dh);
      q = rope(q, nRot, cfg.ropeBase, Tk - T);
      k = rope(k, nRot, cfg.ropeBase, 0);
    }
    scores = dotScores(tf.mul(q, 1 / Math.sqrt(dh)), k); // [B, H, T, Tk]: the scale on q, T*dh not T*Tk values
  }
  const probs = maskedSoftmax(scores);
  const u = fromHeads(attend(probs, v)); // [B, T, H, dh]
  const out = linear(u.reshape([B * T, H * dh]), p.W_o).reshape([B, T, d]);
  return { out, probs, headOutputs: u };
}

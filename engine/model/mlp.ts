// Feed-forward blocks: the dense FFN and the σ-MoE MLP of SwitchAll (SPEC §3).
import * as tf from '@tensorflow/tfjs';
import type { MlpConfig } from '../spec';
import { cvmm } from '../ops/cvmm';
import { linear } from '../ops/linalg';
import { negMarginalEntropy } from '../ops/nn';
import { sigmoidTopK, type Selection } from '../ops/select';
import { dropout, rankFor, siteSeed, type Ctx, type Params } from './types';

export interface MlpOut {
  out: tf.Tensor; // [B, T, d]
  sel?: Selection; // σ-MoE routing, rows = B*T, one group
  reg?: tf.Scalar; // σ-MoE entropy regulariser, before its coefficient
}

/** relu(x W1^T + b1) W2^T + b2, with dropout on the hidden layer while training. */
export function denseFfn(p: Params, x: tf.Tensor, rate: number, ctx: Ctx, site: string): MlpOut {
  const h = dropout(tf.relu(linear(x, p.W1, p.b1)), rate, ctx, site); // [B, T, dFF]
  return { out: linear(h, p.W2, p.b2) }; // [B, T, d]
}

/** y = sum_{e in top-k} sigmoid(x.w_e) relu(x K_e) V_e; keys [NE, d, G], values [NE, G, d]. */
export function sigmaMoe(p: Params, cfg: MlpConfig, x: tf.Tensor, ctx: Ctx, site: string): MlpOut {
  const [B, T, d] = x.shape as number[];
  const N = B * T;
  const k = cfg.k;
  const x2 = x.reshape([N, d]) as tf.Tensor2D; // [N, d]
  const drop =
    ctx.training && cfg.expertDropout > 0
      ? { rate: cfg.expertDropout, seed: siteSeed(ctx, site), mode: 'zero' as const }
      : undefined;
  const sel = sigmoidTopK(x2, p.W_sel as tf.Tensor2D, 1, k, drop, rankFor(ctx, 'mlp')); // idx [N, 1, k]
  const experts = sel.idx.reshape([N, k]) as tf.Tensor2D; // [N, k]
  const hidden = tf.relu(cvmm(x2, experts, p.keys as tf.Tensor3D)); // [N, k, G]
  const G = hidden.shape[2]!;
  const y = cvmm(
    hidden.reshape([N * k, G]) as tf.Tensor2D,
    experts.reshape([N * k, 1]) as tf.Tensor2D,
    p.values as tf.Tensor3D,
  ); // [N*k, 1, d]
  const out = tf.sum(tf.mul(y.reshape([N, k, d]), sel.gates.reshape([N, k, 1])), 1); // [N, d]
  return { out: out.reshape([B, T, d]), sel, reg: negMarginalEntropy(sel.logits.reshape([N, -1])) as tf.Scalar }; // SPEC §3 entropy regulariser
}

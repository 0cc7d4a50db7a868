// Small differentiable building blocks: LayerNorm and masked cross-entropy (no tf.gather gradient: wasm lacks it).
import * as tf from '@tensorflow/tfjs';

/** LayerNorm over the last axis with affine weight and bias (eps 1e-5, as torch). */
export function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor {
  const mu = tf.mean(x, -1, true);
  const xc = tf.sub(x, mu);
  const variance = tf.mean(tf.square(xc), -1, true);
  return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), w), b);
}

/** Per-position cross-entropy: logits [N, V], targets int32 [N] -> [N] (nats). */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const logp = tf.logSoftmax(logits, -1); // [N, V]
  return tf.neg(tf.sum(tf.mul(logp, tf.oneHot(targets, V).toFloat()), -1)) as tf.Tensor1D; // [N]
}

/** Mean cross-entropy over positions whose mask is 1 (all positions when mask is omitted). */
export function meanCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, mask?: tf.Tensor1D): tf.Scalar {
  const ce = crossEntropy(logits, targets);
  if (!mask) return tf.mean(ce) as tf.Scalar;
  return tf.div(tf.sum(tf.mul(ce, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/** -H(mean over the second-to-last axis of softmax(logits)), the mean taken in log space: the (negative) entropy of the
 *  average routing distribution, the regulariser of σ-MoE (SPEC §3) and of SwitchHead's selection (SPEC §1).
 *  logits [..., N, E] -> [...]. */
export function negMarginalEntropy(logits: tf.Tensor): tf.Tensor {
  const lp = tf.logSoftmax(logits, -1); // [..., N, E]
  const axis = lp.rank - 2;
  const logMean = tf.sub(tf.logSumExp(lp, axis), Math.log(lp.shape[axis]!)); // [..., E]
  return tf.sum(tf.mul(tf.exp(logMean), logMean), -1); // sum p log p = -H, [...]
}

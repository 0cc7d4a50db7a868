// Non-competitive expert selection (SPEC §1, §3): sigmoid scores, top-k per group, gates = the selected scores,
// not renormalised. Gates get gradients; indices do not. Expert dropout changes the choice, not the weights.
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom';
import { linear } from './linalg';

export interface Selection {
  logits: tf.Tensor; // [N, G, E]
  scores: tf.Tensor; // [N, G, E] = sigmoid(logits)
  idx: tf.Tensor; // int32 [N, G, k], sorted by decreasing (possibly dropped) score
  gates: tf.Tensor; // [N, G, k]
}

export interface ExpertDropout {
  rate: number;
  seed: number;
  /** 'neg-inf' (SwitchHead attention): dropped scores are -inf for the top-k only, gates from un-dropped scores.
   *  'zero' (σ-MoE): dropped scores are 0, and gates are taken from the dropped tensor. */
  mode: 'neg-inf' | 'zero';
}

/** x [N, d], Wsel [G*E, d] -> selection over E experts in each of G groups (heads). `rank` (probe interventions
 *  only) replaces what top-k ranks, like expert dropout: the gates are still read from the real scores. */
export function sigmoidTopK(
  x: tf.Tensor2D,
  Wsel: tf.Tensor2D,
  G: number,
  k: number,
  drop?: ExpertDropout,
  rank?: (ranked: tf.Tensor) => tf.Tensor,
): Selection {
  const N = x.shape[0];
  const E = Wsel.shape[0] / G;
  const logits = linear(x, Wsel).reshape([N, G, E]); // [N, G, E]
  const scores = tf.sigmoid(logits);
  let ranked = scores; // what top-k sees
  let gateSource = scores; // what gates are read from
  if (drop && drop.rate > 0) {
    const keep = tf.greaterEqual(tf.randomUniform([N, G, E], 0, 1, 'float32', drop.seed), drop.rate); // [N, G, E]
    if (drop.mode === 'neg-inf') ranked = tf.where(keep, scores, tf.fill([N, G, E], -Infinity));
    else ranked = gateSource = tf.mul(scores, tf.cast(keep, 'float32'));
  }
  if (rank) ranked = rank(ranked); // [N, G, E]
  const idx = topkIndices(ranked, k); // [N, G, k]
  const gates = pick(gateSource, idx, E);
  return { logits, scores, idx, gates };
}

/** Differentiable gather along the last axis without tf.gather's gradient: sum(scores * onehot(idx)).
 *  scores [N, G, E], idx [N, G, k] -> [N, G, k]. E is small (<= 64), so the one-hot is cheap. */
export function pick(scores: tf.Tensor, idx: tf.Tensor, E: number): tf.Tensor {
  const oh = tf.oneHot(idx, E).toFloat(); // [N, G, k, E]
  return tf.sum(tf.mul(tf.expandDims(scores, 2), oh), -1); // [N, G, k]
}

/** Flattened expert ids for cvmm: expert e of group g is g*E + e. idx [N, G, k] -> [N, G*k] (or [N*G, k]). */
export function globalExpertIds(idx: tf.Tensor, E: number, rowsPerGroup: boolean): tf.Tensor2D {
  const [N, G, k] = idx.shape as [number, number, number];
  const base = tf.mul(tf.range(0, G, 1, 'int32'), tf.scalar(E, 'int32')).reshape([1, G, 1]); // [1, G, 1]
  const ids = tf.add(idx, base); // [N, G, k]
  return (rowsPerGroup ? ids.reshape([N * G, k]) : ids.reshape([N, G * k])) as tf.Tensor2D;
}

/** Indices of the k largest entries along the last axis, as an op with a zero gradient: the routing choice gets
 *  no gradient, and the tape never needs TopK's (missing) gradient. */
export function topkIndices(x: tf.Tensor, k: number): tf.Tensor {
  const f = customOp(([x]) => ({
    value: tf.topk(x, k, true).indices, // [..., k] int32
    gradFunc: () => [tf.zeros(x.shape)],
  }));
  return f(x);
}

// What every attention variant shares: heads split/merge, scaled masked softmax and the weighted sum of values.
import * as tf from '@tensorflow/tfjs';
import { bmm } from '../ops/linalg';
import { causalMask } from '../ops/position';

/** [B, T, H, dh] -> [B, H, T, dh] */
export const toHeads = (x: tf.Tensor) => x.transpose([0, 2, 1, 3]);
/** [B, H, T, dh] -> [B, T, H, dh] */
export const fromHeads = (x: tf.Tensor) => x.transpose([0, 2, 1, 3]);

/** softmax(scores + causal mask) over keys. scores [B, H, T, Tk]; memory keys come first. */
export function maskedSoftmax(scores: tf.Tensor): tf.Tensor {
  const [, , T, Tk] = scores.shape as number[];
  return tf.softmax(tf.add(scores, causalMask(T, Tk)), -1); // [B, H, T, Tk]
}

/** q [B, H, T, dh] . k [B, H, Tk, dh] -> [B, H, T, Tk] */
export const dotScores = (q: tf.Tensor, k: tf.Tensor) => bmm(q, k.transpose([0, 1, 3, 2]));

/** probs [B, H, T, Tk] @ v [B, H, Tk, dh] -> [B, H, T, dh] */
export const attend = (probs: tf.Tensor, v: tf.Tensor) => bmm(probs, v);

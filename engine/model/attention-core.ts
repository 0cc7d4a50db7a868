// What every attention variant shares: heads split/merge, scaled masked softmax and the weighted sum of values.
import * as tf from '@tensorflow/tfjs';
import { customOp } from '../ops/custom';
import { bmm } from '../ops/linalg';
import { causalMask } from '../ops/position';

/** [B, T, H, dh] -> [B, H, T, dh] */
export const toHeads = (x: tf.Tensor) => x.transpose([0, 2, 1, 3]);
/** [B, H, T, dh] -> [B, T, H, dh] */
export const fromHeads = (x: tf.Tensor) => x.transpose([0, 2, 1, 3]);

/** softmax(scores + causal mask) over keys. scores [B, H, T, Tk]; memory keys come first.
 *  One op with its own gradient: only the probabilities are kept for the backward (not the masked scores and
 *  softmax internals), and dscores = probs * (dprobs - sum(dprobs * probs)) is three passes over [B, H, T, Tk]. */
export function maskedSoftmax(scores: tf.Tensor): tf.Tensor {
  const [, , T, Tk] = scores.shape as number[];
  const f = customOp(([s], save) => {
    const probs = tf.softmax(tf.add(s, causalMask(T, Tk)), -1); // [B, H, T, Tk]
    save([probs]);
    return {
      value: probs,
      gradFunc: (dy, [p]) => [tf.mul(p, tf.sub(dy, tf.sum(tf.mul(dy, p), -1, true)))], // [B, H, T, Tk]
    };
  });
  return f(scores);
}

/** q [B, H, T, dh] . k [B, H, Tk, dh] -> [B, H, T, Tk] */
export const dotScores = (q: tf.Tensor, k: tf.Tensor) => bmm(q, k.transpose([0, 1, 3, 2]));

/** probs [B, H, T, Tk] @ v [B, H, Tk, dh] -> [B, H, T, dh] */
export const attend = (probs: tf.Tensor, v: tf.Tensor) => bmm(probs, v);

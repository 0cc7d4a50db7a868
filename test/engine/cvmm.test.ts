// The expert-sorted conditional matmul equals a dense "all experts then pick" reference, forward and backward.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cvmm, sortSlots } from '../../engine/ops/cvmm';
import { dirtyHeap, relErr, rnd, useBackend } from './helpers';

/** Reference: out[r, s] = x[r] @ W[e[r, s]] via a one-hot contraction over all experts. */
function reference(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): tf.Tensor {
  const [nExp, dIn, dOut] = W.shape;
  const all = tf.matMul(x, W.transpose([1, 0, 2]).reshape([dIn, nExp * dOut])).reshape([x.shape[0], nExp, dOut]); // [R, nExp, dOut]
  const oh = tf.oneHot(experts, nExp).toFloat(); // [R, S, nExp]
  return tf.matMul(oh, all); // [R, S, dOut]
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`cvmm on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    for (const [R, S, nExp, dIn, dOut] of [
      [7, 3, 5, 6, 4],
      [10, 1, 8, 5, 9],
      [1, 2, 3, 2, 2],
      [9, 3, 6, 7, 5],
    ]) {
      it(`matches the dense reference for R=${R} S=${S} nExp=${nExp} (freed memory full of NaN first)`, () => {
        dirtyHeap(); // an output the kernels do not fully write (an unused expert's dW, dx) would read NaN
        tf.tidy(() => {
          // Expert 1 is never used: its weight gradient must be exactly zero.
          const ids = Array.from({ length: R * S }, (_, i) => [0, 2, nExp - 1, 2][i % 4] % nExp);
          const experts = tf.tensor2d(ids, [R, S], 'int32');
          const x = rnd([R, dIn], 1) as tf.Tensor2D,
            W = rnd([nExp, dIn, dOut], 2) as tf.Tensor3D,
            dy = rnd([R, S, dOut], 3);
          const f =
            (g: (x: tf.Tensor2D, e: tf.Tensor2D, W: tf.Tensor3D) => tf.Tensor) => (x: tf.Tensor, W: tf.Tensor) =>
              tf.sum(tf.mul(g(x as tf.Tensor2D, experts, W as tf.Tensor3D), dy));
          expect(relErr(cvmm(x, experts, W), reference(x, experts, W))).toBeLessThan(1e-5);
          const [gx, gW] = tf.grads(f(cvmm))([x, W]);
          const [rx, rW] = tf.grads(f(reference))([x, W]);
          expect(relErr(gx, rx)).toBeLessThan(1e-5);
          expect(relErr(gW, rW)).toBeLessThan(1e-5);
          if (nExp > 3) expect(tf.max(tf.abs(tf.slice(gW, [1, 0, 0], [1, dIn, dOut]))).dataSync()[0]).toBe(0);
        });
      });
    }
  });
}

describe('sortSlots', () => {
  it('groups slots by expert, stably, and rejects out-of-range ids', () => {
    const plan = sortSlots(Int32Array.from([2, 0, 2, 1, 0, 2]), 2, 3);
    expect(Array.from(plan.offsets)).toEqual([0, 2, 3, 6]);
    expect(Array.from(plan.order)).toEqual([1, 4, 3, 0, 2, 5]);
    expect(Array.from(plan.rows)).toEqual([0, 2, 1, 0, 1, 2]);
    expect(() => sortSlots(Int32Array.from([0, 3]), 1, 3)).toThrowError(/expert id 3 outside \[0, 3\)/);
  });
});

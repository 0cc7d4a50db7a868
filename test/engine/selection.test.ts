// Top-k choice, gate gradients and expert dropout (SPEC §1, §3).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sigmoidTopK } from '../../engine/ops/select';
import { rnd, useBackend } from './helpers';

beforeAll(() => useBackend('wasm'));

const N = 12,
  d = 8,
  H = 3,
  E = 5,
  k = 2;

describe('sigmoid top-k selection', () => {
  it('picks the k largest sigmoid scores of each head, sorted, with gates = those scores', () => {
    tf.tidy(() => {
      const x = rnd([N, d], 1),
        W = rnd([H * E, d], 2);
      const sel = sigmoidTopK(x as tf.Tensor2D, W as tf.Tensor2D, H, k);
      const scores = tf
        .sigmoid(tf.matMul(x, W, false, true))
        .reshape([N, H, E])
        .arraySync() as number[][][];
      const idx = sel.idx.arraySync() as number[][][],
        gates = sel.gates.arraySync() as number[][][];
      for (let n = 0; n < N; n++)
        for (let h = 0; h < H; h++) {
          const order = scores[n][h]
            .map((s, e) => [s, e])
            .sort((a, b) => b[0] - a[0])
            .map((p) => p[1]);
          expect(idx[n][h]).toEqual(order.slice(0, k));
          for (let j = 0; j < k; j++) expect(gates[n][h][j]).toBeCloseTo(scores[n][h][idx[n][h][j]], 6);
        }
    });
  });

  it("gives gate gradients sigma' to the selected logits only, and none through the indices", () => {
    tf.tidy(() => {
      const x = rnd([N, d], 3),
        W = rnd([H * E, d], 4),
        c = rnd([N, H, k], 5);
      const sel = sigmoidTopK(x as tf.Tensor2D, W as tf.Tensor2D, H, k);
      // d/dlogits of sum(c * gates): c * s(1-s) on selected experts, 0 elsewhere.
      const logits = tf.matMul(x, W, false, true).reshape([N, H, E]);
      const g = tf.grad((l: tf.Tensor) => {
        const s = tf.sigmoid(l);
        const oh = tf.oneHot(sel.idx, E).toFloat(); // [N, H, k, E]
        return tf.sum(tf.mul(c, tf.sum(tf.mul(tf.expandDims(s, 2), oh), -1)));
      })(logits);
      const gW = tf.grad((w: tf.Tensor) =>
        tf.sum(tf.mul(c, sigmoidTopK(x as tf.Tensor2D, w as tf.Tensor2D, H, k).gates)),
      )(W);
      const expected = tf.matMul(g.reshape([N, H * E]), x, true, false); // [H*E, d]
      expect(tf.max(tf.abs(tf.sub(gW, expected))).dataSync()[0]).toBeLessThan(1e-5);
      const s = tf.sigmoid(logits).arraySync() as number[][][],
        gl = g.arraySync() as number[][][],
        idx = sel.idx.arraySync() as number[][][],
        cc = c.arraySync() as number[][][];
      for (let n = 0; n < N; n++)
        for (let h = 0; h < H; h++)
          for (let e = 0; e < E; e++) {
            const j = idx[n][h].indexOf(e);
            const want = j < 0 ? 0 : cc[n][h][j] * s[n][h][e] * (1 - s[n][h][e]);
            expect(gl[n][h][e]).toBeCloseTo(want, 6);
          }
    });
  });

  it('expert dropout (attention mode) changes the choice but gates stay the un-dropped scores', () => {
    tf.tidy(() => {
      const x = rnd([64, d], 6),
        W = rnd([H * E, d], 7);
      const plain = sigmoidTopK(x as tf.Tensor2D, W as tf.Tensor2D, H, k);
      const dropped = sigmoidTopK(x as tf.Tensor2D, W as tf.Tensor2D, H, k, { rate: 0.5, seed: 11, mode: 'neg-inf' });
      const a = plain.idx.dataSync(),
        b = dropped.idx.dataSync();
      let changed = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) changed++;
      expect(changed).toBeGreaterThan(a.length / 10);
      const scores = plain.scores.arraySync() as number[][][],
        idx = dropped.idx.arraySync() as number[][][],
        gates = dropped.gates.arraySync() as number[][][];
      for (let n = 0; n < 64; n++)
        for (let h = 0; h < H; h++)
          for (let j = 0; j < k; j++) expect(gates[n][h][j]).toBeCloseTo(scores[n][h][idx[n][h][j]], 6);
    });
  });

  it('expert dropout (σ-MoE mode) zeroes dropped scores before top-k and gates come from the dropped tensor', () => {
    tf.tidy(() => {
      const x = rnd([64, d], 8),
        W = rnd([E, d], 9);
      const plain = sigmoidTopK(x as tf.Tensor2D, W as tf.Tensor2D, 1, 3);
      const dropped = sigmoidTopK(x as tf.Tensor2D, W as tf.Tensor2D, 1, 3, { rate: 0.5, seed: 3, mode: 'zero' });
      const g = dropped.gates.dataSync(),
        s = plain.scores.arraySync() as number[][][],
        idx = dropped.idx.arraySync() as number[][][];
      let zeros = 0;
      for (let n = 0; n < 64; n++)
        for (let j = 0; j < 3; j++) {
          const v = g[n * 3 + j];
          if (v === 0) zeros++;
          else expect(v).toBeCloseTo(s[n][0][idx[n][0][j]], 6);
        }
      expect(zeros).toBeGreaterThan(0); // with 5 experts and p=0.5 some selected experts are dropped
    });
  });
});

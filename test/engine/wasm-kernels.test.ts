// The wasm-only kernels (engine/ops/wasm-ops.ts over wasm-products.ts, wasm-gated.ts) against plain tfjs ops on the
// cpu backend: batched products and gated expert sums, values and gradients, including an expert no slot selects.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { bmm, gatherRows } from '../../engine/ops/linalg';
import { cvmmGatedSum } from '../../engine/ops/wasm-ops';
import { dirtyHeap, relErr, useBackend } from './helpers';

type Arrays = { data: Float32Array; shape: number[] }[];
const toArrays = (ts: tf.Tensor[]): Arrays => ts.map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
const fromArrays = (as: Arrays) => as.map((a) => tf.tensor(a.data, a.shape));

/** Value and gradients of sum(f(...) * dy) on a backend. */
async function valueAndGrads(
  backend: 'wasm' | 'cpu',
  f: (...xs: tf.Tensor[]) => tf.Tensor,
  inputs: Arrays,
  seed: number,
): Promise<Arrays> {
  await useBackend(backend);
  return tf.tidy(() => {
    const xs = fromArrays(inputs);
    const y = f(...xs);
    const dy = tf.randomUniform(y.shape, -1, 1, 'float32', seed);
    const grads = tf.grads((...a: tf.Tensor[]) => f(...a))(xs, dy);
    return toArrays([y, ...grads]);
  });
}

const rand = (shape: number[], seed: number): Arrays[number] => ({
  data: tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array),
  shape,
});

/** Reference on any backend: out[j] = sum over the `per` slots of row j of gate * x[r] @ W[ids[slot]]. */
function denseGatedSum(x: tf.Tensor, g: tf.Tensor, W: tf.Tensor, ids: number[], per: number): tf.Tensor {
  const [R, dIn] = x.shape as number[],
    [E, , dOut] = W.shape as number[];
  const S = ids.length / R;
  const oh = tf.oneHot(tf.tensor1d(ids, 'int32'), E).toFloat().reshape([R, S, E]); // [R, S, E]
  const all = tf.matMul(x.reshape([1, R, dIn]).tile([E, 1, 1]), W); // [E, R, dOut]
  const y = tf.matMul(oh, tf.transpose(all, [1, 0, 2])); // [R, S, dOut]
  return tf.sum(tf.mul(y, tf.expandDims(g, 2)).reshape([(R * S) / per, per, dOut]), 1); // [R*S/per, dOut]
}

function expectClose(got: Arrays, ref: Arrays) {
  expect(got.map((g) => g.shape)).toEqual(ref.map((r) => r.shape));
  got.forEach((g, i) => expect(relErr(g.data, ref[i]!.data), `output ${i}`).toBeLessThan(1e-5));
}

describe('wasm kernels', () => {
  it('bmm [G, M, K] @ [G, K, N] with both backward layouts', async () => {
    for (const [M, K, N] of [
      [5, 3, 7],
      [3, 9, 2],
    ]) {
      const inputs = [rand([2, 3, M!, K!], 1), rand([2, 3, K!, N!], 2)];
      const got = await valueAndGrads('wasm', bmm, inputs, 3);
      const ref = await valueAndGrads('cpu', (a, b) => tf.matMul(a!, b!), inputs, 3);
      expectClose(got, ref);
    }
  });

  // narrow outputs (dOut < dIn: y kept, dW from a transposed gather) and wide outputs (dOut > dIn)
  it.each([
    [5, 3],
    [3, 7],
  ])(
    'cvmmGatedSum dIn %i dOut %i: gate-weighted expert products summed into output rows, expert 2 unused',
    async (dIn, dOut) => {
      const R = 6,
        S = 4,
        E = 4,
        per = 2; // each output row sums 2 slots
      const ids = [0, 1, 3, 0, 1, 1, 3, 3, 0, 0, 1, 3, 3, 1, 0, 0, 1, 0, 3, 3, 1, 1, 0, 3];
      const inputs = [rand([R, dIn], 4), rand([R, S], 5), rand([E, dIn, dOut], 6)];
      await useBackend('wasm');
      const experts = tf.tensor2d(ids, [R, S], 'int32');
      const got = await valueAndGrads(
        'wasm',
        (x, g, W) => cvmmGatedSum(x as tf.Tensor2D, experts, g!, W as tf.Tensor3D, per),
        inputs,
        7,
      );
      experts.dispose();
      const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(ids, 'int32'), E).dataSync() as Float32Array);
      const ref = await valueAndGrads(
        'cpu',
        (x, g, W) => {
          const oh = tf.tensor(onehot, [R, S, E]); // [R, S, E]
          const all = tf.matMul(x!.reshape([1, R, dIn]).tile([E, 1, 1]), W!); // [E, R, dOut] (reference only)
          const y = tf.matMul(oh, tf.transpose(all, [1, 0, 2])); // [R, S, E] @ [R, E, dOut] -> [R, S, dOut]
          return tf.sum(tf.mul(y, tf.expandDims(g!, 2)).reshape([(R * S) / per, per, dOut]), 1); // [R*S/per, dOut]
        },
        inputs,
        7,
      );
      expectClose(got, ref);
      const dW = got[3]!.data; // expert 2 is never selected: zero gradient
      expect(Array.from(dW.slice(2 * dIn * dOut, 3 * dIn * dOut)).every((v) => v === 0)).toBe(true);
    },
  );

  it.each([
    [5, 3],
    [3, 7],
  ])('cvmmGatedSum dIn %i dOut %i with xRows / outRows reads and writes rows in another order', async (dIn, dOut) => {
    const R = 6,
      S = 2,
      E = 3,
      per = 2; // one output row per input row
    const ids = [0, 1, 2, 0, 1, 1, 2, 2, 0, 0, 1, 2];
    const xRows = new Int32Array([4, 0, 5, 2, 1, 3]),
      outRows = new Int32Array([3, 5, 0, 1, 4, 2]); // both permutations
    const inputs = [rand([R, dIn], 8), rand([R, S], 9), rand([E, dIn, dOut], 10)];
    await useBackend('wasm');
    const experts = tf.tensor2d(ids, [R, S], 'int32');
    const got = await valueAndGrads(
      'wasm',
      (x, g, W) => cvmmGatedSum(x as tf.Tensor2D, experts, g!, W as tf.Tensor3D, per, { xRows, outRows }),
      inputs,
      11,
    );
    // the same sum with x gathered into logical order first (gatherRows: differentiable on wasm) and the result scattered to outRows afterwards
    const inverseOut = new Int32Array(R);
    outRows.forEach((o, j) => (inverseOut[o] = j));
    const ref = await valueAndGrads(
      'wasm',
      (x, g, W) => {
        const logical = cvmmGatedSum(
          gatherRows(x as tf.Tensor2D, tf.tensor1d(xRows, 'int32')) as tf.Tensor2D,
          experts,
          g!,
          W as tf.Tensor3D,
          per,
        ); // [R, dOut]
        return gatherRows(logical, tf.tensor1d(inverseOut, 'int32')); // [R, dOut], row outRows[j] = logical row j
      },
      inputs,
      11,
    );
    experts.dispose();
    expectClose(got, ref);
  });

  // Block sizes (slots per expert) 5, 2, 0, 7, 3, 1 leave every remainder of the four-row unrolled gather; widths
  // 9, 6, 7, 3, 10 every remainder of the four-column unrolled adds; the heap is dirtied with NaN first, so any
  // output that is not fully written (a skipped remainder, an unused expert's weight gradient) shows up.
  it.each([
    [9, 6],
    [6, 9],
    [7, 3],
    [10, 11],
  ])('cvmmGatedSum dIn %i dOut %i: remainder loops, dirty heap, unused expert exactly 0', async (dIn, dOut) => {
    const R = 6,
      S = 3,
      E = 6,
      per = 3;
    const counts = [5, 2, 0, 7, 3, 1]; // slots per expert; expert 2 unused
    const ids = counts.flatMap((c, e) => new Array<number>(c).fill(e));
    for (let i = ids.length - 1; i > 0; i--) {
      const j = (i * 7 + 3) % (i + 1); // a fixed shuffle: experts interleave across rows
      [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    }
    const inputs = [rand([R, dIn], 12), rand([R, S], 13), rand([E, dIn, dOut], 14)];
    await useBackend('wasm');
    dirtyHeap();
    const experts = tf.tensor2d(ids, [R, S], 'int32');
    const got = await valueAndGrads(
      'wasm',
      (x, g, W) => cvmmGatedSum(x as tf.Tensor2D, experts, g!, W as tf.Tensor3D, per),
      inputs,
      15,
    );
    experts.dispose();
    const ref = await valueAndGrads('cpu', (x, g, W) => denseGatedSum(x!, g!, W!, ids, per), inputs, 15);
    expectClose(got, ref);
    const dW = got[3]!.data;
    expect(Array.from(dW.slice(2 * dIn * dOut, 3 * dIn * dOut)).every((v) => v === 0)).toBe(true);
  });

  it('cvmmGatedSum rejects an xRows of the wrong length', async () => {
    await useBackend('wasm');
    const experts = tf.tensor2d([0, 1, 1, 0], [2, 2], 'int32');
    expect(() =>
      cvmmGatedSum(tf.zeros([3, 4]) as tf.Tensor2D, experts, tf.ones([2, 2]), tf.zeros([2, 4, 5]) as tf.Tensor3D, 2, {
        xRows: new Int32Array([0]),
      }),
    ).toThrow(/xRows/);
    experts.dispose();
  });
});

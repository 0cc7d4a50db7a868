// Our WGSL cvmm kernels (engine/webgpu) against the default cvmmSorted on the cpu backend: routing order, forward,
// input and weight gradients, over odd shapes, unused experts, S = 1 and S > 1, several chunks and tiles.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cvmm, cvmmSorted, sortSlots } from '../../engine/ops/cvmm';
import { cvmmWebGPU, ROUTE } from '../../engine/webgpu/cvmm-kernels';
import { relErr, useWebGPU } from './setup';

beforeAll(async () => {
  await useWebGPU();
}, 120_000);

/** Deterministic pseudo-random numbers (LCG) so failures reproduce. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Case {
  R: number;
  S: number;
  nExp: number;
  dIn: number;
  dOut: number;
  ids: number[];
}
function makeCase(
  R: number,
  S: number,
  nExp: number,
  dIn: number,
  dOut: number,
  pick: (r: () => number) => number,
  seed: number,
) {
  const r = rng(seed);
  const c: Case = { R, S, nExp, dIn, dOut, ids: Array.from({ length: R * S }, () => pick(r)) };
  const data = {
    x: Array.from({ length: R * dIn }, () => r() * 2 - 1),
    W: Array.from({ length: nExp * dIn * dOut }, () => r() * 2 - 1),
    dy: Array.from({ length: R * S * dOut }, () => r() * 2 - 1),
  };
  return { c, data };
}

/** Forward and both gradients of sum(cvmm(x, e, W) * dy) with the given implementation on the active backend. */
function run(impl: typeof cvmm, { c, data }: ReturnType<typeof makeCase>) {
  return tf.tidy(() => {
    const x = tf.tensor2d(data.x, [c.R, c.dIn]),
      W = tf.tensor3d(data.W, [c.nExp, c.dIn, c.dOut]);
    const e = tf.tensor2d(c.ids, [c.R, c.S], 'int32'),
      dy = tf.tensor3d(data.dy, [c.R, c.S, c.dOut]);
    const y = impl(x, e, W);
    const [dx, dW] = tf.grads((x: tf.Tensor, W: tf.Tensor) =>
      tf.sum(tf.mul(impl(x as tf.Tensor2D, e, W as tf.Tensor3D), dy)),
    )([x, W]);
    return [y, dx, dW].map((t) => Array.from(t.dataSync()));
  });
}

async function reference(k: ReturnType<typeof makeCase>) {
  await tf.setBackend('cpu');
  try {
    return run(cvmmSorted, k);
  } finally {
    await tf.setBackend('webgpu');
  }
}

const uniform = (n: number) => (r: () => number) => Math.floor(r() * n);
const cases: Array<[string, ReturnType<typeof makeCase>]> = [
  ['odd sizes, S=3, expert 4 never used', makeCase(37, 3, 5, 19, 41, uniform(4), 1)],
  ['S=1', makeCase(50, 1, 3, 33, 7, uniform(3), 2)],
  [
    'several chunks and K/N tiles, half the experts unused',
    makeCase(300, 2, 8, 70, 35, (r) => 2 * Math.floor(r() * 4), 3),
  ],
  ['one expert takes every slot', makeCase(45, 2, 4, 16, 16, () => 2, 4)],
  ['single row, single expert', makeCase(1, 1, 1, 5, 3, () => 0, 5)],
  [
    'skewed routing (long runs across tile borders)',
    makeCase(129, 4, 6, 9, 64, (r) => (r() < 0.7 ? 5 : Math.floor(r() * 6)), 6),
  ],
];

describe('cvmm on WebGPU (our WGSL kernels) vs cvmmSorted on cpu', () => {
  for (const [name, k] of cases) {
    it(`${name}: R=${k.c.R} S=${k.c.S} nExp=${k.c.nExp} dIn=${k.c.dIn} dOut=${k.c.dOut}`, async () => {
      const got = run(cvmmWebGPU, k);
      const ref = await reference(k);
      const [y, dx, dW] = got.map((g, i) => relErr(g, ref[i]));
      expect(y, 'forward').toBeLessThan(1e-4);
      expect(dx, 'dx').toBeLessThan(1e-4);
      expect(dW, 'dW').toBeLessThan(1e-4);
      // Unused experts get an exactly zero weight gradient.
      const used = new Set(k.c.ids);
      const block = k.c.dIn * k.c.dOut;
      for (let e = 0; e < k.c.nExp; e++)
        if (!used.has(e)) expect(got[2].slice(e * block, (e + 1) * block).every((v) => v === 0)).toBe(true);
    });
  }

  it('routing: the GPU order equals the stable CPU counting sort', () => {
    const r = rng(7);
    const R = 600,
      S = 2,
      nExp = 11; // 1200 slots: five chunks of 256
    const ids = Array.from({ length: R * S }, () => Math.floor(r() * nExp));
    const [order, table] = tf
      .engine()
      .runKernel(ROUTE, { experts: tf.tensor2d(ids, [R, S], 'int32') }, { nExp }) as tf.Tensor[];
    const plan = sortSlots(Int32Array.from(ids), S, nExp);
    expect(Array.from(order.dataSync())).toEqual(Array.from(plan.order));
    const t = table.dataSync();
    expect(Array.from(t.slice(t.length - (nExp + 2), t.length - 1))).toEqual(Array.from(plan.offsets));
  });

  it('cvmm() dispatches to the WebGPU kernels without reading the routing on the CPU', () => {
    const k = makeCase(20, 2, 3, 8, 8, uniform(3), 8);
    const x = tf.tensor2d(k.data.x, [20, 8]),
      W = tf.tensor3d(k.data.W, [3, 8, 8]);
    const e = tf.tensor2d(k.c.ids, [20, 2], 'int32');
    const ref = Array.from(cvmmWebGPU(x, e, W).dataSync());
    e.dataSync = () => {
      throw new Error('routing read on the CPU');
    };
    expect(Array.from(cvmm(x, e, W).dataSync())).toEqual(ref);
  });

  it('expert ids outside [0, nExp) give zero rows and no weight gradient', () => {
    const x = tf.ones([3, 4]) as tf.Tensor2D,
      W = tf.ones([2, 4, 5]) as tf.Tensor3D;
    const e = tf.tensor2d([[0], [7], [-1]], [3, 1], 'int32');
    const y = cvmmWebGPU(x, e, W).dataSync();
    expect(Array.from(y.slice(0, 5))).toEqual([4, 4, 4, 4, 4]);
    expect(Array.from(y.slice(5)).every((v) => v === 0)).toBe(true);
    const dW = tf
      .grad((W: tf.Tensor) => tf.sum(cvmmWebGPU(x, e, W as tf.Tensor3D)))(W)
      .dataSync();
    expect(Array.from(dW.slice(0, 20)).every((v) => v === 1)).toBe(true);
    expect(Array.from(dW.slice(20)).every((v) => v === 0)).toBe(true);
  });

  it('rejects bad input with a clear error', () => {
    const x = tf.zeros([3, 4]) as tf.Tensor2D,
      W = tf.zeros([2, 4, 5]) as tf.Tensor3D;
    expect(() => cvmmWebGPU(x, tf.zeros([3, 1]) as tf.Tensor2D, W)).toThrow(/int32/);
    expect(() => cvmmWebGPU(x, tf.zeros([2, 1], 'int32') as tf.Tensor2D, W)).toThrow(/rows/);
    expect(() => cvmmWebGPU(x, tf.zeros([3, 1], 'int32') as tf.Tensor2D, tf.zeros([2, 5, 5]) as tf.Tensor3D)).toThrow(
      /dIn/,
    );
  });
});

// Matrix products with our own gradients. tfjs-wasm is fast only for plain 2-D products without transpose flags
// (ENV.md: 16 GFLOP/s vs 1 GFLOP/s), and its built-in matMul gradient uses those flags. So on wasm we transpose
// explicitly and keep every product 2-D and flag-free; other backends use the flags, which they handle well.
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom';
import { runWasm, useWasmKernels, WASM_KERNELS } from './wasm-kernels';

const explicitTranspose = () => tf.getBackend() === 'wasm';

/** a @ b for 2-D a [M, K], b [K, N] -> [M, N], with a fast-path backward. */
export function matmul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = customOp(([a, b], save) => {
    save([a, b]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), // [M, N]
      gradFunc: (dy, [sa, sb]) => [
        mmNT(dy as tf.Tensor2D, sb as tf.Tensor2D),
        mmTN(sa as tf.Tensor2D, dy as tf.Tensor2D),
      ], // dA [M, K], dB [K, N]
    };
  });
  return f(a, b) as tf.Tensor2D;
}

/** a @ b^T: a [M, K], b [N, K] -> [M, N] (no gradient: used inside gradients). */
export function mmNT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return explicitTranspose() ? tf.matMul(a, tf.transpose(b)) : tf.matMul(a, b, false, true);
}

/** a^T @ b: a [K, M], b [K, N] -> [M, N] (no gradient: used inside gradients). */
export function mmTN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return explicitTranspose() ? tf.matMul(tf.transpose(a), b) : tf.matMul(a, b, true, false);
}

/** Linear layer in torch layout: x [..., dIn], W [dOut, dIn] -> [..., dOut] = x W^T (+ b). */
export function linear(x: tf.Tensor, W: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [dOut, dIn] = W.shape;
  const x2 = x.reshape([-1, dIn]) as tf.Tensor2D; // [N, dIn]
  let y: tf.Tensor = explicitTranspose()
    ? linearWasm(x2, W as tf.Tensor2D)
    : matmul(x2, tf.transpose(W) as tf.Tensor2D); // [N, dOut]
  if (b) y = tf.add(y, b);
  return y.reshape([...x.shape.slice(0, -1), dOut]);
}

/** x [N, dIn] @ W^T, W [dOut, dIn], on wasm with flag-free 2-D products only: the forward transposes the small W;
 *  the backward's dx = dy @ W needs no transpose, and dW = dy^T @ x transposes only dy [N, dOut]. */
function linearWasm(x: tf.Tensor2D, W: tf.Tensor2D): tf.Tensor2D {
  const f = customOp(([x, W], save) => {
    save([x, W]);
    return {
      value: tf.matMul(x as tf.Tensor2D, tf.transpose(W) as tf.Tensor2D), // [N, dOut]
      gradFunc: (dy, [sx, sW]) => [
        tf.matMul(dy as tf.Tensor2D, sW as tf.Tensor2D),
        tf.matMul(tf.transpose(dy) as tf.Tensor2D, sx as tf.Tensor2D),
      ], // dx [N, dIn], dW [dOut, dIn]
    };
  });
  return f(x, W) as tf.Tensor2D;
}

/** Batched a @ b over leading dims: a [..., M, K], b [..., K, N] -> [..., M, N]; fast-path backward. */
export function bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (useWasmKernels()) return bmmWasm(a, b);
  const f = customOp(([a, b], save) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b), // [..., M, N]
      gradFunc: (dy, [sa, sb]) => [tf.matMul(dy, sb, false, true), tf.matMul(sa, dy, true, false)], // dA, dB
    };
  });
  return f(a, b) as tf.Tensor;
}

/** [G, M, K] -> [G, K, M] */
const t3 = (x: tf.Tensor) => tf.transpose(x, [0, 2, 1]);
/** Flag-free batched product on wasm: a [G, M, K] @ b [G, K, N] -> [G, M, N], one XNNPACK call per g. */
const bmm3 = (a: tf.Tensor, b: tf.Tensor) => runWasm(WASM_KERNELS.batchMatMul, { a, b });

/** bmm on wasm. The backward needs a^T and b^T products; each is computed the way that transposes the fewest
 *  elements: e.g. for attention's probs @ v, dv = probs^T @ dy would transpose the big probs [T, Tk], while
 *  dv^T = dy^T @ probs transposes only the small dy [T, dh] and dv^T [dh, Tk]. */
function bmmWasm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const lead = a.shape.slice(0, -2);
  const [M, K] = a.shape.slice(-2) as [number, number];
  const N = b.shape.at(-1)!;
  const G = lead.reduce((p, c) => p * c, 1);
  const f = customOp(([a, b], save) => {
    const a3 = a.reshape([G, M, K]),
      b3 = b.reshape([G, K, N]); // [G, M, K], [G, K, N]
    save([a3, b3]);
    return {
      value: bmm3(a3, b3).reshape([...lead, M, N]), // [..., M, N]
      gradFunc: (dy, [a3, b3]) => {
        const dy3 = dy.reshape([G, M, N]); // [G, M, N]
        const dA = K * N <= M * N + M * K ? bmm3(dy3, t3(b3)) : t3(bmm3(b3, t3(dy3))); // [G, M, K]
        const dB = M * K <= M * N + K * N ? bmm3(t3(a3), dy3) : t3(bmm3(t3(dy3), a3)); // [G, K, N]
        return [dA.reshape(a.shape), dB.reshape(b.shape)];
      },
    };
  });
  return f(a, b) as tf.Tensor;
}

/** Row lookup table[ids] with a gradient that works on every backend (wasm lacks UnsortedSegmentSum).
 *  table [V, d], ids int32 [...] -> [..., d]. */
export function gatherRows(table: tf.Tensor2D, ids: tf.Tensor): tf.Tensor {
  const [V, d] = table.shape as [number, number];
  const f = customOp(([table, ids], save) => {
    save([ids]);
    return {
      value: tf.gather(table, ids.reshape([-1])).reshape([...ids.shape, d]), // [..., d]
      gradFunc: (dy, [savedIds]) => {
        const flat = savedIds.reshape([-1]) as tf.Tensor1D; // [N]
        const dy2 = dy.reshape([-1, d]) as tf.Tensor2D; // [N, d]
        const dTable =
          tf.getBackend() !== 'wasm'
            ? tf.unsortedSegmentSum(dy2, flat, V)
            : mmTN(tf.oneHot(flat, V).toFloat() as tf.Tensor2D, dy2); // [V, d]
        return [dTable, tf.zerosLike(savedIds)];
      },
    };
  });
  return f(table, ids) as tf.Tensor;
}

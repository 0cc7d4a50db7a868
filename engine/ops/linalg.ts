// Matrix products with our own gradients. Each public op runs the implementation registered for the active backend
// (kernels.ts; wasm registers flag-free variants in wasm-ops.ts, since tfjs-wasm is fast only for plain 2-D products:
// ENV.md, 16 GFLOP/s vs 1 GFLOP/s) or the portable one here, which uses matMul's transpose flags.
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom';
import { kernel } from './kernels';

/** a @ b^T: a [M, K], b [N, K] -> [M, N] (no gradient: used inside gradients). */
export const mmNT = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => kernel('mmNT', mmNTFlags)(a, b);

/** a^T @ b: a [K, M], b [K, N] -> [M, N] (no gradient: used inside gradients). */
export const mmTN = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => kernel('mmTN', mmTNFlags)(a, b);

/** Linear layer in torch layout: x [..., dIn], W [dOut, dIn] -> [..., dOut] = x W^T (+ b). */
export function linear(x: tf.Tensor, W: tf.Tensor, b?: tf.Tensor): tf.Tensor {
  const [dOut, dIn] = W.shape;
  const x2 = x.reshape([-1, dIn]) as tf.Tensor2D; // [N, dIn]
  let y: tf.Tensor = kernel('linear2d', linear2dFlags)(x2, W as tf.Tensor2D); // [N, dOut]
  if (b) y = tf.add(y, b);
  return y.reshape([...x.shape.slice(0, -1), dOut]);
}

/** Batched a @ b over leading dims: a [..., M, K], b [..., K, N] -> [..., M, N]; fast-path backward. */
export const bmm = (a: tf.Tensor, b: tf.Tensor): tf.Tensor => kernel('bmm', bmmFlags)(a, b);

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
        const dTable = kernel('sumRowsById', sumRowsBySegment)(dy2, flat, V); // [V, d]
        return [dTable, tf.zerosLike(savedIds)];
      },
    };
  });
  return f(table, ids) as tf.Tensor;
}

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

// ---- Portable implementations (kernels.ts)

const mmNTFlags = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.matMul(a, b, false, true);
const mmTNFlags = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.matMul(a, b, true, false);
const linear2dFlags = (x: tf.Tensor2D, W: tf.Tensor2D) => matmul(x, tf.transpose(W) as tf.Tensor2D); // [N, dOut]
const sumRowsBySegment = (x: tf.Tensor2D, ids: tf.Tensor1D, V: number) => tf.unsortedSegmentSum(x, ids, V);

function bmmFlags(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const f = customOp(([a, b], save) => {
    save([a, b]);
    return {
      value: tf.matMul(a, b), // [..., M, N]
      gradFunc: (dy, [sa, sb]) => [tf.matMul(dy, sb, false, true), tf.matMul(sa, dy, true, false)], // dA, dB
    };
  });
  return f(a, b) as tf.Tensor;
}

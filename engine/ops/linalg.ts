// Matrix products with our own gradients. tfjs-wasm is fast only for plain 2-D products without transpose flags
// (ENV.md: 16 GFLOP/s vs 1 GFLOP/s), and its built-in matMul gradient uses those flags. So on wasm we transpose
// explicitly and keep every product 2-D and flag-free; other backends use the flags, which they handle well.
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom';

const explicitTranspose = () => tf.getBackend() === 'wasm';

/** a @ b for 2-D a [M, K], b [K, N] -> [M, N], with a fast-path backward. */
export function matmul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const f = customOp(([a, b], save) => {
    save([a, b]);
    return {
      value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), // [M, N]
      gradFunc: (dy, [sa, sb]) => [mmNT(dy as tf.Tensor2D, sb as tf.Tensor2D), mmTN(sa as tf.Tensor2D, dy as tf.Tensor2D)], // dA [M, K], dB [K, N]
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
  let y: tf.Tensor = matmul(x2, tf.transpose(W) as tf.Tensor2D); // [N, dOut]
  if (b) y = tf.add(y, b);
  return y.reshape([...x.shape.slice(0, -1), dOut]);
}

/** Batched a @ b over leading dims: a [..., M, K], b [..., K, N] -> [..., M, N]; fast-path backward. */
export function bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const f = customOp(([a, b], save) => {
    save([a, b]);
    return {
      value: batched(a, b, false, false), // [..., M, N]
      gradFunc: (dy, [sa, sb]) => [batched(dy, sb, false, true), batched(sa, dy, true, false)], // dA, dB
    };
  });
  return f(a, b) as tf.Tensor;
}

/** Batched product with transposes of the last two dims. On wasm: one explicit transpose, then a loop of
 *  2-D products (2.6x faster than its batched kernel, ENV.md). Elsewhere: the backend's batched kernel. */
function batched(a: tf.Tensor, b: tf.Tensor, tA: boolean, tB: boolean): tf.Tensor {
  if (!explicitTranspose()) return tf.matMul(a, b, tA, tB);
  const lead = a.shape.slice(0, -2);
  const G = lead.reduce((p, c) => p * c, 1);
  const perm = (t: tf.Tensor) => [...t.shape.slice(0, -2).map((_, i) => i), t.rank - 1, t.rank - 2];
  const A = (tA ? tf.transpose(a, perm(a)) : a).reshape([G, ...(tA ? [a.shape.at(-1)!, a.shape.at(-2)!] : a.shape.slice(-2))]);
  const B = (tB ? tf.transpose(b, perm(b)) : b).reshape([G, ...(tB ? [b.shape.at(-1)!, b.shape.at(-2)!] : b.shape.slice(-2))]);
  const As = tf.unstack(A), Bs = tf.unstack(B);
  const out = tf.stack(As.map((x, g) => tf.matMul(x as tf.Tensor2D, Bs[g] as tf.Tensor2D))); // [G, M, N]
  return out.reshape([...lead, out.shape[1]!, out.shape[2]!]);
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
        const dTable = tf.getBackend() !== 'wasm' ? tf.unsortedSegmentSum(dy2, flat, V) : mmTN(tf.oneHot(flat, V).toFloat() as tf.Tensor2D, dy2); // [V, d]
        return [dTable, tf.zerosLike(savedIds)];
      },
    };
  });
  return f(table, ids) as tf.Tensor;
}

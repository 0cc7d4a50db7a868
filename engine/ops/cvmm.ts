// cvmm: the conditional, expert-sorted matrix multiply behind every MoE projection (SPEC §1, "Implementation of
// the MoE projections"). Only the selected experts are computed: slots are sorted by expert, each expert
// multiplies its contiguous block of rows once, and results go back to slot order. No "all experts then mask".
//
//   out[r, s] = x[r] @ W[experts[r, s]]        x [R, dIn], experts int32 [R, S], W [nExp, dIn, dOut] -> [R, S, dOut]
//
// and the MoE projections of SwitchHead built on it (moeIn, moeOut: gate-weighted sums over the selected experts).
// Each runs the implementation registered for the active backend (kernels.ts: WGSL kernels on webgpu, fused heap
// kernels on wasm) or the portable one here, which reads the routing indices on the CPU and leaves gates and
// reductions to ordinary tensor ops (their gradients come from autodiff).
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom';
import { kernel, type HeadsLayout } from './kernels';
import { mmNT, mmTN } from './linalg';

/** out[r, s] = x[r] @ W[experts[r, s]]: x [R, dIn], experts int32 [R, S], W [nExp, dIn, dOut] -> [R, S, dOut]. */
export function cvmm(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): tf.Tensor3D {
  return kernel('cvmm', cvmmSorted)(x, experts, W);
}

/** MoE input projection: x [B*T, d], experts int32 [B*T, H*k], gates [B*T, H, k], W [H*E, d, dh] -> [B, H, T, dh]. */
export function moeIn(
  x: tf.Tensor2D,
  experts: tf.Tensor2D,
  gates: tf.Tensor,
  W: tf.Tensor3D,
  heads: HeadsLayout,
): tf.Tensor {
  return kernel('moeIn', moeInSorted)(x, experts, gates, W, heads);
}

/** MoE output projection summed over heads: u [B, H, T, dh], experts int32 [B*T*H, k], gates [B*T, H, k],
 *  W [H*E, dh, d] -> [B*T, d]. */
export function moeOut(u: tf.Tensor, experts: tf.Tensor2D, gates: tf.Tensor, W: tf.Tensor3D): tf.Tensor {
  return kernel('moeOut', moeOutSorted)(u, experts, gates, W);
}

/** The routing plan: slots sorted by expert (counting sort, stable, so deterministic). */
export interface SortedRouting {
  order: Int32Array; // sorted position m -> slot index (r * S + s)
  rows: Int32Array; // sorted position m -> input row r
  offsets: Int32Array; // [nExp + 1]: expert e owns sorted positions offsets[e] .. offsets[e+1]
}

export function sortSlots(expertIds: Int32Array, S: number, nExp: number): SortedRouting {
  const offsets = new Int32Array(nExp + 1);
  for (const e of expertIds) {
    if (e < 0 || e >= nExp) throw new Error(`cvmm: expert id ${e} outside [0, ${nExp})`);
    offsets[e + 1]++;
  }
  for (let e = 0; e < nExp; e++) offsets[e + 1] += offsets[e];
  const fill = offsets.slice(0, nExp);
  const order = new Int32Array(expertIds.length);
  const rows = new Int32Array(expertIds.length);
  for (let slot = 0; slot < expertIds.length; slot++) {
    const m = fill[expertIds[slot]]++;
    order[m] = slot;
    rows[m] = Math.floor(slot / S);
  }
  return { order, rows, offsets };
}

/** Inverse of a permutation: inv[perm[i]] = i. */
export function invert(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Portable cvmm: CPU-side sort, one 2-D product per used expert, permutation gathers. Both the forward and the
 *  backward avoid tf.gather's gradient (UnsortedSegmentSum is missing on wasm). */
export function cvmmSorted(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): tf.Tensor3D {
  const [R, S] = experts.shape;
  const [nExp, dIn, dOut] = W.shape;
  const plan = sortSlots(experts.dataSync() as Int32Array, S, nExp);
  const order = plan.order,
    inverse = invert(plan.order);
  const used = usedExperts(plan.offsets);
  // Per used expert: its block of rows (in expert order) and its weight matrix [dIn, dOut].
  const blocks = (x: tf.Tensor, W: tf.Tensor) => {
    const xs = tf.gather(x, tf.tensor1d(plan.rows, 'int32')); // [M, dIn]
    return used.map((e) => ({
      x: tf.slice(xs, [plan.offsets[e], 0], [plan.offsets[e + 1] - plan.offsets[e], dIn]) as tf.Tensor2D, // [n_e, dIn]
      W: tf.slice(W, [e, 0, 0], [1, dIn, dOut]).reshape([dIn, dOut]) as tf.Tensor2D, // [dIn, dOut]
    }));
  };
  const f = customOp(([x, W], save) => {
    save([x, W]); // the forward runs in a tidy: the backward recomputes the cheap slices from these
    const ys = tf.concat(
      blocks(x, W).map((b) => tf.matMul(b.x, b.W)),
      0,
    ); // [M, dOut], expert order
    return {
      value: tf.gather(ys, tf.tensor1d(inverse, 'int32')).reshape([R, S, dOut]), // [R, S, dOut], slot order
      gradFunc: (dy, [sx, sW]) => {
        const bs = blocks(sx, sW);
        const dys = tf.gather(dy.reshape([R * S, dOut]), tf.tensor1d(order, 'int32')); // [M, dOut], expert order
        const dW: tf.Tensor[] = Array.from({ length: nExp }, () => null as unknown as tf.Tensor);
        const dxs = used.map((e, u) => {
          const dye = tf.slice(dys, [plan.offsets[e], 0], [plan.offsets[e + 1] - plan.offsets[e], dOut]) as tf.Tensor2D; // [n_e, dOut]
          dW[e] = mmTN(bs[u].x, dye); // [dIn, dOut]
          return mmNT(dye, bs[u].W); // [n_e, dIn]
        });
        for (let e = 0; e < nExp; e++) if (!dW[e]) dW[e] = tf.zeros([dIn, dOut]);
        const dxSlots = tf.gather(tf.concat(dxs, 0), tf.tensor1d(inverse, 'int32')).reshape([R, S, dIn]); // [R, S, dIn]
        return [tf.sum(dxSlots, 1), tf.stack(dW)]; // dx [R, dIn], dW [nExp, dIn, dOut]
      },
    };
  });
  return f(x, W) as tf.Tensor3D;
}

/** Portable moeIn: cvmm, the gate-weighted sum over the k slots of each head, then the per-head layout. */
function moeInSorted(x: tf.Tensor2D, experts: tf.Tensor2D, gates: tf.Tensor, W: tf.Tensor3D, { B, T }: HeadsLayout) {
  const [N, H, k] = gates.shape as number[];
  const y = cvmm(x, experts, W); // [N, H*k, dh]
  const weighted = tf.mul(y.reshape([N, H, k, -1]), tf.expandDims(gates, 3)); // [N, H, k, dh]
  return tf.sum(weighted, 2).reshape([B, T, H, -1]).transpose([0, 2, 1, 3]); // [B, H, T, dh]
}

/** Portable moeOut: one row per (token, head), cvmm, the gate-weighted sum over heads and slots. */
function moeOutSorted(u: tf.Tensor, experts: tf.Tensor2D, gates: tf.Tensor, W: tf.Tensor3D): tf.Tensor {
  const [N, H, k] = gates.shape as number[];
  const rows = u.transpose([0, 2, 1, 3]).reshape([N * H, -1]) as tf.Tensor2D; // [B, T, H, dh] -> [N*H, dh]
  const y = cvmm(rows, experts, W); // [N*H, k, d]
  const weighted = tf.mul(y, gates.reshape([N * H, k, 1])); // [N*H, k, d]
  return tf.sum(weighted.reshape([N, H * k, -1]), 1); // [N, d]
}

function usedExperts(offsets: Int32Array): number[] {
  const used: number[] = [];
  for (let e = 0; e + 1 < offsets.length; e++) if (offsets[e + 1] > offsets[e]) used.push(e);
  return used;
}

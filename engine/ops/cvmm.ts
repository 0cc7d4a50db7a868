// cvmm: the conditional, expert-sorted matrix multiply behind every MoE projection (SPEC §1, "Implementation of
// the MoE projections"). Only the selected experts are computed: slots are sorted by expert, each expert
// multiplies its contiguous block of rows once, and results go back to slot order. No "all experts then mask".
//
//   out[r, s] = x[r] @ W[experts[r, s]]        x [R, dIn], experts int32 [R, S], W [nExp, dIn, dOut] -> [R, S, dOut]
//
// Gates and reductions are ordinary tensor ops around it, so their gradients come from autodiff.
// Backends may register a faster implementation (engine/webgpu registers WGSL kernels); the default reads the
// routing indices on the CPU, which is free on wasm/cpu, where the data already lives in main memory.
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom';
import { mmNT, mmTN } from './linalg';
import { runWasm, runWasmMulti, useWasmKernels, WASM_KERNELS } from './wasm-kernels';

export type CvmmImpl = (x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D) => tf.Tensor3D;
const impls = new Map<string, CvmmImpl>();

/** Install a backend-specific implementation (forward and backward) for backend `name`. */
export function registerCvmm(name: string, impl: CvmmImpl): void {
  impls.set(name, impl);
}

export function cvmm(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): tf.Tensor3D {
  const impl = impls.get(tf.getBackend()) ?? cvmmSorted;
  return impl(x, experts, W);
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
function invert(perm: Int32Array): Int32Array {
  const inv = new Int32Array(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Default implementation: CPU-side sort, one 2-D product per used expert, permutation gathers. Both the
 *  forward and the backward avoid tf.gather's gradient (UnsortedSegmentSum is missing on wasm). */
export function cvmmSorted(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): tf.Tensor3D {
  const [R, S] = experts.shape;
  const [nExp, dIn, dOut] = W.shape;
  const plan = sortSlots(experts.dataSync() as Int32Array, S, nExp);
  if (useWasmKernels()) return cvmmWasm(x, W, plan, S);
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

/** The same on wasm with our kernels: row permutations on the heap and one XNNPACK product per expert block,
 *  forward and backward, with no gathers, slices or concats. */
function cvmmWasm(x: tf.Tensor2D, W: tf.Tensor3D, plan: SortedRouting, S: number): tf.Tensor3D {
  const R = x.shape[0],
    dOut = W.shape[2];
  const offsets = Array.from(plan.offsets);
  const inverse = invert(plan.order);
  const permute = (t: tf.Tensor, rows: Int32Array) => runWasm(WASM_KERNELS.permuteRows, { x: t }, { rows });
  const perExpert = (rows: tf.Tensor, W: tf.Tensor) =>
    runWasm(WASM_KERNELS.segmentMatMul, { a: rows, w: W }, { offsets });
  const f = customOp(([x, W], save) => {
    save([x, W]); // the sorted copy of x is cheap to rebuild in the backward
    const ys = perExpert(permute(x, plan.rows), W); // [M, dOut], expert order
    return {
      value: permute(ys, inverse).reshape([R, S, dOut]), // [R, S, dOut], slot order
      gradFunc: (dy, [sx, sW]) => {
        const dys = permute(dy.reshape([R * S, dOut]), plan.order); // [M, dOut], expert order
        const dW = runWasm(WASM_KERNELS.segmentOuter, { a: permute(sx, plan.rows), dy: dys }, { offsets }); // [nExp, dIn, dOut]
        const dxs = perExpert(dys, tf.transpose(sW, [0, 2, 1])); // [M, dIn] = dys_e @ W_e^T
        const dx = runWasm(WASM_KERNELS.scatterAddRows, { y: dxs }, { rows: plan.rows, R }); // [R, dIn], sums the S slots
        return [dx, dW];
      },
    };
  });
  return f(x, W) as tf.Tensor3D;
}

/** Gated expert sum, the MoE projection with its gate weighting and slot reduction fused in (wasm only):
 *    out[outRows[j]] += gates[slot] * x[xRows[r]] @ W[experts[r, s]],   slot = r * S + s, j = floor(slot / slotsPerOut)
 *  x [R', dIn], experts int32 [R, S], gates [R, S], W [nExp, dIn, dOut] -> [R * S / slotsPerOut, dOut].
 *  xRows / outRows (default: identity) let x be read from, and out be written in, another row order (e.g. the
 *  per-head layout [B, H, T, dh] of rows indexed (b*T + t)*H + h), which saves a transpose on each side.
 *  Per expert block through scratch buffers: no gathered copy of x, no per-slot outputs kept. */
export function cvmmGatedSum(
  x: tf.Tensor2D,
  experts: tf.Tensor2D,
  gates: tf.Tensor,
  W: tf.Tensor3D,
  slotsPerOut: number,
  layout: { xRows?: Int32Array; outRows?: Int32Array } = {},
): tf.Tensor2D {
  if (!useWasmKernels()) throw new Error('cvmmGatedSum: wasm backend only (use cvmm elsewhere)');
  const [R, S] = experts.shape;
  const nExp = W.shape[0];
  if ((R * S) % slotsPerOut !== 0)
    throw new Error(`cvmmGatedSum: ${R * S} slots do not split into outputs of ${slotsPerOut}`);
  const nOut = (R * S) / slotsPerOut;
  const { xRows, outRows } = layout;
  if (xRows && (xRows.length !== R || xRows.some((r) => r < 0 || r >= x.shape[0])))
    throw new Error(`cvmmGatedSum: xRows must map ${R} rows into x's ${x.shape[0]}`);
  if (!xRows && x.shape[0] !== R) throw new Error(`cvmmGatedSum: x has ${x.shape[0]} rows, experts ${R}`);
  if (outRows && outRows.length !== nOut)
    throw new Error(`cvmmGatedSum: outRows has ${outRows.length} entries, want ${nOut}`);
  const plan = sortSlots(experts.dataSync() as Int32Array, S, nExp);
  const rows = xRows ? plan.rows.map((r) => xRows[r]!) : plan.rows;
  const slotOut = new Int32Array(R * S);
  for (let slot = 0; slot < R * S; slot++)
    slotOut[slot] = outRows ? outRows[Math.floor(slot / slotsPerOut)]! : Math.floor(slot / slotsPerOut);
  const attrs = { rows, order: plan.order, offsets: Array.from(plan.offsets), slotOut };
  const f = customOp(([x, gates, W], save) => {
    const [out, ys] = runWasmMulti(WASM_KERNELS.gatedForward, { x, w: W, gates }, { ...attrs, nOut }); // [nOut, dOut]
    save(ys ? [x, gates, W, ys] : [x, gates, W]);
    return {
      value: out!,
      gradFunc: (dy, [sx, sg, sW, sy]) => {
        const wT = tf.transpose(sW, [0, 2, 1]); // [nExp, dOut, dIn]
        const [dx, dg, dW] = runWasmMulti(
          WASM_KERNELS.gatedBackward,
          { x: sx, wT, gates: sg, dy, ...(sy ? { ys: sy } : {}) },
          attrs,
        );
        return [dx!, dg!.reshape(sg.shape), dW!]; // dW [nExp, dIn, dOut]
      },
    };
  });
  return f(x, gates.reshape([R * S]), W) as tf.Tensor2D;
}

function usedExperts(offsets: Int32Array): number[] {
  const used: number[] = [];
  for (let e = 0; e + 1 < offsets.length; e++) if (offsets[e + 1] > offsets[e]) used.push(e);
  return used;
}

// The kernel registry's implementations for tfjs-backend-wasm (kernels.ts), over our own tfjs kernels
// (wasm-kernels.ts). tfjs-wasm is fast only for plain 2-D products without transpose flags (ENV.md: 16 GFLOP/s vs
// 1 GFLOP/s), and its built-in matMul gradient uses those flags: so products here are flag-free (explicit
// transposes, or batched / per-expert products on the heap), and the MoE projections fuse gates and sums.
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom';
import { invert, sortSlots } from './cvmm';
import { registerKernels, type HeadsLayout, type Kernels } from './kernels';
import { registerWasmKernels, runWasm, runWasmMulti, WASM_KERNELS } from './wasm-kernels';

/** Register our tfjs kernels for 'wasm' and these implementations in the kernel registry (idempotent). Call once
 *  tfjs-backend-wasm is loaded (engine/backend.ts). */
export function installWasmKernels(): void {
  registerWasmKernels();
  registerKernels('wasm', WASM_IMPLS);
}

const mmNT = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.matMul(a, tf.transpose(b)); // [M, N]
const mmTN = (a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D => tf.matMul(tf.transpose(a), b); // [M, N]

/** x [N, dIn] @ W^T, W [dOut, dIn], with flag-free 2-D products only: the forward transposes the small W; the
 *  backward's dx = dy @ W needs no transpose, and dW = dy^T @ x transposes only dy [N, dOut]. */
function linear2d(x: tf.Tensor2D, W: tf.Tensor2D): tf.Tensor2D {
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

/** [G, M, K] -> [G, K, M] */
const t3 = (x: tf.Tensor) => tf.transpose(x, [0, 2, 1]);
/** Flag-free batched product: a [G, M, K] @ b [G, K, N] -> [G, M, N], one XNNPACK call per g. */
const bmm3 = (a: tf.Tensor, b: tf.Tensor) => runWasm(WASM_KERNELS.batchMatMul, { a, b });

/** bmm. The backward needs a^T and b^T products; each is computed the way that transposes the fewest elements:
 *  e.g. for attention's probs @ v, dv = probs^T @ dy would transpose the big probs [T, Tk], while
 *  dv^T = dy^T @ probs transposes only the small dy [T, dh] and dv^T [dh, Tk]. */
function bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
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

/** Row sums by id as a product with the one-hot matrix (wasm has no UnsortedSegmentSum): x [N, d] -> [V, d]. */
const sumRowsById = (x: tf.Tensor2D, ids: tf.Tensor1D, V: number): tf.Tensor2D =>
  mmTN(tf.oneHot(ids, V).toFloat() as tf.Tensor2D, x);

/** cvmm: row permutations on the heap and one XNNPACK product per expert block, forward and backward, with no
 *  gathers, slices or concats. */
function cvmm(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): tf.Tensor3D {
  const R = x.shape[0],
    S = experts.shape[1],
    dOut = W.shape[2];
  const plan = sortSlots(experts.dataSync() as Int32Array, S, W.shape[0]);
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

/** Row (b*T + t)*H + h of [B, T, H, ...] -> its row (b*H + h)*T + t in the per-head layout [B, H, T, ...]. */
function headRows(B: number, T: number, H: number): Int32Array {
  const rows = new Int32Array(B * T * H);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) for (let h = 0; h < H; h++) rows[(b * T + t) * H + h] = (b * H + h) * T + t;
  return rows;
}

/** moeIn fused: slot (n, h, j) adds into row n*H + h's place in the per-head layout, k slots per output row. */
function moeIn(x: tf.Tensor2D, experts: tf.Tensor2D, gates: tf.Tensor, W: tf.Tensor3D, { B, T }: HeadsLayout) {
  const [, H, k] = gates.shape as number[];
  const y = cvmmGatedSum(x, experts, gates, W, k, { outRows: headRows(B, T, H) }); // [B*H*T, dh]
  return y.reshape([B, H, T, -1]); // [B, H, T, dh]
}

/** moeOut fused: row (n, h) of u is read in place from the per-head layout; H*k slots per token. */
function moeOut(u: tf.Tensor, experts: tf.Tensor2D, gates: tf.Tensor, W: tf.Tensor3D): tf.Tensor {
  const [B, H, T] = u.shape as number[];
  const k = gates.shape[2]!;
  const rows = u.reshape([B * H * T, -1]) as tf.Tensor2D; // [B*H*T, dh]
  return cvmmGatedSum(rows, experts, gates, W, H * k, { xRows: headRows(B, T, H) }); // [B*T, d]
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
  if (tf.getBackend() !== 'wasm') throw new Error('cvmmGatedSum: wasm backend only (use cvmm elsewhere)');
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

const WASM_IMPLS: Partial<Kernels> = { mmNT, mmTN, linear2d, bmm, sumRowsById, cvmm, moeIn, moeOut };

// Gated expert sums for tfjs-backend-wasm: the MoE projections of SPEC §1 with the gate weighting and the slot
// reduction fused in (engine/ops/cvmm.ts `cvmmGatedSum` wires the gradient).
//
// Slots (r, s) of x [R, dIn], sorted by expert: m -> row rows[m], slot order[m]; expert e owns m in
// offsets[e]..offsets[e+1]. Slot `slot` adds gates[slot] * (x[r] @ W[e]) into output row slotOut[slot] (the caller's
// layout: e.g. floor(slot / slotsPerOut), or that row's place in a per-head layout).
// Each expert block goes through small scratch buffers (at most the largest block), so neither the gathered
// inputs nor the per-slot outputs are materialised whole. All loops run on one float view of the wasm heap.
import type * as tf from '@tensorflow/tfjs';
import { at, F32, heap, ptr, scratch, xnnMatMul, type Kernel, type KernelArgs, type WasmBackend } from './wasm_heap';

interface GatedPlan {
  rows: Int32Array;
  order: Int32Array;
  offsets: number[];
  slotOut: Int32Array; // slot -> output row
}

/** Narrow outputs (dOut < dIn, SwitchHead's V side): the forward keeps y [M, dOut] per slot, so the gate gradient
 *  is y . dy over dOut instead of x . (dy W^T) over dIn. */
const narrowOutputs = (dIn: number, dOut: number) => dOut < dIn;

const maxBlock = (offsets: number[]) => offsets.slice(1).reduce((m, o, e) => Math.max(m, o - offsets[e]!), 0);

/** h[dst + i*d ..] = h[src + idx[m0 + i]*d ..] for i < n: rows of one tensor into a block of another. */
function gatherRows(h: Float32Array, src: number, dst: number, idx: Int32Array, m0: number, n: number, d: number): void {
  for (let i = 0; i < n; i++) {
    const s = src + idx[m0 + i]! * d;
    h.copyWithin(dst + i * d, s, s + d);
  }
}

/** Transposed gather: h[dst + c*n + i] = h[src + idx[m0 + i]*d + c] for i < n, c < d (a [d, n] block). */
function gatherRowsT(h: Float32Array, src: number, dst: number, idx: Int32Array, m0: number, n: number, d: number): void {
  for (let i = 0; i < n; i++) {
    const s = src + idx[m0 + i]! * d;
    for (let c = 0; c < d; c++) h[dst + c * n + i] = h[s + c]!;
  }
}

/** out [nOut, dOut] = sum over slots of gate * x[r] @ W[e]. Inputs x [R, dIn], w [E, dIn, dOut], gates [R*S].
 *  For narrow outputs also returns y [M, dOut] = x[r] @ W[e] per slot, in expert order. */
export const gatedForward = (({ inputs: { x, w, gates }, backend, attrs }: KernelArgs): tf.TensorInfo[] => {
  const be = backend as WasmBackend;
  const { rows, order, offsets, slotOut } = attrs as unknown as GatedPlan;
  const nOut = attrs!.nOut as number;
  const dIn = x!.shape[1]!, dOut = w!.shape[2]!;
  const keepY = narrowOutputs(dIn, dOut), nMax = maxBlock(offsets);
  const out = be.makeOutput([nOut, dOut], 'float32');
  const xs = scratch(be, nMax, dIn), ys = keepY ? be.makeOutput([order.length, dOut], 'float32') : scratch(be, nMax, dOut);
  heap(be).fill(0, at(be, out), at(be, out) + nOut * dOut);
  for (let e = 0; e + 1 < offsets.length; e++) {
    const m0 = offsets[e]!, n = offsets[e + 1]! - m0;
    if (n === 0) continue;
    gatherRows(heap(be), at(be, x!), at(be, xs), rows, m0, n, dIn); // [n, dIn]
    const y0 = keepY ? m0 : 0; // ys row of this block's first slot
    xnnMatMul(be, ptr(be, xs), ptr(be, w!) + e * dIn * dOut * F32, ptr(be, ys) + y0 * dOut * F32, n, dIn, dOut); // [n, dOut]
    const h = heap(be), g = at(be, gates!), o = at(be, out), y = at(be, ys) + y0 * dOut;
    for (let i = 0; i < n; i++) {
      const slot = order[m0 + i]!, gate = h[g + slot]!, dst = o + slotOut[slot]! * dOut, src = y + i * dOut;
      for (let c = 0; c < dOut; c++) h[dst + c] += gate * h[src + c]!;
    }
  }
  be.disposeData(xs.dataId);
  if (keepY) return [out, ys];
  be.disposeData(ys.dataId);
  return [out];
}) as unknown as Kernel;

/** Backward of gatedForward. Inputs x, wT [E, dOut, dIn], gates, dy [nOut, dOut], and ys for narrow outputs ->
 *  dx [R, dIn], dgates [R*S], dW [E, dIn, dOut]. Per expert block (XNNPACK packs the right operand of each product,
 *  so the big [n, wide] operands go on the left or are made by a transposed gather):
 *    narrow: dys = gate*dy rows; dgate = y . dy; G = dys @ W_e^T [n, dIn]; dx += G;       dW_e = xs^T @ dys
 *    wide:   dys = dy rows;      G = dys @ W_e^T;  dgate = xs . G;    dx += gate*G;      dW_e = (gate*xs)^T @ dys */
export const gatedBackward = (({ inputs: { x, wT, gates, dy, ys }, backend, attrs }: KernelArgs): tf.TensorInfo[] => {
  const be = backend as WasmBackend;
  const { rows, order, offsets, slotOut } = attrs as unknown as GatedPlan;
  const [R, dIn] = x!.shape as [number, number], [E, dOut] = wT!.shape as [number, number];
  const narrow = narrowOutputs(dIn, dOut);
  if (narrow !== (ys !== undefined)) throw new Error('gatedBackward: ys must be given exactly for narrow outputs');
  const dx = be.makeOutput([R, dIn], 'float32'), dg = be.makeOutput([order.length], 'float32');
  const dW = be.makeOutput([E, dIn, dOut], 'float32');
  const nMax = maxBlock(offsets);
  const dys = scratch(be, nMax, dOut), G = scratch(be, nMax, dIn), xs = scratch(be, nMax, dIn), opT = scratch(be, narrow ? 0 : dIn, nMax);
  heap(be).fill(0, at(be, dx), at(be, dx) + R * dIn);
  for (let e = 0; e < E; e++) {
    const m0 = offsets[e]!, n = offsets[e + 1]! - m0, wOff = e * dIn * dOut;
    if (n === 0) {
      heap(be).fill(0, at(be, dW) + wOff, at(be, dW) + wOff + dIn * dOut);
      continue;
    }
    const h = heap(be), a = { dy: at(be, dy!), dys: at(be, dys), x: at(be, x!), xs: at(be, xs), g: at(be, gates!), dg: at(be, dg), opT: at(be, opT), ys: ys ? at(be, ys) : 0 };
    if (narrow) gatherRowsT(h, a.x, a.xs, rows, m0, n, dIn); // xs^T [dIn, n]
    else gatherRows(h, a.x, a.xs, rows, m0, n, dIn); // [n, dIn]
    for (let i = 0; i < n; i++) {
      const slot = order[m0 + i]!, gate = h[a.g + slot]!, src = a.dy + slotOut[slot]! * dOut, dst = a.dys + i * dOut;
      if (narrow) {
        const y = a.ys + (m0 + i) * dOut;
        let dot = 0;
        for (let c = 0; c < dOut; c++) {
          const v = h[src + c]!, gv = gate * v;
          dot += h[y + c]! * v;
          h[dst + c] = gv; // [n, dOut], gated
        }
        h[a.dg + slot] = dot;
      } else {
        h.copyWithin(dst, src, src + dOut); // [n, dOut], ungated
        const xr = a.xs + i * dIn;
        for (let c = 0; c < dIn; c++) h[a.opT + c * n + i] = gate * h[xr + c]!; // [dIn, n], gated
      }
    }
    xnnMatMul(be, ptr(be, dys), ptr(be, wT!) + e * dOut * dIn * F32, ptr(be, G), n, dOut, dIn); // [n, dIn] = dys W_e^T
    const hh = heap(be), b = { G: at(be, G), dx: at(be, dx), xs: at(be, xs), g: at(be, gates!), dg: at(be, dg) };
    for (let i = 0; i < n; i++) {
      const gi = b.G + i * dIn, xo = b.dx + rows[m0 + i]! * dIn;
      if (narrow) for (let c = 0; c < dIn; c++) hh[xo + c] += hh[gi + c]!;
      else {
        const slot = order[m0 + i]!, gate = hh[b.g + slot]!, xr = b.xs + i * dIn;
        let dot = 0;
        for (let c = 0; c < dIn; c++) {
          const gc = hh[gi + c]!;
          dot += hh[xr + c]! * gc;
          hh[xo + c] += gate * gc;
        }
        hh[b.dg + slot] = dot;
      }
    }
    if (narrow) xnnMatMul(be, ptr(be, xs), ptr(be, dys), ptr(be, dW) + wOff * F32, dIn, n, dOut); // [dIn, dOut] = xs^T dys
    else xnnMatMul(be, ptr(be, opT), ptr(be, dys), ptr(be, dW) + wOff * F32, dIn, n, dOut); // [dIn, dOut]
  }
  for (const t of [dys, G, xs, opT]) be.disposeData(t.dataId);
  return [dx, dg, dW];
}) as unknown as Kernel;

// Gated expert sums for tfjs-backend-wasm: the MoE projections of SPEC §1 with the gate weighting and the slot
// reduction fused in (engine/ops/wasm-ops.ts `cvmmGatedSum` wires the gradient).
//
// Slots (r, s) of x [R, dIn], sorted by expert: m -> row rows[m], slot order[m]; expert e owns m in
// offsets[e]..offsets[e+1]. Slot `slot` adds gates[slot] * (x[r] @ W[e]) into output row slotOut[slot] (the caller's
// layout: e.g. floor(slot / slotsPerOut), or that row's place in a per-head layout).
// Each expert block goes through small scratch buffers (at most the largest block), so neither the gathered
// inputs nor the per-slot outputs are materialised whole. All loops run on one float view of the wasm heap.
// The per-row loops are small standalone functions (V8 optimises them on their own) and the longest ones are
// unrolled by four (scatter-adds, gated adds, the transposed gather four rows at a time): the V side's JS work went from about 25 to 18 ms.
import type * as tf from '@tensorflow/tfjs';
import { at, F32, heap, ptr, scratch, xnnMatMul, type Kernel, type KernelArgs, type WasmBackend } from './wasm-heap';

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
function gatherRows(
  h: Float32Array,
  src: number,
  dst: number,
  idx: Int32Array,
  m0: number,
  n: number,
  d: number,
): void {
  for (let i = 0; i < n; i++) {
    const s = src + idx[m0 + i]! * d;
    h.copyWithin(dst + i * d, s, s + d);
  }
}

/** Transposed gather: h[dst + c*n + i] = h[src + idx[m0 + i]*d + c] for i < n, c < d (a [d, n] block). */
function gatherRowsT(
  h: Float32Array,
  src: number,
  dst: number,
  idx: Int32Array,
  m0: number,
  n: number,
  d: number,
): void {
  const n4 = n - (n % 4);
  let i = 0;
  for (; i < n4; i += 4) {
    // four rows at a time: each write lands next to the previous one
    const s0 = src + idx[m0 + i]! * d,
      s1 = src + idx[m0 + i + 1]! * d,
      s2 = src + idx[m0 + i + 2]! * d,
      s3 = src + idx[m0 + i + 3]! * d;
    for (let c = 0, o = dst + i; c < d; c++, o += n) {
      h[o] = h[s0 + c]!;
      h[o + 1] = h[s1 + c]!;
      h[o + 2] = h[s2 + c]!;
      h[o + 3] = h[s3 + c]!;
    }
  }
  for (; i < n; i++) {
    const s = src + idx[m0 + i]! * d;
    for (let c = 0; c < d; c++) h[dst + c * n + i] = h[s + c]!;
  }
}

/** Forward, per slot i of a block: out[out row] += gate * y[i]. */
function gatedAddRows(
  h: Float32Array,
  y: number,
  out: number,
  g: number,
  order: Int32Array,
  m0: number,
  n: number,
  slotOut: Int32Array,
  d: number,
): void {
  const d4 = d - (d % 4);
  for (let i = 0; i < n; i++) {
    const slot = order[m0 + i]!,
      gate = h[g + slot]!,
      dst = out + slotOut[slot]! * d,
      src = y + i * d;
    let c = 0;
    for (; c < d4; c += 4) {
      h[dst + c] += gate * h[src + c]!;
      h[dst + c + 1] += gate * h[src + c + 1]!;
      h[dst + c + 2] += gate * h[src + c + 2]!;
      h[dst + c + 3] += gate * h[src + c + 3]!;
    }
    for (; c < d; c++) h[dst + c] += gate * h[src + c]!;
  }
}

/** Narrow backward, per slot i of a block: dys[i] = gate * dy[out row]; dgate = y[i] . dy[out row]. */
function gatedRowsDot(
  h: Float32Array,
  dy: number,
  dys: number,
  y: number,
  g: number,
  dg: number,
  order: Int32Array,
  m0: number,
  n: number,
  slotOut: Int32Array,
  d: number,
): void {
  for (let i = 0; i < n; i++) {
    const slot = order[m0 + i]!,
      gate = h[g + slot]!,
      src = dy + slotOut[slot]! * d,
      dst = dys + i * d,
      yr = y + i * d;
    let dot = 0;
    for (let c = 0; c < d; c++) {
      const v = h[src + c]!;
      dot += h[yr + c]! * v;
      h[dst + c] = gate * v;
    }
    h[dg + slot] = dot;
  }
}

/** Wide backward, per slot i of a block: dys[i] = dy[out row]; opT[:, i] = gate * xs[i] (a [dIn, n] block). */
function slotRowsT(
  h: Float32Array,
  dy: number,
  dys: number,
  xs: number,
  opT: number,
  g: number,
  order: Int32Array,
  m0: number,
  n: number,
  slotOut: Int32Array,
  dOut: number,
  dIn: number,
): void {
  for (let i = 0; i < n; i++) {
    const slot = order[m0 + i]!,
      gate = h[g + slot]!,
      src = dy + slotOut[slot]! * dOut;
    h.copyWithin(dys + i * dOut, src, src + dOut);
    const xr = xs + i * dIn;
    for (let c = 0; c < dIn; c++) h[opT + c * n + i] = gate * h[xr + c]!;
  }
}

/** dx[rows[m0 + i]] += G[i] for i < n (rows of width d). */
function scatterAdd(h: Float32Array, G: number, dx: number, rows: Int32Array, m0: number, n: number, d: number): void {
  const d4 = d - (d % 4);
  for (let i = 0; i < n; i++) {
    const gi = G + i * d,
      xo = dx + rows[m0 + i]! * d;
    let c = 0;
    for (; c < d4; c += 4) {
      h[xo + c] += h[gi + c]!;
      h[xo + c + 1] += h[gi + c + 1]!;
      h[xo + c + 2] += h[gi + c + 2]!;
      h[xo + c + 3] += h[gi + c + 3]!;
    }
    for (; c < d; c++) h[xo + c] += h[gi + c]!;
  }
}

/** Wide backward: dx[rows[m0 + i]] += gate * G[i]; dgate = xs[i] . G[i]. */
function scatterAddGatedDot(
  h: Float32Array,
  G: number,
  dx: number,
  xs: number,
  g: number,
  dg: number,
  rows: Int32Array,
  order: Int32Array,
  m0: number,
  n: number,
  d: number,
): void {
  for (let i = 0; i < n; i++) {
    const slot = order[m0 + i]!,
      gate = h[g + slot]!,
      gi = G + i * d,
      xo = dx + rows[m0 + i]! * d,
      xr = xs + i * d;
    let dot = 0;
    for (let c = 0; c < d; c++) {
      const gc = h[gi + c]!;
      dot += h[xr + c]! * gc;
      h[xo + c] += gate * gc;
    }
    h[dg + slot] = dot;
  }
}

/** out [nOut, dOut] = sum over slots of gate * x[r] @ W[e]. Inputs x [R, dIn], w [E, dIn, dOut], gates [R*S].
 *  For narrow outputs also returns y [M, dOut] = x[r] @ W[e] per slot, in expert order. */
export const gatedForward = (({ inputs: { x, w, gates }, backend, attrs }: KernelArgs): tf.TensorInfo[] => {
  const be = backend as WasmBackend;
  const { rows, order, offsets, slotOut } = attrs as unknown as GatedPlan;
  const nOut = attrs!.nOut as number;
  const dIn = x!.shape[1]!,
    dOut = w!.shape[2]!;
  const keepY = narrowOutputs(dIn, dOut),
    nMax = maxBlock(offsets);
  const out = be.makeOutput([nOut, dOut], 'float32');
  const xs = scratch(be, nMax, dIn),
    ys = keepY ? be.makeOutput([order.length, dOut], 'float32') : scratch(be, nMax, dOut);
  heap(be).fill(0, at(be, out), at(be, out) + nOut * dOut);
  for (let e = 0; e + 1 < offsets.length; e++) {
    const m0 = offsets[e]!,
      n = offsets[e + 1]! - m0;
    if (n === 0) continue;
    gatherRows(heap(be), at(be, x!), at(be, xs), rows, m0, n, dIn); // [n, dIn]
    const y0 = keepY ? m0 : 0; // ys row of this block's first slot
    xnnMatMul(be, ptr(be, xs), ptr(be, w!) + e * dIn * dOut * F32, ptr(be, ys) + y0 * dOut * F32, n, dIn, dOut); // [n, dOut]
    gatedAddRows(heap(be), at(be, ys) + y0 * dOut, at(be, out), at(be, gates!), order, m0, n, slotOut, dOut);
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
  const [R, dIn] = x!.shape as [number, number],
    [E, dOut] = wT!.shape as [number, number];
  const narrow = narrowOutputs(dIn, dOut);
  if (narrow !== (ys !== undefined)) throw new Error('gatedBackward: ys must be given exactly for narrow outputs');
  const dx = be.makeOutput([R, dIn], 'float32'),
    dg = be.makeOutput([order.length], 'float32');
  const dW = be.makeOutput([E, dIn, dOut], 'float32');
  const nMax = maxBlock(offsets);
  const dys = scratch(be, nMax, dOut),
    G = scratch(be, nMax, dIn),
    xs = scratch(be, nMax, dIn),
    opT = scratch(be, narrow ? 0 : dIn, nMax);
  heap(be).fill(0, at(be, dx), at(be, dx) + R * dIn);
  for (let e = 0; e < E; e++) {
    const m0 = offsets[e]!,
      n = offsets[e + 1]! - m0,
      wOff = e * dIn * dOut;
    if (n === 0) {
      heap(be).fill(0, at(be, dW) + wOff, at(be, dW) + wOff + dIn * dOut);
      continue;
    }
    const h = heap(be),
      dyAt = at(be, dy!),
      dysAt = at(be, dys),
      xAt = at(be, x!),
      xsAt = at(be, xs),
      gAt = at(be, gates!),
      dgAt = at(be, dg);
    if (narrow)
      gatherRowsT(h, xAt, xsAt, rows, m0, n, dIn); // xs^T [dIn, n]
    else gatherRows(h, xAt, xsAt, rows, m0, n, dIn); // [n, dIn]
    if (narrow)
      gatedRowsDot(h, dyAt, dysAt, at(be, ys!) + m0 * dOut, gAt, dgAt, order, m0, n, slotOut, dOut); // dys [n, dOut] gated, dgate
    else slotRowsT(h, dyAt, dysAt, xsAt, at(be, opT), gAt, order, m0, n, slotOut, dOut, dIn); // dys [n, dOut], opT [dIn, n] gated
    xnnMatMul(be, ptr(be, dys), ptr(be, wT!) + e * dOut * dIn * F32, ptr(be, G), n, dOut, dIn); // [n, dIn] = dys W_e^T
    const hh = heap(be);
    if (narrow)
      scatterAdd(hh, at(be, G), at(be, dx), rows, m0, n, dIn); // dx[r] += G rows
    else scatterAddGatedDot(hh, at(be, G), at(be, dx), at(be, xs), at(be, gates!), at(be, dg), rows, order, m0, n, dIn);
    if (narrow)
      xnnMatMul(be, ptr(be, xs), ptr(be, dys), ptr(be, dW) + wOff * F32, dIn, n, dOut); // [dIn, dOut] = xs^T dys
    else xnnMatMul(be, ptr(be, opT), ptr(be, dys), ptr(be, dW) + wOff * F32, dIn, n, dOut); // [dIn, dOut]
  }
  for (const t of [dys, G, xs, opT]) be.disposeData(t.dataId);
  return [dx, dg, dW];
}) as unknown as Kernel;

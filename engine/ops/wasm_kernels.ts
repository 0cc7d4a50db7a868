// Kernels of our own for the tfjs wasm backend (ENV.md, "The wasm matMul fast path").
//
// tfjs-wasm multiplies fast (XNNPACK) only a plain 2-D product without transpose flags; anything batched runs a
// naive loop (~1 GFLOP/s). And its Slice copies the *whole* input out of the heap before copying the slice.
// Here every 2-D block of a batched or expert-grouped product goes to XNNPACK through temporary tensor ids that
// alias sub-ranges of the operands' heap memory: no slices, no copies. Row permutations, scatter-adds and
// per-block transposes are plain loops over heap views. Forward kernels only: callers wire gradients with
// customOp (engine/ops/linalg.ts, cvmm.ts). Registered under our own names for backend 'wasm' only.
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm used here (its public class members). */
interface WasmBackend {
  wasm: {
    HEAPU8: Uint8Array;
    cwrap: (name: string, ret: null, args: string[]) => (...a: unknown[]) => void;
    tfjs: { registerTensor: (id: number, size: number, ptr: number) => void; disposeData: (id: number) => void };
  };
  dataIdMap: { get: (dataId: object) => { memoryOffset: number } };
  dataIdNextNumber: number;
  makeOutput: (shape: number[], dtype: 'float32') => tf.TensorInfo;
  disposeData: (dataId: object) => void;
}

const F32 = 4; // bytes per float

let cachedFor: WasmBackend | null = null;
let wasmMatMul: ((...a: unknown[]) => void) | null = null;

/** XNNPACK's product out = a @ b on raw heap ranges: a [M, K], b [K, N], out [M, N] (byte pointers). */
function xnnMatMul(be: WasmBackend, aPtr: number, bPtr: number, outPtr: number, M: number, K: number, N: number): void {
  if (M === 0 || N === 0) return;
  if (cachedFor !== be) {
    wasmMatMul = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    cachedFor = be;
  }
  const shape = (r: number, c: number) => new Uint8Array(new Int32Array([1, r, c]).buffer);
  const ids = [be.dataIdNextNumber++, be.dataIdNextNumber++, be.dataIdNextNumber++];
  be.wasm.tfjs.registerTensor(ids[0]!, M * K, aPtr);
  be.wasm.tfjs.registerTensor(ids[1]!, K * N, bPtr); // XNNPACK caches packed weights per id; disposing drops them
  be.wasm.tfjs.registerTensor(ids[2]!, M * N, outPtr);
  try {
    wasmMatMul!(ids[0], shape(M, K), 3, ids[1], shape(K, N), 3, 0, 0, ids[2]);
  } finally {
    for (const id of ids) be.wasm.tfjs.disposeData(id);
  }
}

const ptr = (be: WasmBackend, t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
const view = (be: WasmBackend, t: tf.TensorInfo, size: number) => new Float32Array(be.wasm.HEAPU8.buffer, ptr(be, t), size);
const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Float32 views of tensors on the wasm heap. Any allocation (a new tensor, XNNPACK packing weights) may grow the
 *  heap and detach earlier views, so kernels take them again after each allocation or XNNPACK call. */
function views<K extends string>(be: WasmBackend, ts: Record<K, tf.TensorInfo>): Record<K, Float32Array> {
  const out = {} as Record<K, Float32Array>;
  for (const k in ts) out[k] = view(be, ts[k], numel(ts[k].shape as number[]));
  return out;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type Kernel = (args: KernelArgs) => tf.TensorInfo;

/** a [G, M, K] @ b [G or 1, K, N] -> [G, M, N]: one XNNPACK product per g. */
const batchMatMul: Kernel = ({ inputs: { a, b }, backend }) => {
  const be = backend as WasmBackend;
  const [G, M, K] = a!.shape as number[], [Gb, , N] = b!.shape as number[];
  const out = be.makeOutput([G!, M!, N!], 'float32');
  for (let g = 0; g < G!; g++)
    xnnMatMul(be, ptr(be, a!) + g * M! * K! * F32, ptr(be, b!) + (Gb === 1 ? 0 : g * K! * N! * F32), ptr(be, out) + g * M! * N! * F32, M!, K!, N!);
  return out;
};

/** Rows in segments: a [M, K], w [E, K, N], offsets [E+1] -> out [M, N], rows offsets[e]..offsets[e+1] times w[e]. */
const segmentMatMul: Kernel = ({ inputs: { a, w }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const offsets = attrs!.offsets as number[];
  const [M, K] = a!.shape as number[], [, , N] = w!.shape as number[];
  const out = be.makeOutput([M!, N!], 'float32');
  for (let e = 0; e + 1 < offsets.length; e++) {
    const n = offsets[e + 1]! - offsets[e]!;
    xnnMatMul(be, ptr(be, a!) + offsets[e]! * K! * F32, ptr(be, w!) + e * K! * N! * F32, ptr(be, out) + offsets[e]! * N! * F32, n, K!, N!);
  }
  return out;
};

/** Per segment a_e^T @ dy_e: a [M, K], dy [M, N], offsets [E+1] -> [E, K, N] (zeros for empty segments). */
const segmentOuter: Kernel = ({ inputs: { a, dy }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const offsets = attrs!.offsets as number[];
  const [M, K] = a!.shape as number[], [, N] = dy!.shape as number[];
  const E = offsets.length - 1;
  const out = be.makeOutput([E, K!, N!], 'float32');
  const aT = be.makeOutput([K!, M!], 'float32'); // scratch: each segment's a_e^T [K, n_e], laid out one after another
  for (let e = 0; e < E; e++) {
    const r0 = offsets[e]!, n = offsets[e + 1]! - r0;
    const v = views(be, { a: a!, aT, out });
    if (n === 0) {
      v.out.fill(0, e * K! * N!, (e + 1) * K! * N!);
      continue;
    }
    const base = r0 * K!;
    for (let r = 0; r < n; r++) for (let c = 0; c < K!; c++) v.aT[base + c * n + r] = v.a[base + r * K! + c]!;
    xnnMatMul(be, ptr(be, aT) + base * F32, ptr(be, dy!) + r0 * N! * F32, ptr(be, out) + e * K! * N! * F32, K!, n, N!);
  }
  be.disposeData(aT.dataId);
  return out;
};

/** out[i] = x[rows[i]]: x [R, d], rows [n] -> [n, d]. */
const permuteRows: Kernel = ({ inputs: { x }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const rows = attrs!.rows as unknown as Int32Array;
  const [R, d] = x!.shape as number[];
  const out = be.makeOutput([rows.length, d!], 'float32');
  const src = view(be, x!, R! * d!), dst = view(be, out, rows.length * d!);
  for (let i = 0; i < rows.length; i++) dst.set(src.subarray(rows[i]! * d!, (rows[i]! + 1) * d!), i * d!);
  return out;
};

/** out[rows[i]] += y[i]: y [n, d], rows [n], R -> [R, d] (rows never hit stay zero). */
const scatterAddRows: Kernel = ({ inputs: { y }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const rows = attrs!.rows as unknown as Int32Array;
  const R = attrs!.R as number;
  const [n, d] = y!.shape as number[];
  const out = be.makeOutput([R, d!], 'float32');
  const src = view(be, y!, n! * d!), dst = view(be, out, R * d!);
  dst.fill(0);
  for (let i = 0; i < n!; i++) {
    const o = rows[i]! * d!, s = i * d!;
    for (let c = 0; c < d!; c++) dst[o + c] += src[s + c]!;
  }
  return out;
};

// ---- Gated expert sums (the MoE projections, SPEC §1) ----
// Slots (r, s) of x [R, dIn], sorted by expert: m -> row rows[m], slot order[m]; expert e owns m in
// offsets[e]..offsets[e+1]. Slot `slot` adds gates[slot] * (x[r] @ W[e]) into output row floor(slot / slotsPerOut).
// Each expert block goes through small scratch buffers (at most the largest block), so neither the gathered
// inputs nor the per-slot outputs are ever materialised whole.

interface GatedPlan {
  rows: Int32Array;
  order: Int32Array;
  offsets: number[];
  slotsPerOut: number;
}

/** A temporary float buffer of rows * cols (at least 1) on the heap: kernel scratch, freed by the kernel. */
function scratch(be: WasmBackend, rows: number, cols: number): tf.TensorInfo {
  return be.makeOutput([Math.max(rows * cols, 1)], 'float32');
}

const maxBlock = (offsets: number[]) => offsets.slice(1).reduce((m, o, e) => Math.max(m, o - offsets[e]!), 0);

/** Copy rows src[idx[m]] for m in [m0, m1) into dst (row length d). */
function gather(src: Float32Array, dst: Float32Array, idx: (m: number) => number, m0: number, m1: number, d: number) {
  for (let m = m0; m < m1; m++) dst.set(src.subarray(idx(m) * d, idx(m) * d + d), (m - m0) * d);
}

/** out [nOut, dOut] = sum over slots of gate * x[r] @ W[e]. Inputs x [R, dIn], W [E, dIn, dOut], gates [R*S].
 *  With attrs.keepY also returns y [M, dOut] = x[r] @ W[e] per slot in expert order, for a cheap gate gradient. */
const gatedForward = (({ inputs: { x, w, gates }, backend, attrs }: KernelArgs): tf.TensorInfo[] => {
  const be = backend as WasmBackend;
  const { rows, order, offsets, slotsPerOut } = attrs as unknown as GatedPlan;
  const nOut = attrs!.nOut as number;
  const [R, dIn] = x!.shape as number[], [, , dOut] = w!.shape as number[];
  const out = be.makeOutput([nOut, dOut!], 'float32');
  const nMax = maxBlock(offsets), keepY = attrs!.keepY === true;
  const xs = scratch(be, nMax, dIn!), ys = keepY ? be.makeOutput([order.length, dOut!], 'float32') : scratch(be, nMax, dOut!);
  views(be, { out }).out.fill(0);
  for (let e = 0; e + 1 < offsets.length; e++) {
    const m0 = offsets[e]!, n = offsets[e + 1]! - m0;
    if (n === 0) continue;
    const v = views(be, { x: x!, xs });
    gather(v.x, v.xs, (m) => rows[m]!, m0, m0 + n, dIn!); // [n, dIn]
    const y0 = keepY ? m0 : 0; // ys row of this block's first slot
    xnnMatMul(be, ptr(be, xs), ptr(be, w!) + e * dIn! * dOut! * F32, ptr(be, ys) + y0 * dOut! * F32, n, dIn!, dOut!); // [n, dOut]
    const u = views(be, { ys, out, gates: gates! });
    for (let i = 0; i < n; i++) {
      const slot = order[m0 + i]!, gate = u.gates[slot]!, dst = Math.floor(slot / slotsPerOut) * dOut!, src = (y0 + i) * dOut!;
      for (let c = 0; c < dOut!; c++) u.out[dst + c] += gate * u.ys[src + c]!;
    }
  }
  be.disposeData(xs.dataId);
  if (keepY) return [out, ys];
  be.disposeData(ys.dataId);
  return [out];
}) as unknown as Kernel;

/** Backward of gatedForward. Inputs x, wT [E, dOut, dIn], gates, dy [nOut, dOut] (and ys when the forward kept
 *  them: then dgate = y . dy over dOut instead of x . (dy W^T) over dIn) -> dx [R, dIn], dgates [R*S], dW [E, dIn, dOut]. */
const gatedBackward = (({ inputs: { x, wT, gates, dy, ys }, backend, attrs }: KernelArgs): tf.TensorInfo[] => {
  const be = backend as WasmBackend;
  const { rows, order, offsets, slotsPerOut } = attrs as unknown as GatedPlan;
  const [R, dIn] = x!.shape as number[], [E, dOut] = wT!.shape as number[];
  const S = order.length;
  const dx = be.makeOutput([R!, dIn!], 'float32'), dg = be.makeOutput([S], 'float32'), dW = be.makeOutput([E!, dIn!, dOut!], 'float32');
  const nMax = maxBlock(offsets);
  const dys = scratch(be, nMax, dOut!), G = scratch(be, nMax, dIn!), xs = scratch(be, nMax, dIn!);
  // dW_e = xs_e^T @ (gate * dys_e). Transpose whichever operand is narrower: xs_e [n, dIn] directly, or else
  // compute dW_e^T = (gate * dys_e)^T @ xs_e and transpose that small [dOut, dIn] result.
  const viaT = dOut! < dIn!;
  const opT = scratch(be, viaT ? dOut! : dIn!, nMax), dWT = scratch(be, viaT ? dOut! * dIn! : 0, 1);
  views(be, { dx }).dx.fill(0);
  for (let e = 0; e < E!; e++) {
    const m0 = offsets[e]!, n = offsets[e + 1]! - m0, wOff = e * dIn! * dOut!;
    if (n === 0) {
      views(be, { dW }).dW.fill(0, wOff, wOff + dIn! * dOut!);
      continue;
    }
    const a = views(be, { dy: dy!, dys, x: x!, xs });
    gather(a.dy, a.dys, (m) => Math.floor(order[m]! / slotsPerOut), m0, m0 + n, dOut!); // [n, dOut], ungated
    gather(a.x, a.xs, (m) => rows[m]!, m0, m0 + n, dIn!); // [n, dIn]
    xnnMatMul(be, ptr(be, dys), ptr(be, wT!) + e * dOut! * dIn! * F32, ptr(be, G), n, dOut!, dIn!); // [n, dIn] = dy W_e^T
    const { xs: xsv, G: Gv, dx: dxv, dg: dgv, gates: gv, dys: dysv, opT: opTv } = views(be, { xs, G, dx, dg, gates: gates!, dys, opT });
    const ysv = ys ? views(be, { ys }).ys : null;
    for (let i = 0; i < n; i++) {
      const slot = order[m0 + i]!, gate = gv[slot]!, gi = i * dIn!, xo = rows[m0 + i]! * dIn!, yo = i * dOut!;
      let dot = 0;
      if (ysv) {
        const y = (m0 + i) * dOut!;
        for (let c = 0; c < dOut!; c++) dot += ysv[y + c]! * dysv[yo + c]!;
        for (let c = 0; c < dIn!; c++) dxv[xo + c] += gate * Gv[gi + c]!;
      } else
        for (let c = 0; c < dIn!; c++) {
          const gc = Gv[gi + c]!;
          dot += xsv[gi + c]! * gc;
          dxv[xo + c] += gate * gc;
        }
      dgv[slot] = dot;
      if (viaT) for (let c = 0; c < dOut!; c++) opTv[c * n + i] = gate * dysv[yo + c]!; // [dOut, n], gated
      else {
        for (let c = 0; c < dOut!; c++) dysv[yo + c] *= gate; // gated dy
        for (let c = 0; c < dIn!; c++) opTv[c * n + i] = xsv[gi + c]!; // [dIn, n]
      }
    }
    if (!viaT) xnnMatMul(be, ptr(be, opT), ptr(be, dys), ptr(be, dW) + wOff * F32, dIn!, n, dOut!); // [dIn, dOut]
    else {
      xnnMatMul(be, ptr(be, opT), ptr(be, xs), ptr(be, dWT), dOut!, n, dIn!); // [dOut, dIn]
      const t = views(be, { dW, dWT });
      for (let r = 0; r < dIn!; r++) for (let c = 0; c < dOut!; c++) t.dW[wOff + r * dOut! + c] = t.dWT[c * dIn! + r]!;
    }
  }
  for (const t of [dys, G, xs, opT, dWT]) be.disposeData(t.dataId);
  return [dx, dg, dW];
}) as unknown as Kernel;

/** tfjs-wasm's Slice, minus the copy of the whole input (it reads it with readSync). Same semantics. */
const slice: Kernel = ({ inputs: { x }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.TensorInfo as tf.Tensor, attrs!.begin as number[], attrs!.size as number[]);
  const shape = x!.shape as number[];
  const out = be.makeOutput(size, x!.dtype as 'float32'); // same element size (4 bytes) for float32, int32
  const src = new Int32Array(be.wasm.HEAPU8.buffer, ptr(be, x!), numel(shape)), dst = new Int32Array(be.wasm.HEAPU8.buffer, ptr(be, out), numel(size));
  const strides = tf.util.computeStrides(shape);
  const inner = size.length ? size[size.length - 1]! : 1;
  const count = numel(size) / Math.max(inner, 1);
  const idx = new Array<number>(size.length).fill(0);
  for (let row = 0; row < count && inner > 0; row++) {
    let off = begin.length ? begin[begin.length - 1]! : 0;
    for (let i = 0; i + 1 < size.length; i++) off += (begin[i]! + idx[i]!) * strides[i]!;
    dst.set(src.subarray(off, off + inner), row * inner);
    for (let i = size.length - 2; i >= 0; i--) { // next row index, last-but-one axis fastest
      if (++idx[i]! < size[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
};

export const WASM_KERNELS = { batchMatMul: 'ShBatchMatMul', segmentMatMul: 'ShSegmentMatMul', segmentOuter: 'ShSegmentOuter', permuteRows: 'ShPermuteRows', scatterAddRows: 'ShScatterAddRows', gatedForward: 'ShCvmmGatedForward', gatedBackward: 'ShCvmmGatedBackward' } as const;

let registered = false, slicePatched = false;
/** Register the kernels above for 'wasm' (idempotent), and replace wasm's Slice and Identity (once the wasm
 *  backend's own kernels are registered). */
export function registerWasmKernels(): void {
  if (!registered) registerOwn();
  if (!slicePatched) patchBuiltins();
}

function registerOwn(): void {
  registered = true;
  const reg = (kernelName: string, kernelFunc: Kernel) => tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  reg(WASM_KERNELS.batchMatMul, batchMatMul);
  reg(WASM_KERNELS.segmentMatMul, segmentMatMul);
  reg(WASM_KERNELS.segmentOuter, segmentOuter);
  reg(WASM_KERNELS.permuteRows, permuteRows);
  reg(WASM_KERNELS.scatterAddRows, scatterAddRows);
  reg(WASM_KERNELS.gatedForward, gatedForward);
  reg(WASM_KERNELS.gatedBackward, gatedBackward);
}

/** Identity shares the buffer (as tfjs-backend-cpu does) instead of copying it: tensors are immutable, and the
 *  engine clones every tensor it saves for a gradient through this kernel. */
const identity: Kernel = ({ inputs: { x }, backend }) => {
  (backend as { incRef: (d: object) => void }).incRef(x!.dataId);
  return { dataId: x!.dataId, shape: x!.shape, dtype: x!.dtype };
};

function patchBuiltins(): void {
  const originalIdentity = tf.getKernel('Identity', 'wasm');
  if (originalIdentity) {
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel({ ...originalIdentity, kernelFunc: ((args: Parameters<Kernel>[0]) => (args.inputs.x!.dtype === 'string' ? (originalIdentity.kernelFunc as unknown as Kernel)(args) : identity(args))) as unknown as tf.KernelFunc });
  }
  const original = tf.getKernel('Slice', 'wasm');
  if (original) {
    slicePatched = true;
    tf.unregisterKernel('Slice', 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: ((args: Parameters<Kernel>[0]) =>
        args.inputs.x!.dtype === 'float32' || args.inputs.x!.dtype === 'int32' ? slice(args) : (original.kernelFunc as unknown as Kernel)(args)) as unknown as tf.KernelFunc,
    });
  }
}

/** Run one of our wasm kernels. */
export function runWasm(kernel: (typeof WASM_KERNELS)[keyof typeof WASM_KERNELS], inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor {
  registerWasmKernels();
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** Same for kernels with several outputs. */
export function runWasmMulti(kernel: (typeof WASM_KERNELS)[keyof typeof WASM_KERNELS], inputs: tf.NamedTensorMap, attrs: Record<string, unknown> = {}): tf.Tensor[] {
  registerWasmKernels();
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
}

/** True on the wasm backend, with the kernels above registered (call before choosing a wasm-only path). */
export function useWasmKernels(): boolean {
  if (tf.getBackend() !== 'wasm') return false;
  registerWasmKernels();
  return true;
}

// Batched and expert-grouped products for tfjs-backend-wasm (ENV.md, "The wasm matMul fast path"): tfjs-wasm runs
// only a plain 2-D product without transpose flags at XNNPACK speed, anything batched in a naive loop (~1 GFLOP/s).
// Here each 2-D block goes to XNNPACK on heap sub-ranges; row permutations and scatter-adds are loops over the heap.
// Forward kernels only: callers wire gradients with customOp (engine/ops/linalg.ts, cvmm.ts).
import { at, F32, heap, ptr, xnnMatMul, type Kernel, type WasmBackend } from './wasm-heap';

/** a [G, M, K] @ b [G or 1, K, N] -> [G, M, N]: one XNNPACK product per g. */
export const batchMatMul: Kernel = ({ inputs: { a, b }, backend }) => {
  const be = backend as WasmBackend;
  const [G, M, K] = a!.shape as number[],
    [Gb, , N] = b!.shape as number[];
  const out = be.makeOutput([G!, M!, N!], 'float32');
  for (let g = 0; g < G!; g++)
    xnnMatMul(
      be,
      ptr(be, a!) + g * M! * K! * F32,
      ptr(be, b!) + (Gb === 1 ? 0 : g * K! * N! * F32),
      ptr(be, out) + g * M! * N! * F32,
      M!,
      K!,
      N!,
    );
  return out;
};

/** Rows in segments: a [M, K], w [E, K, N], offsets [E+1] -> out [M, N], rows offsets[e]..offsets[e+1] times w[e]. */
export const segmentMatMul: Kernel = ({ inputs: { a, w }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const offsets = attrs!.offsets as number[];
  const [M, K] = a!.shape as number[],
    [, , N] = w!.shape as number[];
  const out = be.makeOutput([M!, N!], 'float32');
  for (let e = 0; e + 1 < offsets.length; e++) {
    const n = offsets[e + 1]! - offsets[e]!;
    xnnMatMul(
      be,
      ptr(be, a!) + offsets[e]! * K! * F32,
      ptr(be, w!) + e * K! * N! * F32,
      ptr(be, out) + offsets[e]! * N! * F32,
      n,
      K!,
      N!,
    );
  }
  return out;
};

/** Per segment a_e^T @ dy_e: a [M, K], dy [M, N], offsets [E+1] -> [E, K, N] (zeros for empty segments). */
export const segmentOuter: Kernel = ({ inputs: { a, dy }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const offsets = attrs!.offsets as number[];
  const [M, K] = a!.shape as number[],
    [, N] = dy!.shape as number[];
  const E = offsets.length - 1;
  const out = be.makeOutput([E, K!, N!], 'float32');
  const aT = be.makeOutput([K!, M!], 'float32'); // scratch: each segment's a_e^T [K, n_e], laid out one after another
  for (let e = 0; e < E; e++) {
    const r0 = offsets[e]!,
      n = offsets[e + 1]! - r0;
    const h = heap(be),
      o = at(be, out);
    if (n === 0) {
      h.fill(0, o + e * K! * N!, o + (e + 1) * K! * N!);
      continue;
    }
    const base = r0 * K!,
      src = at(be, a!) + base,
      dst = at(be, aT) + base;
    for (let r = 0; r < n; r++) for (let c = 0; c < K!; c++) h[dst + c * n + r] = h[src + r * K! + c]!;
    xnnMatMul(be, ptr(be, aT) + base * F32, ptr(be, dy!) + r0 * N! * F32, ptr(be, out) + e * K! * N! * F32, K!, n, N!);
  }
  be.disposeData(aT.dataId);
  return out;
};

/** out[i] = x[rows[i]]: x [R, d], rows [n] -> [n, d]. */
export const permuteRows: Kernel = ({ inputs: { x }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const rows = attrs!.rows as unknown as Int32Array;
  const d = x!.shape[1]!;
  const out = be.makeOutput([rows.length, d], 'float32');
  const h = heap(be),
    src = at(be, x!),
    dst = at(be, out);
  for (let i = 0; i < rows.length; i++) h.copyWithin(dst + i * d, src + rows[i]! * d, src + (rows[i]! + 1) * d);
  return out;
};

/** out[rows[i]] += y[i]: y [n, d], rows [n], R -> [R, d] (rows never hit stay zero). */
export const scatterAddRows: Kernel = ({ inputs: { y }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const rows = attrs!.rows as unknown as Int32Array;
  const R = attrs!.R as number;
  const [n, d] = y!.shape as number[];
  const out = be.makeOutput([R, d!], 'float32');
  const h = heap(be),
    src = at(be, y!),
    dst = at(be, out);
  h.fill(0, dst, dst + R * d!);
  for (let i = 0; i < n!; i++) {
    const o = dst + rows[i]! * d!,
      s = src + i * d!;
    for (let c = 0; c < d!; c++) h[o + c] += h[s + c]!;
  }
  return out;
};

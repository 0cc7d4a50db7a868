// One registry of kernel implementations per backend, as tfjs registers kernel configs per backend. Each op below is
// called through its public function (linalg.ts, cvmm.ts), which runs the implementation registered for the active
// backend, or the portable tfjs one next to it. Nothing else tests the backend. Registered where each backend is
// set up (engine/backend.ts):
//   wasm    wasm-ops.ts: flag-free 2-D products (ENV.md: tfjs-wasm is fast only for those), batched and per-expert
//           products on the heap, the fused gated MoE projections (wasm-kernels.ts registers the tfjs kernels)
//   webgpu  engine/webgpu: cvmm by our WGSL kernels
//   cpu     the portable implementations only
import * as tf from '@tensorflow/tfjs';

/** Heads layout of an MoE input projection's output: N = B * T rows become [B, H, T, dh]. */
export interface HeadsLayout {
  B: number;
  T: number;
}

export interface Kernels {
  /** a [M, K] @ b [N, K]^T -> [M, N]. No gradient: used inside gradients. */
  mmNT(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
  /** a [K, M]^T @ b [K, N] -> [M, N]. No gradient: used inside gradients. */
  mmTN(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D;
  /** x [N, dIn] @ W^T for W [dOut, dIn] (torch layout) -> [N, dOut], differentiable. */
  linear2d(x: tf.Tensor2D, W: tf.Tensor2D): tf.Tensor2D;
  /** Batched a [..., M, K] @ b [..., K, N] -> [..., M, N], differentiable. */
  bmm(a: tf.Tensor, b: tf.Tensor): tf.Tensor;
  /** out[v] = sum of the rows n of x with ids[n] = v: x [N, d], ids int32 [N] -> [V, d] (a row lookup's gradient). */
  sumRowsById(x: tf.Tensor2D, ids: tf.Tensor1D, V: number): tf.Tensor2D;
  /** out[r, s] = x[r] @ W[experts[r, s]]: x [R, dIn], experts int32 [R, S], W [nExp, dIn, dOut] -> [R, S, dOut]. */
  cvmm(x: tf.Tensor2D, experts: tf.Tensor2D, W: tf.Tensor3D): tf.Tensor3D;
  /** MoE input projection: x [B*T, d], experts int32 [B*T, H*k] (rows of W), gates [B*T, H, k], W [H*E, d, dh]
   *  -> [B, H, T, dh] = sum over k of gate * x @ W[expert]. */
  moeIn(x: tf.Tensor2D, experts: tf.Tensor2D, gates: tf.Tensor, W: tf.Tensor3D, heads: HeadsLayout): tf.Tensor;
  /** MoE output projection summed over heads: u [B, H, T, dh], experts int32 [B*T*H, k], gates [B*T, H, k],
   *  W [H*E, dh, d] -> [B*T, d] = sum over h, k of gate * u[b, h, t] @ W[expert]. */
  moeOut(u: tf.Tensor, experts: tf.Tensor2D, gates: tf.Tensor, W: tf.Tensor3D): tf.Tensor;
}
export type KernelName = keyof Kernels;

const registry = new Map<string, Partial<Kernels>>();

/** Register implementations for `backend` (a tfjs backend name); later registrations replace earlier ones. */
export function registerKernels(backend: string, impls: Partial<Kernels>): void {
  registry.set(backend, { ...registry.get(backend), ...impls });
}

/** The implementation of `name` for the active backend: the registered one, else `portable`. */
export function kernel<K extends KernelName>(name: K, portable: Kernels[K]): Kernels[K] {
  return registry.get(tf.getBackend())?.[name] ?? portable;
}

/** Names of the kernels registered for `backend` (diagnostics, tests). */
export function registeredKernels(backend: string): KernelName[] {
  return Object.keys(registry.get(backend) ?? {}) as KernelName[];
}

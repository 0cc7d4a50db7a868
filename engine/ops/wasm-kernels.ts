// tfjs kernels of our own for the wasm backend (ENV.md, "The wasm matMul fast path"), registered under our own
// names for backend 'wasm' only, plus replacements for wasm's Slice and Identity. wasm-ops.ts builds the kernel
// registry's wasm implementations (kernels.ts) on them.
//   wasm-heap.ts      heap access and XNNPACK products on heap sub-ranges (shared by all of them)
//   wasm-products.ts  batched products, per-expert products, row permutations, scatter-adds
//   wasm-gated.ts     gated expert sums (the fused MoE projections), forward and backward
//   wasm-builtins.ts  the Slice and Identity replacements
import * as tf from '@tensorflow/tfjs';
import { patchBuiltins } from './wasm-builtins';
import { gatedBackward, gatedForward } from './wasm-gated';
import type { Kernel } from './wasm-heap';
import { batchMatMul, permuteRows, scatterAddRows, segmentMatMul, segmentOuter } from './wasm-products';

export const WASM_KERNELS = {
  batchMatMul: 'ShBatchMatMul',
  segmentMatMul: 'ShSegmentMatMul',
  segmentOuter: 'ShSegmentOuter',
  permuteRows: 'ShPermuteRows',
  scatterAddRows: 'ShScatterAddRows',
  gatedForward: 'ShCvmmGatedForward',
  gatedBackward: 'ShCvmmGatedBackward',
} as const;

let registered = false,
  builtinsPatched = false;
/** Register the kernels above for 'wasm' (idempotent), and replace wasm's Slice and Identity (once the wasm
 *  backend's own kernels are registered). */
export function registerWasmKernels(): void {
  if (!registered) registerOwn();
  if (!builtinsPatched) builtinsPatched = patchBuiltins();
}

function registerOwn(): void {
  registered = true;
  const reg = (kernelName: string, kernelFunc: Kernel) =>
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  reg(WASM_KERNELS.batchMatMul, batchMatMul);
  reg(WASM_KERNELS.segmentMatMul, segmentMatMul);
  reg(WASM_KERNELS.segmentOuter, segmentOuter);
  reg(WASM_KERNELS.permuteRows, permuteRows);
  reg(WASM_KERNELS.scatterAddRows, scatterAddRows);
  reg(WASM_KERNELS.gatedForward, gatedForward);
  reg(WASM_KERNELS.gatedBackward, gatedBackward);
}

/** Run one of our wasm kernels. */
export function runWasm(
  kernel: (typeof WASM_KERNELS)[keyof typeof WASM_KERNELS],
  inputs: tf.NamedTensorMap,
  attrs: Record<string, unknown> = {},
): tf.Tensor {
  registerWasmKernels();
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** Same for kernels with several outputs. */
export function runWasmMulti(
  kernel: (typeof WASM_KERNELS)[keyof typeof WASM_KERNELS],
  inputs: tf.NamedTensorMap,
  attrs: Record<string, unknown> = {},
): tf.Tensor[] {
  registerWasmKernels();
  return tf.engine().runKernel(kernel, inputs, attrs as tf.NamedAttrMap) as unknown as tf.Tensor[];
}

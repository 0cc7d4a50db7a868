// Replacements for two of tfjs-backend-wasm's own kernels, same semantics, registered over the originals:
// - Slice: the original copies the *whole* input out of the heap (readSync) before copying the slice; this one
//   copies just the slice, row by row, on the heap.
// - Identity: shares the buffer (as tfjs-backend-cpu does) instead of copying it: tensors are immutable, and the
//   engine clones every tensor it saves for a gradient through this kernel.
import * as tf from '@tensorflow/tfjs';
import { numel, ptr, type Kernel, type WasmBackend } from './wasm-heap';

const slice: Kernel = ({ inputs: { x }, backend, attrs }) => {
  const be = backend as WasmBackend;
  const [begin, size] = tf.slice_util.parseSliceParams(
    x as tf.TensorInfo as tf.Tensor,
    attrs!.begin as number[],
    attrs!.size as number[],
  );
  const shape = x!.shape as number[];
  const out = be.makeOutput(size, x!.dtype as 'float32'); // same element size (4 bytes) for float32, int32
  const src = new Int32Array(be.wasm.HEAPU8.buffer, ptr(be, x!), numel(shape)),
    dst = new Int32Array(be.wasm.HEAPU8.buffer, ptr(be, out), numel(size));
  const strides = tf.util.computeStrides(shape);
  const inner = size.length ? size[size.length - 1]! : 1;
  const count = numel(size) / Math.max(inner, 1);
  const idx = new Array<number>(size.length).fill(0);
  for (let row = 0; row < count && inner > 0; row++) {
    let off = begin.length ? begin[begin.length - 1]! : 0;
    for (let i = 0; i + 1 < size.length; i++) off += (begin[i]! + idx[i]!) * strides[i]!;
    dst.set(src.subarray(off, off + inner), row * inner);
    for (let i = size.length - 2; i >= 0; i--) {
      // next row index, last-but-one axis fastest
      if (++idx[i]! < size[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
};

const identity: Kernel = ({ inputs: { x }, backend }) => {
  (backend as { incRef: (d: object) => void }).incRef(x!.dataId);
  return { dataId: x!.dataId, shape: x!.shape, dtype: x!.dtype };
};

/** Replace wasm's Identity and Slice once the wasm backend's own kernels are registered; true once done. */
export function patchBuiltins(): boolean {
  const originalIdentity = tf.getKernel('Identity', 'wasm');
  const originalSlice = tf.getKernel('Slice', 'wasm');
  if (!originalIdentity || !originalSlice) return false;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    ...originalIdentity,
    kernelFunc: ((args: Parameters<Kernel>[0]) =>
      args.inputs.x!.dtype === 'string'
        ? (originalIdentity.kernelFunc as unknown as Kernel)(args)
        : identity(args)) as unknown as tf.KernelFunc,
  });
  tf.unregisterKernel('Slice', 'wasm');
  tf.registerKernel({
    ...originalSlice,
    kernelFunc: ((args: Parameters<Kernel>[0]) =>
      args.inputs.x!.dtype === 'float32' || args.inputs.x!.dtype === 'int32'
        ? slice(args)
        : (originalSlice.kernelFunc as unknown as Kernel)(args)) as unknown as tf.KernelFunc,
  });
  return true;
}

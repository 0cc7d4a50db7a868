// The wasm heap as seen by our own kernels for tfjs-backend-wasm (engine/ops/wasm-kernels.ts registers them).
// Every tensor of the wasm backend lives in one WebAssembly memory, so a kernel can read and write any tensor
// through one Float32Array over the whole heap (float offsets = byte pointer / 4), copy rows between tensors with
// copyWithin (a memmove, no allocation), and hand any sub-range to XNNPACK as a 2-D product through temporary
// tensor ids that alias it: no slices, no copies.
import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm used here (its public class members). */
export interface WasmBackend {
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

export type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
export type Kernel = (args: KernelArgs) => tf.TensorInfo;

export const F32 = 4; // bytes per float

let cachedFor: WasmBackend | null = null;
let wasmMatMul: ((...a: unknown[]) => void) | null = null;
const shapeBytes = (r: number, c: number) => new Uint8Array(new Int32Array([1, r, c]).buffer);

/** XNNPACK's product out = a @ b on raw heap ranges: a [M, K], b [K, N], out [M, N] (byte pointers). May grow
 *  the heap (packed weights): take `heap(be)` again afterwards. */
export function xnnMatMul(
  be: WasmBackend,
  aPtr: number,
  bPtr: number,
  outPtr: number,
  M: number,
  K: number,
  N: number,
): void {
  if (M === 0 || N === 0) return;
  if (cachedFor !== be) {
    wasmMatMul = be.wasm.cwrap('BatchMatMul', null, [
      'number',
      'array',
      'number',
      'number',
      'array',
      'number',
      'number',
      'number',
      'number',
    ]);
    cachedFor = be;
  }
  const ids = [be.dataIdNextNumber++, be.dataIdNextNumber++, be.dataIdNextNumber++];
  be.wasm.tfjs.registerTensor(ids[0]!, M * K, aPtr);
  be.wasm.tfjs.registerTensor(ids[1]!, K * N, bPtr); // XNNPACK caches packed weights per id; disposing drops them
  be.wasm.tfjs.registerTensor(ids[2]!, M * N, outPtr);
  try {
    wasmMatMul!(ids[0], shapeBytes(M, K), 3, ids[1], shapeBytes(K, N), 3, 0, 0, ids[2]);
  } finally {
    for (const id of ids) be.wasm.tfjs.disposeData(id);
  }
}

/** Byte pointer of a tensor's buffer on the heap. */
export const ptr = (be: WasmBackend, t: tf.TensorInfo) => be.dataIdMap.get(t.dataId).memoryOffset;
/** Float offset of a tensor's buffer in `heap(be)`. */
export const at = (be: WasmBackend, t: tf.TensorInfo) => ptr(be, t) / F32;
export const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

let heapView: Float32Array | null = null;
/** The whole heap as floats. Any allocation (a new tensor, XNNPACK packing weights) may grow the heap and detach
 *  earlier views, so kernels call this again after each allocation or XNNPACK call (it is cheap when unchanged). */
export function heap(be: WasmBackend): Float32Array {
  const buf = be.wasm.HEAPU8.buffer;
  if (heapView === null || heapView.buffer !== buf) heapView = new Float32Array(buf);
  return heapView;
}

/** A float32 view of one tensor (same detaching caveat as `heap`). */
export const view = (be: WasmBackend, t: tf.TensorInfo, size: number) =>
  new Float32Array(be.wasm.HEAPU8.buffer, ptr(be, t), size);

/** A temporary float buffer of rows * cols (at least 1) on the heap: kernel scratch, freed by the kernel. */
export function scratch(be: WasmBackend, rows: number, cols: number): tf.TensorInfo {
  return be.makeOutput([Math.max(rows * cols, 1)], 'float32');
}

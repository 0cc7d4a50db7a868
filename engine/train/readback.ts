// Reading tensors back to the CPU, synchronously or not. WebGPU in a browser has no reliable synchronous readback
// (dataSync returns zeros and can lose the device), so every reading routine is written once as a generator that
// yields the tensors it needs and receives their values; runSync drives it with dataSync (wasm, cpu, Node),
// runAsync with `await data()` (anywhere, required for WebGPU in a browser).
import type * as tf from '@tensorflow/tfjs';

export type Values = ArrayLike<number>[];
export type Reader<R> = Generator<tf.Tensor[], R, Values>;

export function runSync<R>(g: Reader<R>): R {
  let r = g.next();
  while (!r.done) r = g.next(r.value.map((t) => t.dataSync() as unknown as ArrayLike<number>));
  return r.value;
}

export async function runAsync<R>(g: Reader<R>): Promise<R> {
  let r = g.next();
  while (!r.done) {
    const tensors = r.value;
    r = g.next((await Promise.all(tensors.map((t) => t.data()))) as unknown as Values);
  }
  return r.value;
}

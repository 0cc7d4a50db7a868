// Test helpers: backend setup and small tensor utilities shared by the engine tests.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../engine/backend';
import { relErr as goldenRelErr } from '../../engine/node/golden';

export async function useBackend(name: BackendName): Promise<void> {
  const info = await initBackend([name]);
  if (info.name !== name) throw new Error(`wanted backend ${name}, got ${info.name}`);
}

/** The golden metric, max|a - b| / (1 + max|b|), on tensors or arrays. */
export function relErr(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const arr = (t: tf.Tensor | ArrayLike<number>) => (t instanceof tf.Tensor ? t.dataSync() : t);
  return goldenRelErr(arr(a), arr(b));
}

export const rnd = (shape: number[], seed: number, std = 1) => tf.randomNormal(shape, 0, std, 'float32', seed);

/** Train n steps, yielding to the event loop now and then so the test runner's RPC stays responsive. */
export async function train(tr: { step(): { loss: number } }, n: number): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < n; i++) {
    losses.push(tr.step().loss);
    if (i % 5 === 4) await new Promise((r) => setTimeout(r, 0));
  }
  return losses;
}

/** Fill freed heap memory with NaN: allocate tensors of many sizes, write NaN into them, free them. Kernels that
 *  rely on fresh, zeroed buffers then read NaN. */
export function dirtyHeap(): void {
  const ts = Array.from({ length: 40 }, (_, i) => tf.fill([(i + 1) * 37], NaN));
  ts.forEach((t) => t.dataSync());
  tf.dispose(ts);
}

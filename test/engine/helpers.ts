// Test helpers: backend setup and small tensor utilities shared by the engine tests.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../engine/backend';

export async function useBackend(name: BackendName): Promise<void> {
  const info = await initBackend([name]);
  if (info.name !== name) throw new Error(`wanted backend ${name}, got ${info.name}`);
}

/** max|a - b| / (1 + max|b|) */
export function relErr(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const x = a instanceof tf.Tensor ? a.dataSync() : a;
  const y = b instanceof tf.Tensor ? b.dataSync() : b;
  if (x.length !== y.length) return Infinity;
  let d = 0, m = 0;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    m = Math.max(m, Math.abs(y[i]));
  }
  return d / (1 + m);
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

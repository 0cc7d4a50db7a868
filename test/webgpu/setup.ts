// Shared setup for the WebGPU tests: Dawn (npm `webgpu`) on Chromium's SwiftShader, then tfjs's webgpu backend with
// our kernels. Any failure throws with its reason, so the tests fail (never skip) where WebGPU cannot start.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/backend';
import { installNodeWebGPU } from '../../engine/node/webgpu';
import { installWebGPUKernels } from '../../engine/webgpu';

export async function useWebGPU(): Promise<string> {
  const adapter = await installNodeWebGPU();
  installWebGPUKernels();
  const info = await initBackend(['webgpu']).catch((e: Error) => {
    throw new Error(`WebGPU could not be initialised in Node: ${e.message}`);
  });
  if (info.name !== 'webgpu') throw new Error(`expected the webgpu backend, got ${info.name}`);
  tf.env().set('WEBGPU_CPU_FORWARD', false); // every op on the GPU, as in a browser with real data sizes
  return adapter;
}

/** max|got - ref| / max(max|ref|, 1e-6): relative to the largest reference entry. */
export function relErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length !== ref.length) return Infinity;
  let diff = 0, mag = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    mag = Math.max(mag, Math.abs(ref[i]));
  }
  return diff / Math.max(mag, 1e-6);
}

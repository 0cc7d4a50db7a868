// Shared setup for the WebGPU tests: Dawn (npm `webgpu`) on Chromium's SwiftShader, then tfjs's webgpu backend with
// our kernels. Any failure throws with its reason, so the tests fail (never skip) where WebGPU cannot start.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../engine/backend';
import { maxAbsDiff } from '../../engine/node/golden';
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

/** max|got - ref| / max(max|ref|, 1e-6): relative to the largest reference entry (stricter than the golden metric). */
export function relErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  const { diff, mag } = maxAbsDiff(got, ref);
  return diff / Math.max(mag, 1e-6);
}

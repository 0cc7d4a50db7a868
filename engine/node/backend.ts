// Node-side backend set-up: webgpu needs the `webgpu` package (Dawn) to provide navigator.gpu before initBackend();
// everything else needs nothing. ensureBackend does both, once per process.
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo, type BackendName } from '../backend';

export async function prepareNodeBackend(name: BackendName): Promise<void> {
  if (name !== 'webgpu') return;
  const { installNodeWebGPU } = await import('./webgpu');
  await installNodeWebGPU();
}

let activeBackend: BackendInfo | null = null;

/** Prepare and initialise the TensorFlow.js backend once per process (the same name again is a no-op). */
export async function ensureBackend(name: BackendName): Promise<BackendInfo> {
  if (activeBackend?.name === name && tf.getBackend() === name) return activeBackend;
  await prepareNodeBackend(name);
  activeBackend = await initBackend([name]);
  return activeBackend;
}

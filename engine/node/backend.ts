// Node-side backend set-up: webgpu needs the `webgpu` package (Dawn) to provide navigator.gpu before initBackend();
// everything else needs nothing. ensureBackend does both, once per process, and returns notes for the run's
// header (a software WebGPU adapter is correct but very slow: say so and suggest wasm).
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo, type BackendName } from '../backend';

export interface NodeBackendInfo extends BackendInfo {
  /** One line each, for the run's header (e.g. a software WebGPU adapter). */
  notes: string[];
}

export async function prepareNodeBackend(name: BackendName): Promise<void> {
  if (name !== 'webgpu') return;
  const { installNodeWebGPU } = await import('./webgpu');
  await installNodeWebGPU();
}

let activeBackend: NodeBackendInfo | null = null;

/** Prepare and initialise the TensorFlow.js backend once per process (the same name again is a no-op). */
export async function ensureBackend(name: BackendName): Promise<NodeBackendInfo> {
  if (activeBackend?.name === name && tf.getBackend() === name) return activeBackend;
  await prepareNodeBackend(name);
  const info = await initBackend([name]);
  if (info.name === 'cpu') quietCpuBackendAdvice();
  activeBackend = { ...info, notes: backendNotes(info) };
  return activeBackend;
}

/** Adapters that emulate a GPU on the CPU (Chromium's SwiftShader, Mesa's llvmpipe/lavapipe, Windows' WARP). */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|\bwarp\b|basic render/i;

/** Notes about the backend worth a line in the run's header. */
export function backendNotes(info: BackendInfo): string[] {
  const notes: string[] = [];
  if (info.name === 'webgpu' && SOFTWARE_ADAPTER.test(info.adapter))
    notes.push(
      `the WebGPU adapter "${info.adapter}" is a software renderer (the GPU is emulated on the CPU): ` +
        'correct but about 100x slower than --backend wasm here; use --backend wasm unless you are testing WebGPU',
    );
  return notes;
}

/**
 * tfjs's cpu backend prints, on its first tensor in Node, advice to install @tensorflow/tfjs-node (which cannot be
 * installed here: its install downloads libtensorflow). tfjs prints it through its own logger, which is silent in
 * PROD mode; so make that first tensor with PROD on, then put the flag back. Nothing else changes.
 */
function quietCpuBackendAdvice(): void {
  const env = tf.env();
  const prod = env.getBool('PROD');
  env.set('PROD', true);
  try {
    tf.tidy(() => tf.scalar(0));
  } finally {
    env.set('PROD', prod);
  }
}

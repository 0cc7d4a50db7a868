// Backend choice: webgpu where an adapter exists, then wasm, then cpu. Each fall-back is reported with its reason.
// Setting a backend up loads it and registers our kernels for it (ops/kernels.ts: one registry per backend).
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_ORDER: BackendName[] = ['webgpu', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  /** Adapter description for webgpu, e.g. "SwiftShader"; the build for wasm. */
  adapter: string;
  /** One line per backend tried and skipped, with the reason. */
  fallbacks: string[];
}

type Loader = () => Promise<void>;
/** Per backend: load it, check it can run, and register our kernels for it (before tf.setBackend). */
const loaders: Record<BackendName, Loader> = {
  cpu: async () => {}, // the portable kernels only
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    (await import('./ops/wasm-ops')).installWasmKernels(); // heap kernels, flag-free products (ops/wasm-ops.ts)
  },
  webgpu: async () => {
    const nav = (
      globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ limits?: Record<string, number> } | null> } } }
    ).navigator;
    if (!nav?.gpu) throw new Error('no navigator.gpu (WebGPU unavailable)');
    const adapter = await nav.gpu.requestAdapter();
    if (!adapter) throw new Error('requestAdapter() returned null (no WebGPU adapter)');
    const short = unmetLimits(adapter.limits ?? {});
    if (short.length) throw new Error(`the WebGPU adapter's limits are too small: ${short.join(', ')}`);
    await import('@tensorflow/tfjs-backend-webgpu');
    (await import('./webgpu')).installWebGPUKernels(); // our WGSL kernels (cvmm), engine/webgpu
  },
};

/** What tfjs-webgpu and our kernels (engine/webgpu: 256-thread workgroups, 2 x 32x32 f32 tiles) need at least. */
export const WEBGPU_MIN_LIMITS: Record<string, number> = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxStorageBuffersPerShaderStage: 8,
  maxStorageBufferBindingSize: 128 << 20,
};

/** "name=have < need" for every limit below what we need. */
export function unmetLimits(limits: Record<string, number>): string[] {
  return Object.entries(WEBGPU_MIN_LIMITS)
    .filter(([k, need]) => typeof limits[k] === 'number' && limits[k] < need)
    .map(([k, need]) => `${k}=${limits[k]} < ${need}`);
}

/** Activate the first backend of `order` that works. Throws only if none does. */
export async function initBackend(order: BackendName[] = BACKEND_ORDER): Promise<BackendInfo> {
  const fallbacks: string[] = [];
  for (const name of order) {
    try {
      await loaders[name]();
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
      await tf.ready();
      return { name, adapter: describeAdapter(name), fallbacks };
    } catch (e) {
      fallbacks.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no TensorFlow.js backend could be initialised:\n  ${fallbacks.join('\n  ')}`);
}

function describeAdapter(name: BackendName): string {
  if (name === 'webgpu') {
    const b = tf.backend() as unknown as {
      adapterInfo?: { vendor?: string; architecture?: string; description?: string };
    };
    const i = b.adapterInfo;
    return i
      ? [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'WebGPU adapter'
      : 'WebGPU adapter';
  }
  if (name === 'wasm') return 'WebAssembly (XNNPACK)';
  return 'JavaScript CPU';
}

export function currentBackend(): BackendName {
  return tf.getBackend() as BackendName;
}

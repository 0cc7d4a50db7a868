// Backend set-up for a session: the host's preparation hook per backend (Node: Dawn for webgpu), the wasm file
// location (browser), then initBackend's webgpu -> wasm -> cpu order; every skipped backend comes with its reason.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type BackendName, initBackend } from './backend';

export interface BackendSetup {
  name: BackendName;
  adapter: string;
  fallbacks: { backend: string; reason: string }[];
  limits: Record<string, number | boolean | string>;
}

export interface BackendOptions {
  prepare?: (name: BackendName) => Promise<void>;
  wasmPaths?: string;
}

let wasmPathsSet: string | null = null;

export async function setUpBackend(order: BackendName[], opts: BackendOptions = {}): Promise<BackendSetup> {
  const fallbacks: BackendSetup['fallbacks'] = [];
  const usable: BackendName[] = [];
  for (const name of order) {
    try {
      await opts.prepare?.(name);
      usable.push(name);
    } catch (e) {
      fallbacks.push({ backend: name, reason: (e as Error).message });
    }
  }
  if (opts.wasmPaths && wasmPathsSet === null && usable.includes('wasm')) {
    // tfjs reads the paths once, when the wasm backend first initialises: later values cannot apply.
    setWasmPaths(opts.wasmPaths.endsWith('/') ? opts.wasmPaths : opts.wasmPaths + '/');
    wasmPathsSet = opts.wasmPaths;
  }
  if (usable.length === 0)
    throw new Error(`no backend could be prepared: ${fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ')}`);
  const info = await initBackend(usable);
  for (const line of info.fallbacks) {
    const at = line.indexOf(': ');
    fallbacks.push({ backend: line.slice(0, at), reason: line.slice(at + 2) });
  }
  return { name: info.name, adapter: info.adapter, fallbacks, limits: await describeLimits(info.name) };
}

const GPU_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
];

async function describeLimits(name: BackendName): Promise<BackendSetup['limits']> {
  const out: BackendSetup['limits'] = {};
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  if (cores) out.hardwareConcurrency = cores;
  if (name === 'webgpu') {
    const limits = (tf.backend() as unknown as { device?: { limits?: Record<string, number> } }).device?.limits;
    for (const k of GPU_LIMITS) if (limits && typeof limits[k] === 'number') out[k] = limits[k];
  } else if (name === 'wasm') {
    out.simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    out.multithread = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
    // XNNPACK's pool: 1 without the threaded build (Node, or a page that is not cross-origin isolated); with it,
    // tfjs 4.22 uses half the logical cores (capped at 8), so 1 on a 2-core machine, where 2 measured 3.5x slower
    out.threads = Math.max(1, getThreadsCount()); // (-1: no pool at all, the single-threaded build)
  }
  return out;
}

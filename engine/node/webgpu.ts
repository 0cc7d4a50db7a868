// WebGPU in Node (tests, CLIs): the `webgpu` package (Dawn) on a Vulkan driver, exposed as navigator.gpu for
// @tensorflow/tfjs-backend-webgpu. Call installNodeWebGPU() before initBackend(['webgpu']).
//
// Vulkan: Chromium's SwiftShader ICD (`apt-get install -y chromium`), a CPU emulation: correct and slow. Debian's
// chromium ships its own Vulkan loader next to the ICD (/usr/lib/chromium/libvulkan.so.1) but does not pull in
// the system one (libvulkan1), so we load that loader into the process before Dawn looks for `libvulkan.so.1`.
// VK_ICD_FILENAMES may point at another ICD; then a system libvulkan.so.1 is used when the ICD's folder has none.
// In worker_threads, process.env is a per-thread copy: the main thread must set VK_ICD_FILENAMES before the worker
// starts (the Vulkan loader reads the C environment).
//
// tfjs reads tensors synchronously (dataSync) through an OffscreenCanvas, which Node lacks; readSync is replaced
// here by a staging-buffer copy whose map is completed by pumping Dawn's event queue (see syncReadback).
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

export const DEFAULT_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const RTLD_NODELETE = 0x1000; // glibc: keep the loader mapped although process.dlopen closes a non-addon

let installed: Promise<string> | null = null;

/** Make navigator.gpu available in Node. Idempotent; resolves to the adapter description. */
export function installNodeWebGPU(): Promise<string> {
  installed ??= install().catch((e) => {
    installed = null;
    throw e;
  });
  return installed;
}

async function install(): Promise<string> {
  if (process.platform !== 'linux')
    throw new Error(`WebGPU in Node is set up for Linux only (this is ${process.platform})`);
  const icd = process.env.VK_ICD_FILENAMES ?? DEFAULT_ICD;
  if (!existsSync(icd)) {
    throw new Error(
      `WebGPU in Node needs a Vulkan driver: ${icd} is missing. Install Chromium's SwiftShader ` +
        `(apt-get install -y chromium) or set VK_ICD_FILENAMES to a Vulkan ICD json`,
    );
  }
  process.env.VK_ICD_FILENAMES = icd;
  preloadVulkanLoader(dirname(icd));

  let mod: { create(flags: string[]): GPU; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    throw new Error(`WebGPU in Node needs the npm package "webgpu" (Dawn): ${(e as Error).message}`);
  }
  installEventPump(); // before Dawn schedules its first event tick
  const gpu = mod.create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error(
      `Dawn found no WebGPU adapter with VK_ICD_FILENAMES=${icd}` +
        ` (is libvulkan.so.1 loadable? Chromium's is at ${join(dirname(icd), 'libvulkan.so.1')}. In a worker thread,` +
        " set VK_ICD_FILENAMES in the main thread before starting it: a worker's process.env does not reach the C environment)",
    );
  }
  // tfjs-backend-webgpu uses the WebGPU globals (GPUBuffer, GPUBufferUsage, GPUMapMode, ...) and navigator.gpu.
  for (const [k, v] of Object.entries(mod.globals))
    if (!(k in globalThis)) (globalThis as Record<string, unknown>)[k] = v;
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (g.navigator) {
    if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  }
  await patchReadSync();
  const info = adapter.info;
  return [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ') || 'WebGPU adapter';
}

/** Load the Vulkan loader that sits beside the ICD (Chromium's) so Dawn's dlopen("libvulkan.so.1") finds it. */
function preloadVulkanLoader(dir: string): void {
  const loader = join(dir, 'libvulkan.so.1');
  if (!existsSync(loader)) return; // rely on the system's libvulkan1
  try {
    process.dlopen({ exports: {} }, loader, constants.dlopen.RTLD_NOW | constants.dlopen.RTLD_GLOBAL | RTLD_NODELETE);
  } catch (e) {
    // Expected: a plain shared library is not a Node addon. The library stays loaded (RTLD_NODELETE).
    if (!/self-register/.test((e as Error).message))
      throw new Error(`cannot load the Vulkan loader ${loader}: ${(e as Error).message}`);
  }
}

// Dawn (AsyncRunner) schedules its event processing with the global setImmediate, one native callback at a time.
// We keep a handle on the pending one so a synchronous read can run it (ProcessEvents) until its map completes.
// While pumping, Dawn's re-scheduled ticks are only recorded (no real setImmediate per spin: those would pile up
// unrun); whatever is left pending afterwards goes back to the event loop.
type Tick = { fn: (...a: unknown[]) => void; args: unknown[]; done: boolean };
type SetImmediate = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => unknown) & { __dawnPump?: true };
const dawnTicks: Tick[] = [];
let pumping = false;
let realSetImmediate: SetImmediate;

function installEventPump(): void {
  const real = globalThis.setImmediate as unknown as SetImmediate;
  if (real.__dawnPump) return;
  realSetImmediate = real;
  const wrapped = ((fn: (...a: unknown[]) => void, ...args: unknown[]) => {
    if (typeof fn !== 'function' || !Function.prototype.toString.call(fn).includes('[native code]'))
      return real(fn, ...args);
    const tick: Tick = { fn, args, done: false };
    dawnTicks.push(tick);
    return pumping ? undefined : real(() => runTick(tick));
  }) as SetImmediate;
  wrapped.__dawnPump = true;
  Object.assign(wrapped, real);
  (globalThis as { setImmediate: unknown }).setImmediate = wrapped;
}

function runTick(tick: Tick): void {
  const i = dawnTicks.indexOf(tick);
  if (i >= 0) dawnTicks.splice(i, 1);
  if (tick.done) return;
  tick.done = true;
  tick.fn(...tick.args);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Run Dawn's event processing until done() or the timeout, sleeping between polls (backing off to 1 ms) so the
 *  emulated GPU's threads keep the cores. */
function pumpUntil(done: () => boolean, what: string, timeoutMs = 600_000): void {
  const t0 = Date.now();
  const pending = new Set(dawnTicks); // already scheduled on the real event loop
  pumping = true;
  try {
    for (let wait = 0.01; !done(); wait = Math.min(1, wait * 2)) {
      const tick = dawnTicks[0];
      if (!tick) throw new Error(`WebGPU (Node): ${what}: no Dawn event pending, cannot complete synchronously`);
      runTick(tick);
      if (done()) break;
      if (Date.now() - t0 > timeoutMs) throw new Error(`WebGPU (Node): ${what} timed out after ${timeoutMs} ms`);
      Atomics.wait(sleeper, 0, 0, wait);
    }
  } finally {
    pumping = false;
    for (const tick of dawnTicks) if (!pending.has(tick)) realSetImmediate(() => runTick(tick));
  }
}

interface BackendInternals {
  tensorMap: { get(id: object): { values: unknown; dtype: string; resource: unknown; complexTensorInfos?: unknown } };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer; releaseBuffer(b: GPUBuffer): void };
  commandEncoder: GPUCommandEncoder;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(id: object, v: unknown): unknown;
}

async function patchReadSync(): Promise<void> {
  const [{ WebGPUBackend }, tf] = await Promise.all([
    import('@tensorflow/tfjs-backend-webgpu'),
    import('@tensorflow/tfjs'),
  ]);
  const proto = WebGPUBackend.prototype as unknown as { readSync(id: object): unknown; __nodeReadSync?: true };
  if (proto.__nodeReadSync) return;
  const original = proto.readSync;
  proto.readSync = function (this: BackendInternals, dataId: object) {
    const d = this.tensorMap.get(dataId);
    if (d.values != null || d.dtype === 'string' || d.dtype === 'complex64' || !(d.resource instanceof GPUBuffer)) {
      return original.call(this, dataId);
    }
    const src = d.resource;
    const staging = this.bufferManager.acquireBuffer(src.size, GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ);
    this.ensureCommandEncoderReady();
    this.endComputePassEncoder();
    this.commandEncoder.copyBufferToBuffer(src, 0, staging, 0, src.size);
    this.submitQueue();
    let failed: unknown = null;
    staging.mapAsync(GPUMapMode.READ).catch((e) => (failed = e ?? 'mapAsync failed'));
    pumpUntil(() => staging.mapState === 'mapped' || failed !== null, 'readSync');
    if (failed !== null) throw new Error(`WebGPU (Node): readSync: ${String(failed)}`);
    const bytes = staging.getMappedRange().slice(0);
    staging.unmap();
    this.bufferManager.releaseBuffer(staging);
    const vals = tf.util.convertBackendValuesAndArrayBuffer(bytes, d.dtype as 'float32');
    return this.convertAndCacheOnCPU(dataId, vals);
  };
  proto.__nodeReadSync = true;
}

// Timing and memory measurement of a tensor computation, the same on every backend: the clock stops only once
// every result is computed (a scalar read-back depends on all of them), and everything made is disposed.
import * as tf from '@tensorflow/tfjs';
import { cachedTableCount } from '../ops/position';

const now = () => performance.now();
/** Live tensors, less the engine's cached constant tables (masks, RoPE tables: built on first use, kept on purpose). */
const liveTensors = () => tf.memory().numTensors - cachedTableCount();

/** Runs fn in a tidy and waits until all its outputs exist. */
async function runOnce(fn: () => tf.Tensor[]): Promise<void> {
  const done = tf.tidy(() => {
    const outs = fn();
    return tf.addN(outs.map((t) => tf.sum(t))); // [] depends on every output
  });
  await done.data();
  done.dispose();
}

export interface Timing {
  medianMs: number;
  allMs: number[];
  leakedTensors: number; // live tensors after the repeats minus before (0 when nothing leaks)
}

/** Median wall time over `repeats` runs after `warmup` runs. */
export async function timeRuns(fn: () => tf.Tensor[], repeats: number, warmup: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await runOnce(fn);
  const before = liveTensors();
  const allMs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = now();
    await runOnce(fn);
    allMs.push(now() - t0);
  }
  return { medianMs: median(allMs), allMs, leakedTensors: liveTensors() - before };
}

/** Like timeRuns for several computations at once, alternating them run by run, so that a change in machine
 *  load (other processes on these 2 cores) hits every side alike and their ratio stays fair. */
export async function timeRunsInterleaved(
  fns: Array<() => tf.Tensor[]>,
  repeats: number,
  warmup: number,
): Promise<Timing[]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await runOnce(fn);
  const all = fns.map(() => [] as number[]);
  const start = liveTensors();
  for (let i = 0; i < repeats; i++)
    for (const [j, fn] of fns.entries()) {
      const t0 = now();
      await runOnce(fn);
      all[j]!.push(now() - t0);
    }
  const leaked = liveTensors() - start; // for all sides together
  return all.map((allMs) => ({ medianMs: median(allMs), allMs, leakedTensors: leaked }));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface MemoryProfile {
  /** Peak of live tensor *buffers* during one run, minus what was live before it (weights, inputs): activations,
   *  tensors saved for the backward, gradients. Each buffer counts once however many tensors view it (reshapes,
   *  clones saved for gradients share buffers). Backend scratch space inside a kernel and the wasm heap's own
   *  growth (it never shrinks) are not included. */
  peakBytes: number;
  /** tfjs's own tf.profile().peakBytes above the start: it sums bytes per live *tensor*, so a buffer viewed by
   *  several tensors (a reshape of it, a saved clone) counts several times. An upper bound. */
  tfjsPeakBytes: number;
  kernels: KernelStat[];
}

export interface KernelStat {
  name: string;
  calls: number;
  ms: number;
}

interface EngineInternals {
  state: { tensorInfo: { has: (d: object) => boolean; get: (d: object) => { bytes: number } | undefined } };
  trackTensor: (a: tf.Tensor, backend: unknown) => void;
  removeDataId: (dataId: object, backend: unknown) => void;
}

/** Follows the engine's buffer bookkeeping (a dataId's first tensor allocates, its removal frees) while fn runs. */
async function withBufferTracking<T>(fn: () => Promise<T>): Promise<{ result: T; peak: number }> {
  const engine = tf.engine() as unknown as EngineInternals;
  const { trackTensor, removeDataId } = engine;
  let live = 0,
    peak = 0;
  engine.trackTensor = function (a, backend) {
    const fresh = !engine.state.tensorInfo.has(a.dataId);
    trackTensor.call(engine, a, backend);
    if (fresh) peak = Math.max(peak, (live += engine.state.tensorInfo.get(a.dataId)?.bytes ?? 0));
  };
  engine.removeDataId = function (dataId, backend) {
    live -= engine.state.tensorInfo.get(dataId)?.bytes ?? 0;
    removeDataId.call(engine, dataId, backend);
  };
  try {
    return { result: await fn(), peak };
  } finally {
    engine.trackTensor = trackTensor;
    engine.removeDataId = removeDataId;
  }
}

/** One profiled run: peak memory (both measures above) and time per kernel (profiling slows kernels a little). */
export async function profileRun(fn: () => void | tf.Tensor[]): Promise<MemoryProfile> {
  const startBytes = tf.memory().numBytes;
  const { result: info, peak } = await withBufferTracking(() =>
    tf.profile(() => {
      tf.tidy(() => {
        const outs = fn();
        if (outs) tf.addN(outs.map((t) => tf.sum(t))).dataSync();
      });
    }),
  );
  const byName = new Map<string, KernelStat>();
  for (const k of info.kernels) {
    const s = byName.get(k.name) ?? { name: k.name, calls: 0, ms: 0 };
    s.calls++;
    s.ms += Number(k.kernelTimeMs) || 0;
    byName.set(k.name, s);
  }
  return {
    peakBytes: peak,
    tfjsPeakBytes: info.peakBytes - startBytes,
    kernels: [...byName.values()].sort((a, b) => b.ms - a.ms),
  };
}

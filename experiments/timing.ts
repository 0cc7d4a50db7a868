// Measured speed of each preset on this project's kind of machine (2 cores, no GPU, Node 20, wasm backend), for
// the expected run times that `npm run experiment -- --help` prints. Data only. Measured 2026-11-29 by timing
// one warm-up step, then 3 steps and one evaluation of each preset (tsx engine/node/cli/time-presets.ts NAME...);
// the cores were shared with one other job, as they usually are here, so expect ±30%.
// The paper presets are not timed: one 47M step (batch 64 x 256 tokens) runs the wasm backend out of memory
// (RuntimeError: table index is out of bounds), and the paper trains 100k such steps on GPUs.

export interface PresetTiming {
  /** Milliseconds per training step (wasm). */
  stepMs: number;
  /** Milliseconds per evaluation (spec.log.evalBatches validation batches). */
  evalMs: number;
}

/** Start-up before the first step: node + tsx + tfjs + wasm, building the dataset (seconds). */
export const STARTUP_S = 4;

/** Where these figures hold. */
export const TIMING_MACHINE = 'wasm backend, 2-core CPU';

export const presetTimings: Record<string, PresetTiming> = {
  'teach-copy': { stepMs: 89, evalMs: 87 },
  'teach-reverse': { stepMs: 83, evalMs: 86 },
  'teach-recall': { stepMs: 92, evalMs: 81 },
  'teach-modadd': { stepMs: 42, evalMs: 46 },
  'teach-mixture': { stepMs: 79, evalMs: 91 },
  'cpu-xl': { stepMs: 1164, evalMs: 729 },
  'cpu-xl-h2': { stepMs: 606, evalMs: 576 },
  'cpu-switchhead-k2': { stepMs: 532, evalMs: 492 },
  'cpu-switchhead-k3': { stepMs: 578, evalMs: 548 },
  'cpu-switchall': { stepMs: 413, evalMs: 401 },
  'cpu-rope': { stepMs: 1292, evalMs: 1335 },
  'cpu-switchhead-rope': { stepMs: 866, evalMs: 913 },
  'cpu-rope-h2': { stepMs: 934, evalMs: 963 },
  'cpu-moa': { stepMs: 648, evalMs: 786 },
};

// The benchmark (DESIGN 2.4): each case runs dense and SwitchHead side by side in this process and reports
// median time, peak tensor bytes, parameters, the paper's MAC/memory formulas (SPEC §6) and the ratios.
import * as tf from '@tensorflow/tfjs';
import { attentionCost } from '../cost';
import { parseSpec, type AttentionConfig, type ExperimentSpec } from '../spec';
import { attentionRig } from './attention';
import { selectCases, type AttentionCase, type BenchCase, type LmStepCase } from './cases';
import { benchLmSteps, type LmStepResult } from './lm-step';
import { profileRun, timeRunsInterleaved, type KernelStat } from './measure';

export interface BenchOptions {
  cases?: string[]; // names; all when absent
  caseList?: BenchCase[]; // run these instead of the built-in cases (tests use tiny shapes)
  repeats?: number; // timed runs per side (median reported)
  warmup?: number; // untimed runs first
  profile?: boolean; // keep the per-kernel time table of one run per side
  log?: (line: string) => void;
}

export interface SideResult {
  ms: number;
  allMs: number[];
  peakBytes: number; // peak live buffer bytes above the start (measure.ts)
  tfjsPeakBytes: number; // tf.profile's per-tensor count (overcounts shared buffers)
  params: number;
  macs: number; // SPEC §6 formula, forward, per layer (lm-step: per attention layer)
  memFloats: number;
  leakedTensors: number;
  tokensPerS?: number; // lm-step only
  kernels?: KernelStat[];
}

export interface CaseResult {
  name: string;
  description: string;
  switchhead_ms: number;
  dense_ms: number;
  time_ratio: number;
  switchhead_peak_bytes: number;
  dense_peak_bytes: number;
  mem_ratio: number;
  macs_ratio: number;
  params_switchhead: number;
  params_dense: number;
  tfjs_mem_ratio: number; // the same from tf.profile's per-tensor peak
  paper_mem_ratio: number; // SPEC §6 memory formula ratio
  switchhead_tokens_per_s?: number;
  dense_tokens_per_s?: number;
  switchhead: SideResult;
  dense: SideResult;
}

export interface BenchReport {
  backend: string;
  repeats: number;
  warmup: number;
  peak_bytes_note: string;
  cases: CaseResult[];
}

export const PEAK_BYTES_NOTE =
  'peak bytes = largest total of live tensor buffers during one forward+backward (or training step) minus those live ' +
  'before it (weights, inputs, optimizer state); each buffer once, however many tensors view it. Not counted: scratch ' +
  'space inside kernels, and the wasm heap itself, which grows to the high-water mark and never shrinks. ' +
  "tf.profile's own peakBytes (tfjs_peak_bytes per side) counts per tensor, so views and saved clones count again";

/** SPEC §6 cost of an attention config at sequence length T (XL memory per the config). */
function paperCost(a: AttentionConfig, dModel: number, T: number): { macs: number; memFloats: number } {
  const spec = parseSpec({ model: { dModel, attention: a }, data: { seqLen: T } });
  const c = attentionCost(spec);
  return { macs: c.macs, memFloats: c.memFloats };
}

type Opts = Required<Omit<BenchOptions, 'cases' | 'caseList' | 'log'>>;

/** Dense and SwitchHead layers of one case, timed alternately, then one profiled run each. */
async function attentionPair(c: AttentionCase, o: Opts): Promise<[SideResult, SideResult]> {
  const rigs = [attentionRig(c.dense, c.shape), attentionRig(c.switchhead, c.shape)];
  try {
    const times = await timeRunsInterleaved(
      rigs.map((r) => r.step),
      o.repeats,
      o.warmup,
    );
    const sides: SideResult[] = [];
    for (const [i, rig] of rigs.entries()) {
      const cfg = i === 0 ? c.dense : c.switchhead;
      const prof = await profileRun(rig.step);
      sides.push({
        ms: times[i]!.medianMs,
        allMs: times[i]!.allMs,
        peakBytes: prof.peakBytes,
        tfjsPeakBytes: prof.tfjsPeakBytes,
        params: rig.paramCount,
        leakedTensors: times[i]!.leakedTensors,
        ...paperCost(cfg, c.shape.dModel, c.shape.T),
        ...(o.profile ? { kernels: prof.kernels } : {}),
      });
    }
    return [sides[0]!, sides[1]!];
  } finally {
    for (const r of rigs) r.dispose();
  }
}

async function lmPair(c: LmStepCase, o: Opts): Promise<[SideResult, SideResult]> {
  const [dense, sh] = await benchLmSteps([c.dense, c.switchhead], o.repeats, o.warmup);
  const side = (r: LmStepResult, spec: ExperimentSpec): SideResult => ({
    ms: r.medianMs,
    allMs: r.allMs,
    peakBytes: r.peakBytes,
    tfjsPeakBytes: r.tfjsPeakBytes,
    params: r.params,
    leakedTensors: r.leakedTensors,
    tokensPerS: r.tokensPerS,
    ...paperCost(spec.model.attention, spec.model.dModel, spec.data.seqLen),
  });
  return [side(dense!, c.dense), side(sh!, c.switchhead)];
}

function combine(c: BenchCase, sh: SideResult, dense: SideResult): CaseResult {
  return {
    name: c.name,
    description: c.description,
    switchhead_ms: sh.ms,
    dense_ms: dense.ms,
    time_ratio: sh.ms / dense.ms,
    switchhead_peak_bytes: sh.peakBytes,
    dense_peak_bytes: dense.peakBytes,
    mem_ratio: sh.peakBytes / dense.peakBytes,
    tfjs_mem_ratio: sh.tfjsPeakBytes / dense.tfjsPeakBytes,
    macs_ratio: sh.macs / dense.macs,
    params_switchhead: sh.params,
    params_dense: dense.params,
    paper_mem_ratio: sh.memFloats / dense.memFloats,
    ...(sh.tokensPerS !== undefined
      ? { switchhead_tokens_per_s: sh.tokensPerS, dense_tokens_per_s: dense.tokensPerS }
      : {}),
    switchhead: sh,
    dense,
  };
}

export async function runBench(opts: BenchOptions = {}): Promise<BenchReport> {
  const o = { repeats: opts.repeats ?? 5, warmup: opts.warmup ?? 1, profile: opts.profile ?? false };
  if (!(Number.isInteger(o.repeats) && o.repeats >= 1))
    throw new Error(`repeats must be an integer >= 1, got ${o.repeats}`);
  if (!(Number.isInteger(o.warmup) && o.warmup >= 0))
    throw new Error(`warmup must be an integer >= 0, got ${o.warmup}`);
  const log = opts.log ?? (() => {});
  const results: CaseResult[] = [];
  for (const c of opts.caseList ?? selectCases(opts.cases)) {
    log(`${c.name}: dense and switchhead, alternating...`);
    const [dense, sh] = c.kind === 'attention' ? await attentionPair(c, o) : await lmPair(c, o);
    log(`${c.name}: dense ${dense.ms.toFixed(1)} ms, switchhead ${sh.ms.toFixed(1)} ms`);
    results.push(combine(c, sh, dense));
  }
  return {
    backend: tf.getBackend(),
    repeats: o.repeats,
    warmup: o.warmup,
    peak_bytes_note: PEAK_BYTES_NOTE,
    cases: results,
  };
}

// The cost readout of an Experiment cell: parameters, attention MACs and memory per layer (SPEC §6, engine/cost.ts)
// and attention matrices, against a dense baseline. The baseline is the preset's own (experiments `baselines`),
// trained on this spec's data so the ratios compare like with like; a MoE spec without one is compared with dense
// attention of the same heads, and says so. Pure: tested without a DOM.
import { costRatios, costReport, type CostRatios, type CostReport } from '../../../engine/cost';
import { parseSpec, type ExperimentSpec, type ExperimentSpecInput } from '../../../engine/spec';
import { baselines, presets } from '../../../experiments/index';

export interface CostBaseline {
  name: string; // short: "cpu-xl", "dense H2"
  detail: string; // what the ratios are against, in words
  report: CostReport;
  ratios: CostRatios;
}

export interface CostSummary {
  report: CostReport;
  baseline: CostBaseline | null;
  why: string | null; // why there is no baseline
}

type BaseSpec = { spec: ExperimentSpecInput; name: string; detail: string };

function baselineSpec(spec: ExperimentSpec, preset: string | null): BaseSpec | null {
  const name = preset ? baselines[preset] : undefined;
  if (name && presets[name]) {
    const base = presets[name].spec;
    return { spec: { ...base, data: spec.data }, name, detail: "the preset's dense baseline, on this spec's data" };
  }
  const a = spec.model.attention;
  if (a.kind === 'dense') return null;
  const heads = a.kind === 'moa' ? a.k : a.nHeads;
  const dense = { kind: 'dense' as const, nHeads: heads, dHead: a.dHead, positions: a.positions, xlMemory: a.xlMemory };
  return {
    spec: { ...spec, model: { ...spec.model, attention: dense } },
    name: `dense H${heads}`,
    detail: `dense attention with the same heads (H ${heads}, d head ${a.dHead}); no preset baseline`,
  };
}

export function costSummary(spec: ExperimentSpec, preset: string | null): CostSummary {
  const report = costReport(spec);
  const b = baselineSpec(spec, preset);
  if (!b) return { report, baseline: null, why: 'dense attention: this is a baseline' };
  try {
    const base = costReport(parseSpec(b.spec));
    return {
      report,
      baseline: { name: b.name, detail: b.detail, report: base, ratios: costRatios(report, base) },
      why: null,
    };
  } catch (e) {
    return { report, baseline: null, why: `baseline unavailable: ${(e as Error).message}` };
  }
}

/** 1,234 → "1.23k", 1,060,000 → "1.06M": three significant figures with a unit. */
export function formatCount(n: number): string {
  const abs = Math.abs(n);
  const [div, unit] = abs >= 1e9 ? [1e9, 'G'] : abs >= 1e6 ? [1e6, 'M'] : abs >= 1e3 ? [1e3, 'k'] : [1, ''];
  const x = n / div;
  const digits = unit === '' ? 0 : Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  return `${x.toFixed(digits)}${unit}`;
}

/** Bytes of float32 values: "1.5 MB". */
export function formatFloatBytes(floats: number): string {
  const bytes = floats * 4;
  if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(2)} GiB`;
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

export const formatRatio = (r: number): string => `${(100 * r).toFixed(r < 0.1 ? 1 : 0)}%`;

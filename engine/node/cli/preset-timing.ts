// Timing of the experiment presets (`npm run bench -- --presets NAMES|all`): one warm-up step, then a few timed
// steps and one evaluation of each preset on the active backend. The figures behind experiments/timing.ts.
import { parseSpec, type ExperimentSpec } from '../../spec';
import { buildDataset } from '../../data';
import { Trainer } from '../../train/trainer';
import { presets } from '../../../experiments/index';
import { loadDataSources } from '../corpus';
import { formatDuration } from '../progress';
import { evaluationsIn } from './preset-help';

export interface PresetTime {
  name: string;
  stepMs: number;
  evalMs: number;
  steps: number; // the preset's default
  expectedS: number; // steps * stepMs + evaluations * evalMs (no start-up)
}

/** Milliseconds per training step (`steps` of them, after one warm-up step) and per evaluation of a spec. */
export function timeSpec(spec: ExperimentSpec, steps = 3): { stepMs: number; evalMs: number } {
  const tr = new Trainer(spec, buildDataset(spec, loadDataSources(spec)));
  try {
    tr.step();
    let t = performance.now();
    for (let i = 0; i < steps; i++) tr.step();
    const stepMs = (performance.now() - t) / steps;
    t = performance.now();
    tr.evaluate();
    return { stepMs, evalMs: performance.now() - t };
  } finally {
    tr.dispose();
  }
}

/** Time `steps` training steps (after one warm-up step) and one evaluation of a preset. */
export function timePreset(name: string, steps = 3): PresetTime {
  const spec = parseSpec(presets[name].spec);
  const { stepMs, evalMs } = timeSpec(spec, steps);
  const n = spec.train.steps;
  return { name, stepMs, evalMs, steps: n, expectedS: (n * stepMs + evaluationsIn(spec) * evalMs) / 1000 };
}

export function formatPresetTimes(rows: PresetTime[]): string {
  const head = '| preset | ms/step | ms/evaluation | default steps | expected training time |';
  const lines = rows.map(
    (r) =>
      `| ${r.name} | ${r.stepMs.toFixed(0)} | ${r.evalMs.toFixed(0)} | ${r.steps} | ${formatDuration(r.expectedS)} |`,
  );
  const data = rows.map((r) => `  '${r.name}': { stepMs: ${r.stepMs.toFixed(0)}, evalMs: ${r.evalMs.toFixed(0)} },`);
  return [head, '|---|---|---|---|---|', ...lines, '', 'for experiments/timing.ts:', ...data].join('\n');
}

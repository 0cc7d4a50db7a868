// The experiment list of `--help`: every preset with a one-line description and its expected run time on this
// kind of machine, from the measured speeds in experiments/timing.ts.
import { parseSpec, type ExperimentSpec } from '../../spec';
import { presets, type PresetGroup } from '../../../experiments/index';
import { presetTimings, STARTUP_S, TIMING_MACHINE } from '../../../experiments/timing';
import { formatDuration } from '../progress';

/** Evaluations in a run of `steps` steps: step 0, every evalInterval, and the last step. */
export function evaluationsIn(spec: ExperimentSpec, steps = spec.train.steps): number {
  const every = spec.log.evalInterval;
  return 1 + Math.floor(steps / every) + (steps % every === 0 ? 0 : 1);
}

/** Expected wall time in seconds of a preset run (null when the preset was not timed). */
export function expectedSeconds(name: string, steps?: number): number | null {
  const t = presetTimings[name];
  if (!t || !presets[name]) return null;
  const spec = parseSpec(presets[name].spec);
  const n = steps ?? spec.train.steps;
  return STARTUP_S + (n * t.stepMs + evaluationsIn(spec, n) * t.evalMs) / 1000;
}

/** "~45s", "~6m" (rounded up to whole minutes beyond two minutes: this is a forecast, not a measurement). */
export function formatEstimate(s: number): string {
  if (s < 120) return `~${formatDuration(Math.ceil(s / 5) * 5)}`;
  return `~${Math.ceil(s / 60)} min`;
}

const GROUPS: { group: PresetGroup; title: string }[] = [
  { group: 'teaching', title: 'teaching: tiny SwitchHead models on synthetic tasks, each learns something visible' },
  { group: 'cpu', title: "cpu: the paper's models at CPU size on byte-level Gutenberg, 600 steps" },
  {
    group: 'paper',
    title:
      "paper: the paper's 47M / 45M configurations, too large for a laptop (100k steps on GPUs; a single step " +
      'runs the wasm backend out of memory); use them with `npm run cost` or on a GPU machine',
  },
];

/** The help section listing every preset: name, expected time, description. */
export function presetHelp(): string[] {
  const names = Object.keys(presets);
  const width = Math.max(...names.map((n) => n.length));
  const lines = [`experiments (expected time at the default steps, ${TIMING_MACHINE}):`];
  for (const { group, title } of GROUPS) {
    lines.push(`  ${title}`);
    for (const name of names.filter((n) => presets[n].group === group)) {
      const s = expectedSeconds(name);
      const time = group === 'paper' ? 'GPU' : s === null ? '?' : formatEstimate(s);
      lines.push(`    ${name.padEnd(width)}  ${time.padStart(7)}  ${presets[name].summary}`);
    }
  }
  return lines;
}

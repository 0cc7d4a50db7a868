// The registry of named experiments: the paper's configurations, their CPU-sized versions and the teaching
// presets. Data only (plus one lookup); the CLI, the app and the tests resolve names here.
import type { ExperimentSpecInput } from '../engine/spec';
import { cpuBaselines, cpuPresets } from './cpu';
import { paperBaselines, paperPresets } from './paper';
import { teachingPresets } from './teaching';

export type PresetGroup = 'paper' | 'cpu' | 'teaching';

export interface Preset {
  spec: ExperimentSpecInput;
  group: PresetGroup;
  summary: string;
}

const entries = (group: PresetGroup, specs: Record<string, ExperimentSpecInput>): [string, Preset][] =>
  Object.entries(specs).map(([name, spec]) => [name, { spec, group, summary: spec.description ?? name }]);

export const presets: Record<string, Preset> = Object.fromEntries([
  ...entries('teaching', teachingPresets),
  ...entries('cpu', cpuPresets),
  ...entries('paper', paperPresets),
]);

/** The dense baseline of each preset that has one (SPEC §7.1 pairs and their CPU versions). */
export const baselines: Record<string, string> = { ...paperBaselines, ...cpuBaselines };

/** The experiment `npm start` trains by default. */
export const DEFAULT_PRESET = 'teach-copy';

/** The three models of the small-scale reproduction: SwitchHead, its parameter-matched dense baseline, dense with SwitchHead's heads. */
export const REPRODUCTION = { switchhead: 'cpu-switchhead-k2', dense: 'cpu-xl', denseSameHeads: 'cpu-xl-h2' } as const;

/** Preset names grouped, for error messages and listings. */
export function presetList(): string {
  const groups: PresetGroup[] = ['teaching', 'cpu', 'paper'];
  return groups
    .map(
      (g) =>
        `  ${g}: ${Object.keys(presets)
          .filter((n) => presets[n].group === g)
          .join(', ')}`,
    )
    .join('\n');
}

export class UnknownPresetError extends Error {
  override name = 'UnknownPresetError';
}

/** The preset of that name; the error lists every available name. */
export function resolvePreset(name: string): Preset {
  const p = presets[name];
  if (!p) throw new UnknownPresetError(`unknown experiment "${name}"; available experiments:\n${presetList()}`);
  return p;
}

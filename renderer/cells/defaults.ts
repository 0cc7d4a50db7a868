// What a new cell of each kind holds. Pure data: the store assigns the id.
import { DEFAULT_PRESET, presets } from '../../experiments/index';
import type { NewCell } from '../state/notebook';
import type { ExperimentView } from '../state/notebook-schema';

export const DEFAULT_EXPERIMENT_VIEW: ExperimentView = {
  xAxis: 'step',
  logX: false,
  logY: false,
  smoothing: 0.6,
  routingLayer: 0,
  routingSide: 'src',
};

export function newNote(source = ''): NewCell {
  return { kind: 'note', source };
}

/** An Experiment cell starting from a preset (a copy of its spec, so edits never touch the registry). */
export function newExperiment(preset: string = DEFAULT_PRESET): NewCell {
  const spec = structuredClone(presets[preset].spec) as Record<string, unknown>;
  return { kind: 'experiment', preset, spec, runIds: [], view: { ...DEFAULT_EXPERIMENT_VIEW } };
}

// The x-axis choices of every time-series chart: training step, tokens seen, wall time, or cumulative attention MACs
// (the paper's measure: same loss for fewer MACs). Each choice names the metric column it reads and how to format it.
import type { ValueKind } from './format';

export type XAxisKind = 'step' | 'tokens' | 'time' | 'macs';

export interface XAxisChoice {
  kind: XAxisKind;
  label: string; // the axis title and readouts
  short: string; // the select's option
  column: 'step' | 'tokens' | 'time_s'; // the metric column the x values come from
  valueKind: ValueKind;
  description: string; // the tooltip
}

export const X_AXES: readonly XAxisChoice[] = [
  {
    kind: 'step',
    label: 'step',
    short: 'step',
    column: 'step',
    valueKind: 'count',
    description: 'Training step (optimizer updates).',
  },
  {
    kind: 'tokens',
    label: 'tokens',
    short: 'tokens',
    column: 'tokens',
    valueKind: 'si',
    description: 'Training tokens seen (batch size × sequence length per step).',
  },
  {
    kind: 'time',
    label: 'wall time',
    short: 'time',
    column: 'time_s',
    valueKind: 'duration',
    description: 'Training wall time: time spent in training steps (evaluation and pauses not counted).',
  },
  {
    kind: 'macs',
    label: 'attention MACs',
    short: 'MACs',
    column: 'step',
    valueKind: 'si',
    description:
      "Cumulative attention MACs: the per-layer attention cost of one sequence by the paper's formula " +
      '(SPEC §6, engine/cost.ts) × layers × batch size × steps. Forward pass only, as the paper counts it; ' +
      'MLP and embeddings are not included. Compares SwitchHead with dense attention at equal compute.',
  },
];

export function xAxisChoice(kind: XAxisKind): XAxisChoice {
  return X_AXES.find((a) => a.kind === kind) ?? X_AXES[0];
}

/** Attention MACs of one training step (forward): per-layer MACs of one sequence × layers × batch size. */
export function macsPerStep(cost: { macsPerLayer: number; nLayers: number; batchSize: number }): number {
  return cost.macsPerLayer * cost.nLayers * cost.batchSize;
}

// Tiny models for the probe tests: SwitchAll (SwitchHead attention + σ-MoE MLP), MoA and dense, on a short text
// with a character vocabulary (context 24).
import { buildDataset } from '../../engine/data';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { Trainer } from '../../engine/train/trainer';

const TEXT = 'Call me Ishmael. Some years ago, never mind how long precisely. ';

export function tinyModel(attention: Record<string, unknown>, mlp: Record<string, unknown> = {}): ExperimentSpecInput {
  return {
    model: { dModel: 16, nLayers: 2, dFF: 32, dropout: 0, attention: { nHeads: 2, dHead: 8, ...attention }, mlp },
    data: { source: { kind: 'text', text: TEXT.repeat(20) }, tokenizer: { kind: 'char' }, seqLen: 24, batchSize: 2 },
    train: { steps: 20, lr: 1e-2 },
  };
}
export const SWITCHALL = tinyModel(
  { kind: 'switchhead', nExperts: 4, k: 2, positions: 'rope' },
  { kind: 'sigma-moe', nExperts: 4, k: 2, expertSize: 8 },
);
export const MOA = tinyModel({ kind: 'moa', nExperts: 4, k: 2, positions: 'none' });
export const DENSE = tinyModel({ kind: 'dense', positions: 'rope' });

/** A trainer for `input`, trained `steps` steps (so that routing is no longer near-uniform). */
export const makeTrainer = (input: ExperimentSpecInput, steps = 0) => {
  const spec = parseSpec(input);
  const tr = new Trainer(spec, buildDataset(spec));
  for (let i = 0; i < steps; i++) tr.step();
  return tr;
};

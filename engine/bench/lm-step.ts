// A full training step (Trainer.step: forward, backward, clipping, AdamW) of a small LM on a fixed text.
import * as tf from '@tensorflow/tfjs';
import { buildDataset } from '../data';
import type { ExperimentSpec } from '../spec';
import { Trainer } from '../train/trainer';
import { cachedTableCount } from '../ops/position';
import { median, profileRun } from './measure';

/** Deterministic pseudo-text (letters, spaces, punctuation) long enough for many batches. */
export function benchText(chars: number, seed = 7): string {
  const words = [
    'the',
    'of',
    'and',
    'attention',
    'expert',
    'head',
    'value',
    'output',
    'mixture',
    'switch',
    'a',
    'to',
    'in',
  ];
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const out: string[] = [];
  let n = 0;
  while (n < chars) {
    const w = words[Math.floor(rnd() * words.length)]! + (rnd() < 0.1 ? '. ' : ' ');
    out.push(w);
    n += w.length;
  }
  return out.join('');
}

export interface LmStepResult {
  medianMs: number;
  allMs: number[];
  tokensPerS: number;
  peakBytes: number; // peak buffer bytes of one step above what was live before it (weights, optimizer state); see measure.ts
  tfjsPeakBytes: number;
  params: number;
  leakedTensors: number; // over all trainers together
}

function makeTrainer(spec: ExperimentSpec, steps: number): Trainer {
  const { seqLen, batchSize } = spec.data;
  const text = benchText(seqLen * batchSize * (steps + 4) * 2);
  const withText: ExperimentSpec = {
    ...spec,
    data: { ...spec.data, source: { kind: 'text', text, name: 'bench text' } },
  };
  return new Trainer(withText, buildDataset(withText));
}

/** Training steps of several LMs, alternating step by step (fair under changing load), then one profiled step each. */
export async function benchLmSteps(specs: ExperimentSpec[], repeats: number, warmup: number): Promise<LmStepResult[]> {
  const trainers: Trainer[] = [];
  try {
    for (const spec of specs) trainers.push(makeTrainer(spec, repeats + warmup + 1));
    for (let i = 0; i < warmup; i++) for (const t of trainers) t.step();
    const before = tf.memory().numTensors - cachedTableCount(); // cached constant tables stay on purpose
    const ms = trainers.map(() => [] as number[]);
    for (let i = 0; i < repeats; i++) for (const [j, t] of trainers.entries()) ms[j]!.push(t.step().step_ms);
    const leakedTensors = tf.memory().numTensors - cachedTableCount() - before;
    const results: LmStepResult[] = [];
    for (const [j, t] of trainers.entries()) {
      const prof = await profileRun(() => void t.step());
      const { seqLen, batchSize } = specs[j]!.data;
      const medianMs = median(ms[j]!);
      results.push({
        medianMs,
        allMs: ms[j]!,
        tokensPerS: (seqLen * batchSize * 1000) / medianMs,
        peakBytes: prof.peakBytes,
        tfjsPeakBytes: prof.tfjsPeakBytes,
        params: Object.values(t.params).reduce((n, v) => n + v.size, 0),
        leakedTensors,
      });
    }
    return results;
  } finally {
    for (const t of trainers) t.dispose();
  }
}

// Teaching presets: tiny SwitchHead models on the synthetic tasks (DATASETS.md §4), small enough to learn
// something visible within about two minutes on a 2-core machine (wasm backend). Data only.
// Measured final validation answer accuracy at the default steps is recorded next to each preset
// (test/experiments.test.ts re-measures a shortened version of one of them).
import type { ExperimentSpecInput } from '../engine/spec';

type SourceInput = Extract<NonNullable<NonNullable<ExperimentSpecInput['data']>['source']>, { kind: 'synthetic' }>;

/** A tiny SwitchHead LM: 2 layers of width 64, 2 heads with 4 experts each, 2 active. */
const tinyModel: NonNullable<ExperimentSpecInput['model']> = {
  dModel: 64, // tiny: a step takes tens of milliseconds on wasm
  nLayers: 2, // the smallest depth that can do induction-style lookups (copy, recall)
  dFF: 128, // 2d: the tasks need little MLP capacity
  dropout: 0, // fresh random examples every step: no overfitting to regularise
  attention: {
    kind: 'switchhead', // the method being taught (= default)
    nHeads: 2, // = default
    dHead: 16, // d / H / 2: small heads, as in SwitchHead
    nExperts: 4, // = default
    k: 2, // = default
    positions: 'rope', // = default; the tasks need relative positions
  },
};

/** Short, fast training: a high learning rate with warm-up, then cosine decay. */
const tinyTrain: NonNullable<ExperimentSpecInput['train']> = {
  lr: 3e-3, // tiny models tolerate (and need) a high learning rate to learn in a few hundred steps
  warmupSteps: 30, // avoid early divergence at the high learning rate
  gradClip: 1, // the default 0.1 (the paper's) slows tiny models down too much
};

const tinyLog: NonNullable<ExperimentSpecInput['log']> = {
  evalInterval: 50, // 12 accuracy points over the run
  routingInterval: 50, // routing snapshot with each validation point
  probeInterval: 100, // watch attention form
  checkpointInterval: 200, // three checkpoints per run
};

type DataInput = { seqLen: number; batchSize?: number };
type TrainInput = { steps: number; weightDecay?: number };

function teach(
  name: string,
  summary: string,
  source: SourceInput,
  data: DataInput,
  probeText: string,
  train: TrainInput,
): ExperimentSpecInput {
  return {
    name,
    description: summary,
    model: tinyModel,
    data: { source, tokenizer: { kind: 'byte' }, batchSize: 16, ...data }, // batch 16 unless the preset says otherwise: enough examples per step, still fast
    train: { ...tinyTrain, ...train }, // per task: what fits in about two minutes and shows progress
    log: { ...tinyLog, probeText }, // one example in the task's vocabulary (tokens separated by spaces)
  };
}

// Measured on this machine (wasm, 2 cores, each run sharing them with one other training job), default steps,
// final validation answer accuracy (whole answer right) and training time, 2026-11-28; re-measure with
// `npm run experiment -- NAME`:
//   teach-copy      200 steps  100%   29 s  (100% already at step 100)
//   teach-reverse   600 steps  100%   55 s  (0% until ~step 250, then a sudden jump: 82% at 300)
//   teach-recall    600 steps  100%  40-59 s (chance 25%; ~40% until step 250, then the induction jump: 65% at 300, 99% at 400).
//                   Was 46% with 5 examples packed per 64-token row: keys repeat across the row's examples, and the
//                   query then also matches stale pairs of earlier examples. One example per row removes that.
//   teach-modadd   1500 steps  100%  56-62 s held-out pairs (6 of 121; 3 of them without their mirror b + a in training),
//                   100% from ~step 550, with weight decay 1 (grokking recipe). Without it: 0% held-out, 100% train.
//   teach-mixture   800 steps   70%  57-60 s (per task: copy 100%, reverse 100%, sort 100%, recall 39%, modadd 12% held out;
//                   was 68% packed 5 per row without weight decay; 1600 steps: 77%, recall 39%, modadd 43%, 126 s.
//                   Recall gets 1/5 of the examples and does not reach its induction jump within two minutes here)
export const teachingPresets: Record<string, ExperimentSpecInput> = {
  'teach-copy': teach(
    'teach-copy',
    'Copy 6 symbols after a separator: attention learns to look back a fixed distance',
    { kind: 'synthetic', task: 'copy', length: 6, symbols: 10 },
    { seqLen: 64 },
    'B D A J C E <sep> B D A J C E',
    { steps: 200 },
  ), // short sequences: ~5 examples per row
  'teach-reverse': teach(
    'teach-reverse',
    'Reverse 6 symbols: each answer position looks at a different, mirrored input position',
    { kind: 'synthetic', task: 'reverse', length: 6, symbols: 10 },
    { seqLen: 64 },
    'B D A J C E <sep> E C J A D B',
    { steps: 600 },
  ), // same size as copy, harder pattern
  'teach-recall': teach(
    'teach-recall',
    'Associative recall: 4 key-value pairs, then a key; answer its value (induction heads)',
    { kind: 'synthetic', task: 'recall', length: 4, symbols: 8 }, // 4 pairs over 8 keys: learnable in minutes
    { seqLen: 10, batchSize: 96 }, // one 11-token example per row (keys repeat across packed examples: 46% at seqLen 64); 96 rows ≈ the old tokens per step
    'C f A b H a E d ? A b',
    { steps: 600 },
  ), // 100% from ~step 450 (measured: 600 steps, 100%, 40-59 s); 48 rows or 300 steps: no jump (45%)
  'teach-modadd': teach(
    'teach-modadd',
    'Modular addition a + b = ? (mod 11) with weight decay: held-out pairs go from 0% to 100% (generalisation, not just memorisation)',
    { kind: 'synthetic', task: 'modadd', modulus: 11 },
    { seqLen: 32 },
    '7 + 6 = 2 3 + 4 = 7', // p = 11: 121 pairs, small enough to see progress
    { steps: 1500, weightDecay: 1 },
  ), // weight decay 1 as in grokking: 0% held-out without it; 100% from ~step 550 with it (measured 100%, 56 s; 1000 steps: 77%)
  'teach-mixture': teach(
    'teach-mixture',
    'A mixture of copy, reverse, recall, modular addition and sort: do experts specialise by task?',
    { kind: 'synthetic', task: 'mixture', length: 4, symbols: 8, modulus: 11 }, // short items so every task fits
    { seqLen: 11, batchSize: 96 }, // one example per row, as for teach-recall (the longest, recall, is 12 tokens)
    '<recall> C f A b H a E d ? A b', // one recall example: the probe is cut to seqLen + 1 tokens
    { steps: 800, weightDecay: 1 },
  ), // weight decay 1 as in teach-modadd; 1600 steps reach 77% but take ~2 min
};

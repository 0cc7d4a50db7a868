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

function teach(name: string, summary: string, source: SourceInput, seqLen: number, probeText: string, steps: number): ExperimentSpecInput {
  return {
    name,
    description: summary,
    model: tinyModel,
    data: { source, tokenizer: { kind: 'byte' }, seqLen, batchSize: 16 }, // batch 16: enough examples per step, still fast
    train: { ...tinyTrain, steps }, // per task: what fits in about two minutes and shows progress
    log: { ...tinyLog, probeText }, // one example in the task's vocabulary (tokens separated by spaces)
  };
}

// Measured on this machine (wasm, 2 cores shared with other jobs), default steps, final validation answer accuracy
// (whole answer right) and training time, 2026-11-28; re-measure with `npm run experiment -- NAME`:
//   teach-copy     200 steps  100%   29 s  (100% already at step 100)
//   teach-reverse  600 steps  100%   55 s  (0% until ~step 250, then a sudden jump: 82% at 300)
//   teach-recall   800 steps   46%   68 s  (chance 25%: the value of one of the 4 keys shown; plateaus from ~step 300)
//   teach-modadd   400 steps    0%   18 s  held-out pairs, while training accuracy reaches 100%: memorisation, not generalisation
//   teach-mixture  800 steps   68%   62 s  (per task: copy 100%, reverse 100%, sort 100%, recall 37%, modadd 0% on held-out pairs)
export const teachingPresets: Record<string, ExperimentSpecInput> = {
  'teach-copy': teach('teach-copy', 'Copy 6 symbols after a separator: attention learns to look back a fixed distance',
    { kind: 'synthetic', task: 'copy', length: 6, symbols: 10 }, 64, 'B D A J C E <sep> B D A J C E', 200), // short sequences: ~5 examples per row
  'teach-reverse': teach('teach-reverse', 'Reverse 6 symbols: each answer position looks at a different, mirrored input position',
    { kind: 'synthetic', task: 'reverse', length: 6, symbols: 10 }, 64, 'B D A J C E <sep> E C J A D B', 600), // same size as copy, harder pattern
  'teach-recall': teach('teach-recall', 'Associative recall: 4 key-value pairs, then a key; answer its value (induction heads)',
    { kind: 'synthetic', task: 'recall', length: 4, symbols: 8 }, 64, 'C f A b H a E d ? A b', 800), // 4 pairs over 8 keys: learnable in minutes
  'teach-modadd': teach('teach-modadd', 'Modular addition a + b = ? (mod 11): the training pairs are memorised (100%) while held-out pairs stay wrong',
    { kind: 'synthetic', task: 'modadd', modulus: 11 }, 32, '7 + 6 = 2 3 + 4 = 7', 400), // p = 11: 121 pairs, small enough to see progress
  'teach-mixture': teach('teach-mixture', 'A mixture of copy, reverse, recall, modular addition and sort: do experts specialise by task?',
    { kind: 'synthetic', task: 'mixture', length: 4, symbols: 8, modulus: 11 }, 64, '<copy> B D A H <sep> B D A H <modadd> 7 + 6 = 2', 800), // short items so every task fits
};

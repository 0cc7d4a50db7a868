// CPU-sized versions of the paper's 47M / 45M configurations (SPEC §7.1), as experiment specs. Data only.
// Every width is the paper's scaled by dModel 128 / 412; the ratios the paper sets are kept: H·d_h ≈ d for the
// dense baselines, d/H for the same-H baselines, E and k unchanged, T(RoPE) = 2·T(XL) with no memory, d_ff ≈ 5d,
// σ-MoE N_E·G ≈ 5d. Each SwitchHead model has its d_ff re-matched to its dense baseline's parameter count, as the
// paper does (d_ff 2080 vs 2053); test/experiments.test.ts checks the match (within 2%) with engine/cost.ts.
// Byte-level Gutenberg (the default corpus), so the vocabulary is 256.
import type { ExperimentSpecInput } from '../engine/spec';

type ModelInput = NonNullable<ExperimentSpecInput['model']>;
type DataInput = NonNullable<ExperimentSpecInput['data']>;
type TrainInput = NonNullable<ExperimentSpecInput['train']>;

const D_MODEL = 128; // CPU size: the paper's 412 scaled down ~3.2x
const N_LAYERS = 4; // CPU size: the paper's 16 / 4
const D_FF = 640; // paper d_ff 2053 ≈ 5·d; 5·128

/** Short CPU runs; otherwise the paper's 47M recipe (SPEC §8). */
const trainCpu: TrainInput = {
  steps: 600, // CPU budget: a few minutes per model on wasm (the paper: 100k)
  lr: 1e-3, // a short run learns little at the paper's 2.5e-4; 4x it (clipping at 0.1 keeps it stable)
  warmupSteps: 0, // SPEC §8: no warm-up at 47M (= default)
  cosine: true, // SPEC §8: cosine annealing to 0 (= default)
  gradClip: 0.1, // SPEC §8: 0.1 for SwitchHead and XL at 47M (= default)
  seed: 42, // same seed and data order for every model of a comparison (= default)
};

/** XL runs: T 128 + one memory block (the paper's 256 + 256, halved), byte-level Gutenberg. */
const dataXL: DataInput = {
  source: { kind: 'corpus', name: 'gutenberg' }, // the bundled corpus (the paper's datasets are not bundled)
  tokenizer: { kind: 'byte' }, // byte-level, like the paper's Enwik8 runs
  seqLen: 128, // paper T 256 halved for CPU
  batchSize: 8, // paper batch 64 / 8 for CPU
};

/** RoPE runs: twice the XL context and no memory, as in the paper (512 vs 256 + 256). */
const dataRope: DataInput = {
  ...dataXL,
  seqLen: 256, // SPEC §8 ratio: T(RoPE) = 2·T(XL), no memory
};

/** Logging for a few-hundred-step run. */
const logCpu: NonNullable<ExperimentSpecInput['log']> = {
  evalInterval: 50, // ~12 validation points over 600 steps
  routingInterval: 50, // routing snapshot with every validation point
  probeInterval: 200, // three probes per run
  checkpointInterval: 100, // lose at most 100 steps to a crash
};

const xlPositions = { positions: 'xl', xlMemory: true } as const; // SPEC §2.1: relative PE + 1 memory block
const ropePositions = { positions: 'rope', xlMemory: false } as const; // SPEC §2.2: no memory

function lm(
  name: string,
  description: string,
  model: ModelInput,
  data = dataXL,
  train = trainCpu,
): ExperimentSpecInput {
  return {
    name,
    description,
    model: { dModel: D_MODEL, nLayers: N_LAYERS, dropout: 0, ...model }, // dropout 0: < 1 epoch of 11M bytes, nothing to regularise
    data,
    train,
    log: logCpu,
  };
}

/** Dense Transformer-XL baseline (paper: H 10, d_h 41, H·d_h = 410 ≈ d). */
const xl = lm('cpu-xl', 'CPU Transformer-XL baseline (paper wikitext103_xl scaled to d 128)', {
  dFF: D_FF, // ≈ 5d like the paper's 2053
  attention: { kind: 'dense', nHeads: 10, dHead: 13, ...xlPositions }, // H 10 like the paper; d_h 41·128/412 ≈ 13
});

/** Dense XL with SwitchHead's 2 heads (paper: d_h 205 so H·d_h = 410 equals the baseline's). */
const xlH2 = lm('cpu-xl-h2', "CPU Transformer-XL with SwitchHead's number of heads (paper wikitext103_xl_h2)", {
  dFF: D_FF, // same as the baseline, like the paper
  attention: { kind: 'dense', nHeads: 2, dHead: 65, ...xlPositions }, // H 2; H·d_h = 130 = the baseline's, so params match exactly
});

const switchHeadXL = {
  kind: 'switchhead',
  nHeads: 2,
  dHead: 24,
  nExperts: 5,
  moe: { q: false, k: false, v: true, o: true },
  ...xlPositions,
} as const; // paper H 2, E 5, V+O MoE; d_h 76·128/412 ≈ 24

/** SwitchHead k=2 (paper wikitext103_moeatt_matched_l_ff). */
const switchHeadK2 = lm(
  'cpu-switchhead-k2',
  'CPU SwitchHead k=2, parameter-matched to cpu-xl (paper wikitext103_moeatt_matched_l_ff)',
  {
    dFF: 644, // re-matched to cpu-xl's parameter count (the paper: 2080 vs 2053)
    attention: { ...switchHeadXL, k: 2 }, // paper: k 2 on Wikitext-103
  },
);

/** SwitchHead k=3 (paper c4_moeatt_small_k3). */
const switchHeadK3 = lm(
  'cpu-switchhead-k3',
  'CPU SwitchHead k=3, parameter-matched to cpu-xl (paper c4_moeatt_small_k3)',
  {
    dFF: 644, // re-matched (k does not change the parameter count)
    attention: { ...switchHeadXL, k: 3 }, // paper: k 3 on C4 / peS2o
  },
);

/** SwitchAll: SwitchHead k=2 attention + σ-MoE MLP (paper wikitext103_small_fullmoe). */
const switchAll = lm(
  'cpu-switchall',
  'CPU SwitchAll: SwitchHead k=2 + σ-MoE MLP (paper wikitext103_small_fullmoe)',
  {
    dFF: 640, // unused by σ-MoE; set to N_E·G for readability
    attention: { ...switchHeadXL, k: 2 }, // paper SwitchAll: 2, 76, 5, 2 (d_h scaled)
    mlp: {
      kind: 'sigma-moe', // SPEC §3: SwitchAll replaces the dense FFN with σ-MoE
      nExperts: 16, // paper N_E 16
      expertSize: 40, // paper G 128 (N_E·G = 2048 ≈ 5d); 40 keeps N_E·G = 640 = 5d
      k: 4, // paper: 4 active experts
      entropyReg: 1e-4, // paper γ 1e-4
      expertDropout: 0, // paper: no expert dropout at this size (= default)
    },
  },
  dataXL,
  { ...trainCpu, gradClip: 0.25 },
); // SPEC §8: grad clip 0.25 for SwitchAll-small

/** Dense RoPE baseline (paper wikitext103_xl_rope). */
const rope = lm(
  'cpu-rope',
  'CPU Transformer RoPE baseline (paper wikitext103_xl_rope)',
  {
    dFF: D_FF, // ≈ 5d
    attention: { kind: 'dense', nHeads: 10, dHead: 13, ...ropePositions }, // paper H 10, d_h 41 scaled
  },
  dataRope,
);

/** SwitchHead RoPE k=3 (paper wikitext103_moeatt_rope_matched_k3). */
const switchHeadRope = lm(
  'cpu-switchhead-rope',
  'CPU SwitchHead RoPE k=3, parameter-matched to cpu-rope (paper wikitext103_moeatt_rope_matched_k3)',
  {
    dFF: 650, // re-matched to cpu-rope (the paper: 2092 vs 2053)
    attention: { kind: 'switchhead', nHeads: 2, dHead: 20, nExperts: 5, k: 3, ...ropePositions }, // paper 2, 64, 5, 3; d_h 64·128/412 ≈ 20
  },
  dataRope,
);

/** Dense RoPE with 2 heads (paper wikitext103_xl_rope_h2). */
const ropeH2 = lm(
  'cpu-rope-h2',
  'CPU Transformer RoPE with 2 heads (paper wikitext103_xl_rope_h2)',
  {
    dFF: D_FF, // same as the baseline
    attention: { kind: 'dense', nHeads: 2, dHead: 65, ...ropePositions }, // H·d_h = the baseline's 130
  },
  dataRope,
);

/** MoA, parameter-matched to cpu-xl (paper-47m-moa's choice scaled: 16 experts, 4 active, d_h 20). */
const moa = lm('cpu-moa', 'CPU MoA, parameter-matched to cpu-xl (our config; no official sweep)', {
  dFF: 608, // re-matched to cpu-xl's parameter count
  attention: { kind: 'moa', nHeads: 4, dHead: 20, nExperts: 16, k: 4, moaMode: 'my', ...xlPositions }, // paper-47m-moa: E 16, k 4, d_h 64 scaled; nHeads unused, = k
});

/** The CPU presets by stable name. */
export const cpuPresets: Record<string, ExperimentSpecInput> = Object.fromEntries(
  [xl, xlH2, switchHeadK2, switchHeadK3, switchAll, rope, switchHeadRope, ropeH2, moa].map((s) => [
    s.name as string,
    s,
  ]),
);

/** The dense baseline each CPU preset is parameter-matched to / compared with. */
export const cpuBaselines: Record<string, string> = {
  'cpu-xl-h2': 'cpu-xl',
  'cpu-switchhead-k2': 'cpu-xl',
  'cpu-switchhead-k3': 'cpu-xl',
  'cpu-switchall': 'cpu-xl',
  'cpu-moa': 'cpu-xl',
  'cpu-switchhead-rope': 'cpu-rope',
  'cpu-rope-h2': 'cpu-rope',
};

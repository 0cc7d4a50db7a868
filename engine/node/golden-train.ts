// Golden check of whole training steps (component "lm_training", tools/gen_golden_train.py): the project's own
// Trainer, given the file's initial weights and one batch per step, must reproduce the float64 reference's
// per-step loss, cross-entropy, regulariser, learning rate and gradient norm, the final weights and the final
// AdamW moments. The Trainer is driven from the outside only: a Dataset whose batcher replays the file's batches,
// and parameter values overwritten after construction.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Batcher, BatcherState, Dataset } from '../data';
import { makeTokenizer } from '../data/tokenizer';
import { parseSpec, type ExperimentSpec } from '../spec';
import { Trainer, type StepReport } from '../train/trainer';
import { attentionConfig, flat, relErr, toTensor, type Comparison, type GoldenTensor } from './golden-tensors';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a golden training file as parsed JSON (oracle README)
type Golden = Record<string, any>;

/** Replays a fixed list of batches, one per next(), and refuses to run past its end. */
export class ReplayBatcher implements Batcher {
  readonly batchSize: number;
  readonly seqLen: number;
  private pos = 0;

  constructor(private readonly batches: Batch[]) {
    if (batches.length === 0) throw new Error('no batches to replay');
    this.batchSize = batches[0].batchSize;
    this.seqLen = batches[0].seqLen;
  }
  next(): Batch {
    const b = this.batches[this.pos];
    if (!b) throw new Error(`the file holds ${this.batches.length} batches; step ${this.pos + 1} asked for one more`);
    this.pos++;
    return b;
  }
  state(): BatcherState {
    return { kind: 'lm', step: this.pos, seed: 0, fingerprint: 'golden-replay' };
  }
  restore(state: BatcherState): void {
    this.pos = state.step;
  }
  evalBatches(n: number): Batch[] {
    return this.batches.slice(0, n);
  }
}

/** Dataset view of replayed batches: what the Trainer reads (vocabulary size, train batcher, no validation). */
export function replayDataset(batches: Batch[], vocabSize: number): Dataset {
  const train = new ReplayBatcher(batches);
  return {
    tokenizer: makeTokenizer({ kind: 'byte' }), // never used: no text, no validation batches
    train,
    val: train,
    valBatches: [],
    vocabSize,
    description: `${batches.length} replayed golden batches`,
    stats: { documents: 0, characters: 0, trainTokens: 0, valTokens: 0, unigramEntropyBits: null },
  };
}

/** inputs.tokens [n_steps, B, T+1] -> one Batch per step (inputs [:, :-1], targets [:, 1:]). */
function fileBatches(tokens: GoldenTensor): Batch[] {
  const [S, B, T1] = tokens.shape;
  const all = flat(tokens);
  return Array.from({ length: S }, (_, s) => {
    const T = T1 - 1,
      input = new Int32Array(B * T),
      target = new Int32Array(B * T);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        input[b * T + t] = all[(s * B + b) * T1 + t];
        target[b * T + t] = all[(s * B + b) * T1 + t + 1];
      }
    return { batchSize: B, seqLen: T, input, target };
  });
}

/** The file's model and hyper-parameters as an ExperimentSpec (dropout and expert dropout as stored: 0). */
export function trainingSpec(g: Golden): ExperimentSpec {
  const c = g.config,
    a = c.att,
    m = c.mlp,
    h = g.train;
  const attention = {
    ...attentionConfig(a, a.kind ?? 'switchhead'),
    xlMemory: !!a.xl_memory,
    selectionReg: a.selection_reg ?? 0,
    expertDropout: c.expert_dropout ?? 0,
  };
  const sigma = m.type === 'sigma_moe';
  return parseSpec({
    name: String(g.component),
    model: {
      dModel: c.d_model,
      nLayers: c.n_layers,
      dFF: sigma ? 1 : m.d_ff,
      dropout: c.dropout ?? 0,
      attention,
      mlp: sigma
        ? {
            kind: 'sigma-moe',
            nExperts: m.n_experts,
            k: m.k,
            expertSize: m.expert_size,
            entropyReg: m.entropy_reg ?? 0,
            expertDropout: c.expert_dropout ?? 0,
          }
        : { kind: 'dense', entropyReg: 0 },
    },
    data: { seqLen: c.seq_len, batchSize: c.batch },
    train: {
      steps: h.steps,
      lr: h.lr,
      warmupSteps: h.warmup_steps,
      cosine: h.cosine,
      minLrRatio: h.min_lr_ratio,
      beta1: h.beta1,
      beta2: h.beta2,
      eps: h.eps,
      weightDecay: h.weight_decay,
      gradClip: h.grad_clip,
      regCoef: h.reg_coef,
    },
  });
}

/** Overwrite every parameter with the file's value; the two name sets and every shape must agree. */
function loadWeights(tr: Trainer, weights: Record<string, GoldenTensor>): void {
  const mine = Object.keys(tr.params),
    theirs = Object.keys(weights);
  const missing = mine.filter((n) => !(n in weights)),
    unknown = theirs.filter((n) => !(n in tr.params));
  if (missing.length || unknown.length)
    throw new Error(
      `weights do not match the model: ${missing.length ? `missing ${missing.join(', ')}` : ''}` +
        `${missing.length && unknown.length ? '; ' : ''}${unknown.length ? `unknown ${unknown.join(', ')}` : ''}`,
    );
  for (const n of mine) {
    const want = tr.params[n].shape.join(',');
    if (weights[n].shape.join(',') !== want)
      throw new Error(`weight ${n}: the file has shape [${weights[n].shape}], the model [${want}]`);
    tf.tidy(() => tr.params[n].assign(toTensor(weights[n])));
  }
}

const STEP_FIELDS = ['loss', 'ce', 'reg', 'lr', 'grad_norm'] as const;

function compareStep(s: number, got: StepReport, ref: Record<string, number>): Comparison[] {
  return STEP_FIELDS.map((f) => ({ name: `step${s}.${f}`, err: relErr([got[f]], [ref[f]]) }));
}

function compareTensors(prefix: string, got: Record<string, tf.Tensor>, ref: Record<string, GoldenTensor>) {
  return Object.entries(ref).map(([n, t]): Comparison =>
    got[n]
      ? { name: `${prefix}.${n}`, err: relErr(got[n].dataSync(), flat(t)) }
      : { name: `${prefix}.${n}`, err: Infinity, note: 'no such parameter' },
  );
}

/** Run the file's steps with the project's Trainer and compare everything the file records. */
export function checkTraining(g: Golden, makeTrainer = (s: ExperimentSpec, d: Dataset) => new Trainer(s, d)) {
  const spec = trainingSpec(g);
  if (spec.model.dropout > 0 || spec.model.attention.expertDropout > 0 || spec.model.mlp.expertDropout > 0)
    throw new Error('training golden files need dropout and expert dropout 0 (their random numbers cannot match)');
  const batches = fileBatches(g.inputs.tokens);
  const steps = g.steps as Record<string, number>[];
  if (steps.length !== batches.length) throw new Error(`${steps.length} recorded steps but ${batches.length} batches`);
  const tr = makeTrainer(spec, replayDataset(batches, g.config.vocab_size));
  try {
    loadWeights(tr, g.weights);
    const c: Comparison[] = [];
    steps.forEach((ref, s) => c.push(...compareStep(s + 1, tr.step(), ref)));
    c.push(...compareTensors('final_weights', tr.params, g.final_weights));
    if (g.final_moments) {
      c.push(...compareTensors('final_moments.m', tr.optimizer.m, g.final_moments.m));
      c.push(...compareTensors('final_moments.v', tr.optimizer.v, g.final_moments.v));
    }
    return c;
  } finally {
    tr.dispose();
  }
}

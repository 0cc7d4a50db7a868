// The training loop, one step at a time. step() returns a report; it never posts or writes: the CLI, the worker
// and the tests decide what to do with it. Deterministic under spec.train.seed on a given backend.
import * as tf from '@tensorflow/tfjs';
import type { EvalReport, StepReport } from '../contracts/reports';
import type { Batch, BatcherState, Dataset } from '../data';
import { accuracy, type AccuracyReport } from '../data';
import type { ExperimentSpec } from '../spec';
import { initParams, paramDefs } from '../model/init';
import { lmForward, type LmOut } from '../model/lm';
import { scoped } from '../ops/custom';
import { meanCrossEntropy } from '../ops/nn';
import { disposeCachedTables } from '../ops/position';
import { AdamW, clipByGlobalNorm, globalNorm } from './optimizer';
import { runAsync, runSync, type Reader } from './readback';
import { learningRate } from './schedule';

export type { EvalReport, StepReport } from '../contracts/reports';

/** What, besides its tensors, makes a trainer continue exactly where it was: saved in checkpoints. */
export interface TrainerState {
  step: number;
  tokens: number;
  elapsedS: number;
  baseLr: number;
  optimizerT: number;
  batcher: BatcherState;
}

/** A trainer's state and its tensors under their checkpoint names: parameters (emb, layers.0.att.W_v, ...),
 *  optim.m.<name>, optim.v.<name>, xl_memory.<layer>. The tensors are the trainer's own (not copies). */
export interface TrainerSnapshot {
  state: TrainerState;
  tensors: [string, tf.Tensor][];
}

/** Tensor values to restore, by checkpoint name (xl_memory.* optional: absent before the first step). */
export type TensorValues = Record<string, { shape: number[]; data: Float32Array }>;

/** Training stopped because the loss (or gradient) stopped being finite. No update was applied. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly what: string,
    value: number,
  ) {
    super(
      `${what} became ${value} at step ${step}; training stopped before applying the update (try a lower learning rate or stronger clipping)`,
    );
    this.name = 'NonFiniteLossError';
  }
}

export class Trainer {
  readonly params: Record<string, tf.Variable>;
  readonly optimizer: AdamW;
  stepCount = 0;
  tokens = 0;
  elapsedS = 0;
  /** The live base learning rate (the schedule scales it); set by setLearningRate. */
  baseLr: number;
  /** XL memory: per layer, the previous segment's layer inputs [B, T, d] (detached). */
  memory: tf.Tensor[] | null = null;
  private bytesPerToken: number | null;

  constructor(
    readonly spec: ExperimentSpec,
    readonly data: Dataset,
  ) {
    this.params = initParams(paramDefs(spec.model, data.vocabSize), spec.train.seed);
    this.optimizer = new AdamW(this.params, spec.train);
    this.baseLr = spec.train.lr;
    this.bytesPerToken = data.synthetic ? null : measureBytesPerToken(data);
  }

  get xl(): boolean {
    return this.spec.model.attention.xlMemory;
  }

  lrAt(step: number): number {
    return learningRate({ ...this.spec.train, lr: this.baseLr }, step);
  }

  setLearningRate(lr: number): void {
    if (!(lr > 0) || !Number.isFinite(lr)) throw new Error(`learning rate must be a positive number, got ${lr}`);
    this.baseLr = lr;
  }

  /** Forward pass on a batch; returns the LM output plus the loss terms. Call inside a tidy. */
  forward(
    batch: Batch,
    memory: tf.Tensor[] | null,
    training: boolean,
    seed: number,
  ): { out: LmOut; ce: tf.Scalar; loss: tf.Scalar } {
    const { batchSize: B, seqLen: T } = batch;
    const input = tf.tensor2d(batch.input, [B, T], 'int32');
    const target = tf.tensor1d(batch.target, 'int32');
    const mask = batch.mask ? tf.tensor1d(batch.mask) : undefined;
    const out = lmForward(this.params, this.spec.model, input, memory, { training, seed });
    const ce = meanCrossEntropy(out.logits.reshape([B * T, -1]) as tf.Tensor2D, target, mask);
    return { out, ce, loss: tf.add(ce, tf.mul(out.regLoss, this.spec.train.regCoef)) as tf.Scalar };
  }

  /** One optimisation step. Throws NonFiniteLossError (and leaves the weights untouched) on NaN/Inf.
   *  Synchronous readback: wasm, cpu and Node. Use stepAsync() for WebGPU in a browser. */
  step(): StepReport {
    return runSync(this.stepReader());
  }

  stepAsync(): Promise<StepReport> {
    return runAsync(this.stepReader());
  }

  private *stepReader(): Reader<StepReport> {
    const t0 = now();
    const batch = this.data.train.next();
    const step = this.stepCount;
    const lr = this.lrAt(step);
    const seed = (this.spec.train.seed * 1_000_003 + step) % 2147483647;
    let kept: { ce: tf.Scalar; reg: tf.Scalar; memory: tf.Tensor[]; pred?: tf.Tensor } | undefined;
    const { value, grads: byVariable } = tf.variableGrads(() => {
      const { out, ce, loss } = this.forward(batch, this.memory, true, seed);
      // The forward runs in a tidy: keep what outlives it (loss parts, next memory, predictions for accuracy).
      kept = {
        ce: tf.keep(ce),
        reg: tf.keep(out.regLoss),
        memory: this.xl ? out.layerInputs.map((h) => tf.keep(h)) : [],
        pred: batch.mask ? tf.keep(tf.argMax(out.logits, -1)) : undefined,
      };
      return loss;
    });
    const k = kept!;
    // variableGrads keys gradients by tfjs variable name; map them back to parameter names.
    const grads: Record<string, tf.Tensor> = {};
    for (const [n, v] of Object.entries(this.params)) if (byVariable[v.name]) grads[n] = byVariable[v.name];
    const norm = globalNorm(grads);
    try {
      const [lossV, ceV, regV, normV, predV] = yield [value, k.ce, k.reg, norm, ...(k.pred ? [k.pred] : [])];
      const loss = lossV[0],
        gradNorm = normV[0];
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(step + 1, 'loss', loss);
      if (!Number.isFinite(gradNorm)) throw new NonFiniteLossError(step + 1, 'gradient norm', gradNorm);
      const clipped = clipByGlobalNorm(grads, gradNorm, this.spec.train.gradClip);
      this.optimizer.apply(clipped, lr);
      tf.dispose(clipped);
      if (this.xl) {
        tf.dispose(this.memory ?? []);
        this.memory = k.memory;
        k.memory = [];
      }
      const acc = predV
        ? accuracy(predV, batch.target, batch.mask!, { taskIds: batch.taskIds, seqLen: batch.seqLen })
        : undefined;
      this.stepCount++;
      const nTok = batch.batchSize * batch.seqLen;
      this.tokens += nTok;
      const ms = now() - t0;
      this.elapsedS += ms / 1000;
      return {
        step: this.stepCount,
        tokens: this.tokens,
        time_s: round(this.elapsedS, 3),
        split: 'train',
        loss,
        ce: ceV[0],
        reg: regV[0],
        lr,
        grad_norm: gradNorm,
        step_ms: round(ms, 2),
        tokens_per_s: round((nTok * 1000) / ms, 1),
        ...(acc ? { accuracy: acc.tokenAccuracy } : {}),
      };
    } finally {
      tf.dispose([value, norm, k.ce, k.reg, ...k.memory, ...(k.pred ? [k.pred] : []), ...Object.values(grads)]);
    }
  }

  /** Validation loss over the fixed validation batches (XL memory carried across them, starting empty). */
  evaluate(): EvalReport {
    return runSync(this.evalReader());
  }

  evaluateAsync(): Promise<EvalReport> {
    return runAsync(this.evalReader());
  }

  private *evalReader(): Reader<EvalReport> {
    let ceSum = 0,
      n = 0;
    const preds: { report: AccuracyReport; weight: number }[] = [];
    let memory: tf.Tensor[] | null = null;
    try {
      for (const batch of this.data.valBatches) {
        const r = scoped(() => {
          const { out, ce } = this.forward(batch, memory, false, 0);
          const next = this.xl ? out.layerInputs.map((h) => tf.keep(h)) : null;
          return { ce: tf.keep(ce), pred: batch.mask ? tf.keep(tf.argMax(out.logits, -1)) : null, next };
        });
        if (memory) tf.dispose(memory);
        memory = r.next;
        let values: ArrayLike<number>[];
        try {
          values = yield [r.ce, ...(r.pred ? [r.pred] : [])];
        } finally {
          tf.dispose([r.ce, ...(r.pred ? [r.pred] : [])]);
        }
        const weight = batch.mask ? batch.mask.reduce((a, b) => a + b, 0) : batch.batchSize * batch.seqLen;
        ceSum += values[0][0] * weight;
        n += weight;
        if (r.pred)
          preds.push({
            report: accuracy(values[1], batch.target, batch.mask!, { taskIds: batch.taskIds, seqLen: batch.seqLen }),
            weight,
          });
      }
    } finally {
      if (memory) tf.dispose(memory);
    }
    const loss = ceSum / Math.max(n, 1);
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(this.stepCount, 'validation loss', loss);
    const bits = loss / Math.LN2;
    const report: EvalReport = {
      step: this.stepCount,
      tokens: this.tokens,
      time_s: round(this.elapsedS, 3),
      split: 'val',
      loss,
      ppl: Math.exp(loss),
      bits_per_token: bits,
      bpb: this.bytesPerToken ? bits / this.bytesPerToken : null,
    };
    if (preds.length) Object.assign(report, summariseAccuracy(preds));
    return report;
  }

  /** The one place trainer state is read: for checkpoints (train/checkpoint.ts). */
  snapshot(): TrainerSnapshot {
    const o = this.optimizer;
    return {
      state: {
        step: this.stepCount,
        tokens: this.tokens,
        elapsedS: this.elapsedS,
        baseLr: this.baseLr,
        optimizerT: o.t,
        batcher: this.data.train.state(),
      },
      tensors: [
        ...Object.entries(this.params),
        ...Object.entries(o.m).map(([n, m]): [string, tf.Tensor] => [`optim.m.${n}`, m]),
        ...Object.entries(o.v).map(([n, v]): [string, tf.Tensor] => [`optim.v.${n}`, v]),
        ...(this.memory ?? []).map((m, l): [string, tf.Tensor] => [`xl_memory.${l}`, m]),
      ],
    };
  }

  /** The one place trainer state is written: continue from a snapshot's state and values (checked by the caller). */
  restore(state: TrainerState, values: TensorValues): void {
    this.data.train.restore(state.batcher); // first: it refuses a state of other data before anything changes
    tf.tidy(() => {
      for (const [n, p] of Object.entries(this.params)) {
        p.assign(tf.tensor(values[n].data, p.shape));
        this.optimizer.m[n].assign(tf.tensor(values[`optim.m.${n}`].data, p.shape));
        this.optimizer.v[n].assign(tf.tensor(values[`optim.v.${n}`].data, p.shape));
      }
    });
    const memory = Object.keys(values)
      .filter((n) => n.startsWith('xl_memory.'))
      .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    if (this.memory) tf.dispose(this.memory);
    this.memory = memory.length ? memory.map((n) => tf.tensor(values[n].data, values[n].shape)) : null;
    this.stepCount = state.step;
    this.tokens = state.tokens;
    this.elapsedS = state.elapsedS;
    this.baseLr = state.baseLr;
    this.optimizer.t = state.optimizerT;
  }

  dispose(): void {
    tf.dispose(Object.values(this.params));
    this.optimizer.dispose();
    if (this.memory) tf.dispose(this.memory);
    this.memory = null;
    disposeCachedTables(); // shared constant tables (masks, RoPE, sinusoids): rebuilt on demand by any other model
  }
}

function summariseAccuracy(preds: { report: AccuracyReport; weight: number }[]): Partial<EvalReport> {
  let tok = 0,
    ntok = 0,
    ans = 0,
    nans = 0;
  const per: Record<string, [number, number]> = {};
  for (const { report } of preds) {
    tok += report.tokenAccuracy * report.nTokens;
    ntok += report.nTokens;
    ans += report.answerAccuracy * report.nAnswers;
    nans += report.nAnswers;
    for (const [task, s] of Object.entries(report.perTask)) {
      const acc = (per[task] ??= [0, 0]);
      acc[0] += s!.tokenAccuracy * s!.nTokens;
      acc[1] += s!.nTokens;
    }
  }
  return {
    accuracy: tok / Math.max(ntok, 1),
    answer_accuracy: ans / Math.max(nans, 1),
    per_task: Object.fromEntries(Object.entries(per).map(([t, [a, b]]) => [t, a / Math.max(b, 1)])),
  };
}

/** UTF-8 bytes per target token over the validation batches (for bits per byte). */
function measureBytesPerToken(data: Dataset): number {
  const enc = new TextEncoder();
  let bytes = 0,
    tokens = 0;
  for (const b of data.valBatches) {
    bytes += enc.encode(data.tokenizer.decode(b.target)).length;
    tokens += b.target.length;
  }
  return tokens > 0 && bytes > 0 ? bytes / tokens : 1;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());
const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

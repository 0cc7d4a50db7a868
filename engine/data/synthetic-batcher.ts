// Batches of synthetic examples with the LmBatcher interface, and answer accuracy.
// Each row holds whole examples packed back to back (never split across rows or batches), then
// <pad>; input = row[0..T-1], target = row[1..T], mask = 1 where the target is an answer token.
// Batch `step` is a pure function of (config, B, T, seed, split, step), so state() is the step.
import {
  type Batch,
  type Batcher,
  type BatcherState,
  type BatcherOptions,
  checkBatchOptions,
  checkRestore,
} from './batcher';
import { DataError } from './corpus';
import { mixSeed, Rng } from './rng';
import {
  type BaseTask,
  type SyntheticConfig,
  type SyntheticVocab,
  SYNTHETIC_TASKS,
  exampleLength,
  makeExample,
  modaddSplit,
  syntheticVocab,
  tasksOf,
} from './synthetic';

export interface SyntheticBatcherOptions extends BatcherOptions {
  /** 'train' and 'val' draw from different random streams; modadd also holds out (a, b) pairs. */
  split: 'train' | 'val';
  /** Fraction of modadd's p^2 pairs held out for validation. */
  valFraction: number;
}

export class SyntheticBatcher implements Batcher {
  readonly batchSize: number;
  readonly seqLen: number;
  readonly vocab: SyntheticVocab;
  private readonly tasks: BaseTask[];
  private readonly modPairs?: Int32Array;
  private readonly fingerprint: string;
  private step = 0;

  constructor(
    readonly cfg: SyntheticConfig,
    private readonly opts: SyntheticBatcherOptions,
  ) {
    checkBatchOptions(opts);
    this.vocab = syntheticVocab(cfg);
    this.tasks = tasksOf(cfg);
    this.batchSize = opts.batchSize;
    this.seqLen = opts.seqLen;
    const longest = Math.max(...this.tasks.map((t) => exampleLength(t, cfg)));
    if (longest > opts.seqLen + 1)
      throw new DataError(
        `data.seqLen=${opts.seqLen} is too short for synthetic ${cfg.task} examples of ${longest} tokens (need seqLen >= ${longest - 1})`,
      );
    if (this.tasks.includes('modadd')) {
      const split = modaddSplit(cfg.modulus, opts.valFraction, opts.seed);
      this.modPairs = opts.split === 'train' ? split.train : split.val;
    }
    this.fingerprint = `synthetic ${cfg.task} n=${cfg.length} s=${cfg.symbols} p=${cfg.modulus} ${opts.split} f=${opts.valFraction} B=${this.batchSize} T=${this.seqLen}`;
  }

  /** stream 0: next(), stream 1: evalBatches(); train and val splits use different streams too. */
  private batchAt(step: number, stream: number): Batch {
    const B = this.batchSize;
    const T = this.seqLen;
    const rng = new Rng(mixSeed(this.opts.seed, this.opts.split === 'train' ? 1 : 2, stream, step));
    const input = new Int32Array(B * T); // [B, T]
    const target = new Int32Array(B * T); // [B, T]
    const mask = new Float32Array(B * T); // [B, T]
    const taskIds = new Int32Array(B * T).fill(-1); // [B, T]
    const row = new Int32Array(T + 1);
    const answer = new Uint8Array(T + 1);
    const task = new Int32Array(T + 1);
    for (let b = 0; b < B; b++) {
      row.fill(this.vocab.pad);
      answer.fill(0);
      task.fill(-1);
      let used = 0;
      for (;;) {
        const t = this.tasks[this.tasks.length === 1 ? 0 : rng.int(this.tasks.length)];
        const ex = makeExample(t, this.cfg, this.vocab, rng, this.modPairs);
        if (used + ex.tokens.length > T + 1) break; // the row is full: pad the rest
        row.set(ex.tokens, used);
        answer.fill(1, used + ex.answerStart, used + ex.tokens.length);
        task.fill(SYNTHETIC_TASKS.indexOf(t), used, used + ex.tokens.length);
        used += ex.tokens.length;
      }
      for (let t = 0; t < T; t++) {
        input[b * T + t] = row[t];
        target[b * T + t] = row[t + 1];
        mask[b * T + t] = answer[t + 1];
        taskIds[b * T + t] = task[t + 1];
      }
    }
    return { batchSize: B, seqLen: T, input, target, mask, taskIds };
  }

  next(): Batch {
    return this.batchAt(this.step++, 0);
  }

  evalBatches(n: number): Batch[] {
    if (!Number.isInteger(n) || n < 0) throw new Error(`evalBatches needs an integer n >= 0, got ${n}`);
    return Array.from({ length: n }, (_, s) => this.batchAt(s, 1));
  }

  state(): BatcherState {
    return { kind: 'synthetic', step: this.step, seed: this.opts.seed, fingerprint: this.fingerprint };
  }

  restore(state: BatcherState): void {
    checkRestore(state, this.state());
    this.step = state.step;
  }
}

export interface AccuracyStats {
  /** Fraction of answer tokens predicted exactly. */
  tokenAccuracy: number;
  /** Fraction of whole answers with every token right. */
  answerAccuracy: number;
  nTokens: number;
  nAnswers: number;
}

export interface AccuracyReport extends AccuracyStats {
  /** Per synthetic task (only tasks present in the batch). */
  perTask: Partial<Record<BaseTask, AccuracyStats>>;
}

/**
 * Accuracy of predictions (e.g. argmax ids, [B*T]) on the masked answer positions. An answer is a
 * maximal run of consecutive masked positions in a row (examples never touch: each starts with an
 * unscored token). `taskIds` ([B*T], index into SYNTHETIC_TASKS) gives the per-task breakdown;
 * `seqLen` stops runs at row ends. Empty groups report NaN accuracy.
 */
export function accuracy(
  predIds: ArrayLike<number>,
  target: ArrayLike<number>,
  mask: ArrayLike<number>,
  opts: { taskIds?: ArrayLike<number>; seqLen?: number } = {},
): AccuracyReport {
  if (predIds.length !== target.length || mask.length !== target.length)
    throw new Error(`accuracy: lengths differ (pred ${predIds.length}, target ${target.length}, mask ${mask.length})`);
  const zero = () => ({ okTokens: 0, nTokens: 0, okAnswers: 0, nAnswers: 0 });
  const all = zero();
  const per = new Map<number, ReturnType<typeof zero>>();
  const { taskIds, seqLen } = opts;
  let i = 0;
  while (i < target.length) {
    if (!(mask[i] > 0)) {
      i++;
      continue;
    }
    const task = taskIds ? taskIds[i] : -1;
    let allRight = true;
    let j = i;
    const rowEnd = seqLen ? (Math.floor(i / seqLen) + 1) * seqLen : target.length;
    for (; j < rowEnd && mask[j] > 0 && (!taskIds || taskIds[j] === task); j++) {
      const ok = predIds[j] === target[j];
      allRight &&= ok;
      for (const g of groups(task)) {
        g.nTokens++;
        if (ok) g.okTokens++;
      }
    }
    for (const g of groups(task)) {
      g.nAnswers++;
      if (allRight) g.okAnswers++;
    }
    i = j;
  }
  function groups(task: number) {
    if (task < 0) return [all];
    if (!per.has(task)) per.set(task, zero());
    return [all, per.get(task)!];
  }
  const stats = (g: ReturnType<typeof zero>): AccuracyStats => ({
    tokenAccuracy: g.okTokens / g.nTokens,
    answerAccuracy: g.okAnswers / g.nAnswers,
    nTokens: g.nTokens,
    nAnswers: g.nAnswers,
  });
  const perTask: AccuracyReport['perTask'] = {};
  for (const [t, g] of [...per].sort((a, b) => a[0] - b[0])) perTask[SYNTHETIC_TASKS[t]] = stats(g);
  return { ...stats(all), perTask };
}

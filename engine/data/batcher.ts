// Deterministic language-model batches over one token stream, Transformer-XL friendly:
// row b reads its own contiguous stretch of the stream (it starts at b*len/B, plus a seed-chosen
// shift) and advances by T tokens per batch, wrapping around at the end. So row b of batch n+1
// continues exactly where row b of batch n stopped, and XL memory carries real context.
// The batch is a pure function of (stream, B, T, seed, step): the state is just the step counter.
import { mixSeed } from './rng';

/** One batch, flattened row-major: index b*T + t. */
export interface Batch {
  batchSize: number; // B
  seqLen: number; // T
  input: Int32Array; // [B*T]
  target: Int32Array; // [B*T], input shifted by one: target[b,t] is the token after input[b,t]
  /** [B*T] 1 where the loss/accuracy counts, 0 elsewhere; absent = every position counts. */
  mask?: Float32Array;
  /** [B*T] synthetic task index per position (-1 on padding); absent for text. */
  taskIds?: Int32Array;
}

/** JSON-serialisable batcher position; restoring it reproduces the following batches exactly. */
export interface BatcherState {
  kind: 'lm' | 'synthetic';
  step: number;
  seed: number;
  /** What the batches depend on besides step and seed; restore() refuses a mismatch. */
  fingerprint: string;
}

/** What the trainer consumes: text and synthetic batchers share it. */
export interface Batcher {
  readonly batchSize: number;
  readonly seqLen: number;
  next(): Batch;
  state(): BatcherState;
  restore(state: BatcherState): void;
  /** A fixed, deterministic list of n batches (the same on every call; does not move the state). */
  evalBatches(n: number): Batch[];
}

export interface BatcherOptions {
  batchSize: number;
  seqLen: number;
  seed: number;
}

export function checkBatchOptions({ batchSize, seqLen, seed }: BatcherOptions): void {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize must be an integer >= 1, got ${batchSize}`);
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new Error(`seqLen must be an integer >= 1, got ${seqLen}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
}

export function checkRestore(state: BatcherState, mine: BatcherState): void {
  if (!state || typeof state !== 'object') throw new Error('batcher state must be an object');
  if (state.kind !== mine.kind)
    throw new Error(`batcher state is for a "${state.kind}" batcher, this one is "${mine.kind}"`);
  if (state.seed !== mine.seed)
    throw new Error(`batcher state has seed ${state.seed}, this batcher has seed ${mine.seed}`);
  if (state.fingerprint !== mine.fingerprint)
    throw new Error(
      `batcher state was saved for different data (${state.fingerprint}), this batcher has ${mine.fingerprint}`,
    );
  if (!Number.isInteger(state.step) || state.step < 0)
    throw new Error(`batcher state step must be an integer >= 0, got ${state.step}`);
}

/** A short stable hash of a token stream, so a state is never restored onto other data. */
export function streamHash(tokens: Int32Array): string {
  let h = mixSeed(tokens.length);
  const stride = Math.max(1, Math.floor(tokens.length / 4096)); // sample: hashing 10M tokens costs nothing noticeable
  for (let i = 0; i < tokens.length; i += stride) h = mixSeed(h, tokens[i], i);
  return h.toString(16).padStart(8, '0');
}

export class LmBatcher implements Batcher {
  readonly batchSize: number;
  readonly seqLen: number;
  private readonly seed: number;
  private readonly shift: number; // seed-chosen rotation of all row starts
  private readonly fingerprint: string;
  private step = 0;

  constructor(
    private readonly tokens: Int32Array,
    opts: BatcherOptions,
  ) {
    checkBatchOptions(opts);
    if (tokens.length < 2)
      throw new Error(`LM batcher needs a token stream of at least 2 tokens, got ${tokens.length}`);
    this.batchSize = opts.batchSize;
    this.seqLen = opts.seqLen;
    this.seed = opts.seed;
    this.shift = mixSeed(opts.seed, 0x5eed) % tokens.length;
    this.fingerprint = `len=${tokens.length} B=${this.batchSize} T=${this.seqLen} h=${streamHash(tokens)}`;
  }

  /** Start offset of row b (before the shift): rows split the stream into B equal stretches. */
  rowStart(b: number): number {
    return Math.floor((b * this.tokens.length) / this.batchSize);
  }

  /** Batch number `step` with rows rotated by `shift`. */
  private batchAt(step: number, shift: number): Batch {
    const B = this.batchSize;
    const T = this.seqLen;
    const len = this.tokens.length;
    const input = new Int32Array(B * T); // [B, T]
    const target = new Int32Array(B * T); // [B, T]
    const advance = (step % len) * (T % len); // step*T mod len without overflowing 2^53
    for (let b = 0; b < B; b++) {
      let p = (this.rowStart(b) + shift + advance) % len;
      for (let t = 0; t < T; t++) {
        const q = p + 1 === len ? 0 : p + 1;
        input[b * T + t] = this.tokens[p];
        target[b * T + t] = this.tokens[q];
        p = q;
      }
    }
    return { batchSize: B, seqLen: T, input, target };
  }

  next(): Batch {
    return this.batchAt(this.step++, this.shift);
  }

  /** Batches 0..n-1 without the seed shift: row b reads from b*len/B on, consecutive batches continue. */
  evalBatches(n: number): Batch[] {
    if (!Number.isInteger(n) || n < 0) throw new Error(`evalBatches needs an integer n >= 0, got ${n}`);
    return Array.from({ length: n }, (_, s) => this.batchAt(s, 0));
  }

  state(): BatcherState {
    return { kind: 'lm', step: this.step, seed: this.seed, fingerprint: this.fingerprint };
  }

  restore(state: BatcherState): void {
    checkRestore(state, this.state());
    this.step = state.step;
  }
}

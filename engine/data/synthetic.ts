// Synthetic tasks with exact answers (DATASETS.md §4): copy, reverse, associative recall, modular
// addition, sort, and a mixture that prefixes each example with its task token. Each example is a
// token list plus where its answer starts; the loss and accuracy count answer tokens only.
//
// Vocabulary (ids in this order; a section exists only if the task uses it):
//   <pad>                         padding after the last whole example of a row (never scored)
//   <sep>                         copy/reverse/sort: separates the input from the answer
//   ?                             recall: the query marker
//   + =                           modadd: operator and equals sign
//   <copy> <reverse> <recall> <modadd> <sort>   mixture only: task token opening each example
//   items  A.. (x0.. if >26)      `symbols` tokens: copy/reverse/sort items, recall keys (sorted by id)
//   values a.. (v0.. if >26)      `symbols` tokens: recall values, disjoint from the keys
//   numbers 0..p-1                `modulus` tokens: modadd operands and results
// Examples:  copy  x1..xn <sep> x1..xn   reverse  x1..xn <sep> xn..x1   sort  x1..xn <sep> sorted(x)
//            recall  k1 v1 .. kn vn ? ki vi (distinct keys)   modadd  a + b = (a+b mod p)
import type { Tokenizer } from './tokenizer';
import { DataError } from './corpus';
import { Rng } from './rng';

export const SYNTHETIC_TASKS = ['copy', 'reverse', 'recall', 'modadd', 'sort'] as const;
export type BaseTask = (typeof SYNTHETIC_TASKS)[number];
export type SyntheticTaskName = BaseTask | 'mixture';

/** The synthetic part of spec.data.source (its `kind` field may be present and is ignored). */
export interface SyntheticConfig {
  task: SyntheticTaskName;
  length: number; // items per example (copy/reverse/sort length, recall pairs)
  symbols: number; // item alphabet size (and recall value alphabet size)
  modulus: number; // modadd modulus p
}

export const MAX_MODULUS = 1000;

export interface TokenRange {
  start: number;
  count: number;
}

export interface SyntheticVocab {
  size: number;
  names: string[];
  /** Role of each section, in id order, for display: e.g. {role: 'items', start: 2, count: 16}. */
  roles: { role: string; start: number; count: number }[];
  pad: number;
  sep: number; // -1 when the task has no separator
  query: number;
  plus: number;
  eq: number;
  taskToken: Record<BaseTask, number>; // -1 unless mixture
  items: TokenRange;
  values: TokenRange;
  numbers: TokenRange;
}

export interface Example {
  task: BaseTask;
  tokens: number[];
  /** tokens[answerStart..] is the answer. */
  answerStart: number;
}

/** The tasks a config draws examples from. */
export function tasksOf(cfg: SyntheticConfig): BaseTask[] {
  return cfg.task === 'mixture' ? [...SYNTHETIC_TASKS] : [cfg.task];
}

export function checkSyntheticConfig(cfg: SyntheticConfig): void {
  if (![...SYNTHETIC_TASKS, 'mixture'].includes(cfg.task))
    throw new DataError(`data.source.task: unknown synthetic task "${cfg.task}"`);
  if (!Number.isInteger(cfg.length) || cfg.length < 1)
    throw new DataError(`data.source.length must be an integer >= 1, got ${cfg.length}`);
  if (!Number.isInteger(cfg.symbols) || cfg.symbols < 2)
    throw new DataError(`data.source.symbols must be an integer >= 2, got ${cfg.symbols}`);
  if (!Number.isInteger(cfg.modulus) || cfg.modulus < 2 || cfg.modulus > MAX_MODULUS)
    throw new DataError(`data.source.modulus must be an integer in [2, ${MAX_MODULUS}], got ${cfg.modulus}`);
  if (tasksOf(cfg).includes('recall') && cfg.length > cfg.symbols)
    throw new DataError(
      `recall needs distinct keys: data.source.length (${cfg.length} pairs) must not exceed data.source.symbols (${cfg.symbols})`,
    );
}

const letters = (n: number, base: string, prefix: string) =>
  Array.from({ length: n }, (_, i) => (n <= 26 ? String.fromCharCode(base.charCodeAt(0) + i) : `${prefix}${i}`));

/** Size, token names and token roles of a task's vocabulary. */
export function syntheticVocab(cfg: SyntheticConfig): SyntheticVocab {
  checkSyntheticConfig(cfg);
  const tasks = tasksOf(cfg);
  const has = (...ts: BaseTask[]) => ts.some((t) => tasks.includes(t));
  const names: string[] = [];
  const roles: SyntheticVocab['roles'] = [];
  const section = (role: string, tokens: string[]): TokenRange => {
    const r = { start: tokens.length ? names.length : -1, count: tokens.length };
    if (tokens.length) roles.push({ role, start: names.length, count: tokens.length });
    names.push(...tokens);
    return r;
  };
  const one = (role: string, name: string, present: boolean) => section(role, present ? [name] : []).start;
  const pad = one('padding', '<pad>', true);
  const sep = one('separator', '<sep>', has('copy', 'reverse', 'sort'));
  const query = one('query', '?', has('recall'));
  const plus = one('operator', '+', has('modadd'));
  const eq = one('equals', '=', has('modadd'));
  const mix = cfg.task === 'mixture';
  const tasksRange = section('task tokens', mix ? SYNTHETIC_TASKS.map((t) => `<${t}>`) : []);
  const taskToken = Object.fromEntries(SYNTHETIC_TASKS.map((t, i) => [t, mix ? tasksRange.start + i : -1])) as Record<
    BaseTask,
    number
  >;
  const items = section('items', has('copy', 'reverse', 'sort', 'recall') ? letters(cfg.symbols, 'A', 'x') : []);
  const values = section('values', has('recall') ? letters(cfg.symbols, 'a', 'v') : []);
  const numbers = section('numbers', has('modadd') ? Array.from({ length: cfg.modulus }, (_, i) => String(i)) : []);
  return { size: names.length, names, roles, pad, sep, query, plus, eq, taskToken, items, values, numbers };
}

/** Length in tokens of one example of `task` (mixture adds the task token). */
export function exampleLength(task: BaseTask, cfg: SyntheticConfig): number {
  const n = cfg.length;
  const core = task === 'recall' ? 2 * n + 3 : task === 'modadd' ? 5 : 2 * n + 1;
  return core + (cfg.task === 'mixture' ? 1 : 0);
}

/**
 * Which (a, b) pairs of modadd belong to validation: a seeded permutation of all p^2 pairs, of which
 * the last round(p^2 * valFraction) (at least 1, at most p^2 - 1) are held out. Pair = a*p + b.
 */
export function modaddSplit(p: number, valFraction: number, seed: number): { train: Int32Array; val: Int32Array } {
  const all = Array.from({ length: p * p }, (_, i) => i);
  new Rng(seed ^ 0x6d6f64).shuffle(all);
  const nVal = Math.min(Math.max(Math.round(p * p * valFraction), 1), p * p - 1);
  return { train: Int32Array.from(all.slice(0, p * p - nVal)), val: Int32Array.from(all.slice(p * p - nVal)) };
}

/** Draw one example. `modPairs` restricts modadd to a split's (a, b) pairs (a*p + b). */
export function makeExample(
  task: BaseTask,
  cfg: SyntheticConfig,
  vocab: SyntheticVocab,
  rng: Rng,
  modPairs?: Int32Array,
): Example {
  const n = cfg.length;
  const item = () => vocab.items.start + rng.int(cfg.symbols);
  let tokens: number[];
  let answerStart: number;
  if (task === 'copy' || task === 'reverse' || task === 'sort') {
    const xs = Array.from({ length: n }, item);
    const ans = task === 'copy' ? xs : task === 'reverse' ? [...xs].reverse() : [...xs].sort((a, b) => a - b);
    tokens = [...xs, vocab.sep, ...ans];
    answerStart = n + 1;
  } else if (task === 'recall') {
    const keys = rng.distinct(n, cfg.symbols).map((k) => vocab.items.start + k);
    const vals = Array.from({ length: n }, () => vocab.values.start + rng.int(cfg.symbols));
    const q = rng.int(n);
    tokens = [...keys.flatMap((k, i) => [k, vals[i]]), vocab.query, keys[q], vals[q]];
    answerStart = 2 * n + 2;
  } else {
    const p = cfg.modulus;
    const pair = modPairs ? modPairs[rng.int(modPairs.length)] : rng.int(p * p);
    const a = Math.floor(pair / p);
    const b = pair % p;
    const num = (x: number) => vocab.numbers.start + x;
    tokens = [num(a), vocab.plus, num(b), vocab.eq, num((a + b) % p)];
    answerStart = 4;
  }
  if (cfg.task === 'mixture') {
    tokens.unshift(vocab.taskToken[task]);
    answerStart++;
  }
  return { task, tokens, answerStart };
}

/** Names the synthetic ids; encode() reads whitespace-separated token names (e.g. "A B <sep> A B"). */
export class SyntheticTokenizer implements Tokenizer {
  readonly kind = 'synthetic' as const;
  readonly vocabSize: number;
  private readonly idOf: Map<string, number>;

  constructor(
    readonly vocab: SyntheticVocab,
    private readonly taskName: string,
  ) {
    this.vocabSize = vocab.size;
    this.idOf = new Map(vocab.names.map((n, i) => [n, i]));
  }

  encode(text: string): Int32Array {
    const words = text.split(/\s+/).filter((w) => w.length > 0);
    return Int32Array.from(words, (w) => {
      const id = this.idOf.get(w);
      if (id === undefined)
        throw new Error(
          `synthetic tokenizer: "${w}" is not a token of the ${this.taskName} vocabulary (${this.vocab.names.slice(0, 12).join(' ')}${this.vocabSize > 12 ? ' …' : ''})`,
        );
      return id;
    });
  }

  decode(ids: ArrayLike<number>): string {
    return Array.from(ids, (id) => this.tokenName(id)).join(' ');
  }

  tokenName(id: number): string {
    const name = this.vocab.names[id];
    if (name === undefined)
      throw new Error(`token id ${id} is outside the synthetic vocabulary (size ${this.vocabSize})`);
    return name;
  }

  describe(): string {
    return `synthetic ${this.taskName} tokens (vocab ${this.vocabSize})`;
  }
}

// The data layer's entry point: spec.data + already-loaded sources -> tokenizer, train batcher,
// fixed validation batches. No file access: engine/node/corpus.ts (or the app) loads the text.
import type { ExperimentSpec } from '../spec';
import { type Batch, type Batcher, LmBatcher } from './batcher';
import { DataError, type TextDocument, normalizeText, splitTokens, unigramEntropyBits } from './corpus';
import { type SyntheticConfig, type SyntheticVocab, SyntheticTokenizer } from './synthetic';
import { SyntheticBatcher } from './synthetic-batcher';
import { type Tokenizer, makeTokenizer } from './tokenizer';

export interface DataSources {
  /** The documents of a 'corpus' or 'file' source (loadCorpus / loadUserText in engine/node/corpus.ts). */
  documents?: TextDocument[];
  /** Content of GPT-2's vocab.bpe, needed by the 'bpe' tokenizer (loadBpeMerges). */
  bpeMerges?: string;
}

export interface DatasetStats {
  documents: number;
  characters: number;
  trainTokens: number;
  valTokens: number;
  /** Unigram entropy of the training tokens in bits/token (null for synthetic data). */
  unigramEntropyBits: number | null;
}

export interface Dataset {
  tokenizer: Tokenizer;
  train: Batcher;
  /** Validation batcher; `valBatches` are its fixed evalBatches(spec.log.evalBatches). */
  val: Batcher;
  valBatches: Batch[];
  vocabSize: number;
  description: string;
  stats: DatasetStats;
  /** Token roles of a synthetic task (absent for text). */
  synthetic?: SyntheticVocab;
}

export type DataSpecView = Pick<ExperimentSpec, 'data' | 'train' | 'log'>;

/** What a spec's data section needs from the loader: documents and/or the BPE merges. */
export function requiredSources(spec: DataSpecView): { documents: boolean; bpeMerges: boolean } {
  const kind = spec.data.source.kind;
  return {
    documents: kind === 'corpus' || kind === 'file',
    bpeMerges: kind !== 'synthetic' && spec.data.tokenizer.kind === 'bpe',
  };
}

/** Build the tokenizer and batchers for `spec.data`. Throws a clear error when a source is missing. */
export function buildDataset(spec: DataSpecView, sources: DataSources = {}): Dataset {
  const { data } = spec;
  const opts = { batchSize: data.batchSize, seqLen: data.seqLen, seed: spec.train.seed };
  if (data.source.kind === 'synthetic') return buildSynthetic(spec, data.source, opts);

  const src = data.source;
  const sourceName = src.kind === 'corpus' ? src.name : src.kind === 'file' ? src.path : src.name;
  let docs: TextDocument[];
  if (src.kind === 'text') docs = [{ name: src.name, text: normalizeText(src.text) }];
  else {
    if (!sources.documents || sources.documents.length === 0)
      throw new Error(
        `data.source "${sourceName}" (kind ${src.kind}) needs its text in sources.documents (engine/node/corpus.ts loads it)`,
      );
    docs = sources.documents;
  }
  // Documents are separated by one extra "\n" (a blank line after the book's final newline).
  const texts = docs.map((d, i) => (i < docs.length - 1 ? d.text + '\n' : d.text));
  const tokenizer = makeTokenizer(data.tokenizer, { trainText: texts, bpeMerges: sources.bpeMerges });
  const split = splitNamed(
    sourceName,
    docs.map((d, i) => ({ name: d.name, ids: tokenizer.encode(texts[i]) })),
    data.valFraction,
  );
  checkOneBatch(sourceName, split.train.length, split.train.length + split.val.length, data);
  const train = new LmBatcher(split.train, opts);
  const val = new LmBatcher(split.val, opts);
  const stats: DatasetStats = {
    documents: docs.length,
    characters: texts.reduce((s, t) => s + t.length, 0),
    trainTokens: split.train.length,
    valTokens: split.val.length,
    unigramEntropyBits: unigramEntropyBits(split.train, tokenizer.vocabSize),
  };
  const description =
    `${sourceName}: ${stats.documents} document${stats.documents === 1 ? '' : 's'}, ${stats.characters.toLocaleString('en-US')} characters; ` +
    `${tokenizer.describe()}; ${stats.trainTokens.toLocaleString('en-US')} train / ${stats.valTokens.toLocaleString('en-US')} validation tokens ` +
    `(last ${Math.round(data.valFraction * 100)}% of each document); unigram entropy ${stats.unigramEntropyBits!.toFixed(2)} bits/token`;
  return {
    tokenizer,
    train,
    val,
    valBatches: val.evalBatches(spec.log.evalBatches),
    vocabSize: tokenizer.vocabSize,
    description,
    stats,
  };
}

/** splitTokens, with the source named in its error. */
function splitNamed(source: string, docs: { name: string; ids: Int32Array }[], valFraction: number) {
  try {
    return splitTokens(docs, valFraction);
  } catch (e) {
    if (e instanceof DataError) throw new DataError(`${source}: ${e.message}`);
    throw e;
  }
}

/** Refuse a text whose training part cannot fill one batch (the batcher would repeat it within a row). */
function checkOneBatch(source: string, trainTokens: number, tokens: number, data: DataSpecView['data']): void {
  const need = data.batchSize * data.seqLen + 1; // B rows of T inputs, plus the last row's next-token target
  if (trainTokens >= need) return;
  throw new DataError(
    `${source} is too small for one batch: ${tokens.toLocaleString('en-US')} tokens, of which ${trainTokens.toLocaleString('en-US')} for training, ` +
      `but one batch of data.batchSize ${data.batchSize} x data.seqLen ${data.seqLen} needs ${need.toLocaleString('en-US')}; ` +
      'give more text or a smaller batch size or sequence length',
  );
}

function buildSynthetic(
  spec: DataSpecView,
  source: SyntheticConfig,
  opts: { batchSize: number; seqLen: number; seed: number },
): Dataset {
  const cfg: SyntheticConfig = {
    task: source.task,
    length: source.length,
    symbols: source.symbols,
    modulus: source.modulus,
  };
  const valFraction = spec.data.valFraction;
  const train = new SyntheticBatcher(cfg, { ...opts, split: 'train', valFraction });
  const val = new SyntheticBatcher(cfg, { ...opts, split: 'val', valFraction });
  const vocab = train.vocab;
  const tokenizer = new SyntheticTokenizer(vocab, cfg.task);
  const params =
    cfg.task === 'modadd'
      ? `p=${cfg.modulus}`
      : `length ${cfg.length}, ${cfg.symbols} symbols${cfg.task === 'mixture' ? `, p=${cfg.modulus}` : ''}`;
  const description =
    `synthetic ${cfg.task} (${params}); vocab ${vocab.size}: ${vocab.roles.map((r) => `${r.role} ${r.count}`).join(', ')}; ` +
    `loss on answer tokens only` +
    (cfg.task === 'modadd' || cfg.task === 'mixture'
      ? `; ${Math.round(valFraction * 100)}% of modadd pairs held out`
      : '');
  const stats: DatasetStats = { documents: 0, characters: 0, trainTokens: 0, valTokens: 0, unigramEntropyBits: null };
  return {
    tokenizer,
    train,
    val,
    valBatches: val.evalBatches(spec.log.evalBatches),
    vocabSize: vocab.size,
    description,
    stats,
    synthetic: vocab,
  };
}

export type { Batch, Batcher, BatcherState } from './batcher';
export { LmBatcher } from './batcher';
export type { TextDocument } from './corpus';
export { DataError, joinDocuments, normalizeGutenberg, normalizeText, splitTokens, unigramEntropyBits } from './corpus';
export type { Tokenizer } from './tokenizer';
export { makeTokenizer } from './tokenizer';
export { SyntheticBatcher, accuracy } from './synthetic-batcher';
export type { AccuracyReport, AccuracyStats } from './synthetic-batcher';
export { SYNTHETIC_TASKS, syntheticVocab } from './synthetic';
export type { SyntheticVocab, SyntheticConfig } from './synthetic';

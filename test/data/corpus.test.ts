// Corpus: Gutenberg normalisation (DATASETS.md §2 numbers), train/validation split, unigram entropy,
// and the Node loaders' error messages.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  joinDocuments,
  normalizeGutenberg,
  normalizeText,
  splitTokens,
  unigramEntropyBits,
} from '../../engine/data/corpus';
import { decodeBookBytes, loadCorpus, loadUserText } from '../../engine/node/corpus';

describe('normalisation', () => {
  it('fixes CRLF, cuts the PG footer, drops control characters, ends with one newline', () => {
    const raw =
      "\r\n\r\n[Title 1900]\r\nline\x07 one\r\nline\ttwo\r\n\r\nEnd of Project Gutenberg's Title, by X\r\nlicence";
    expect(normalizeGutenberg(raw)).toBe('[Title 1900]\nline one\nline\ttwo\n');
    expect(normalizeText('a\rb\r\nc\x00d\x1b')).toBe('a\nb\ncd');
  });

  it('falls back to Latin-1 for non-UTF-8 bytes', () => {
    expect(decodeBookBytes(Uint8Array.of(0x43, 0xe6, 0x73, 0x61, 0x72))).toBe('Cæsar');
    expect(decodeBookBytes(new TextEncoder().encode('Cæsar'))).toBe('Cæsar');
  });

  it('the 18 books joined match DATASETS.md: 11,731,432 bytes, 89 distinct characters, no CR', () => {
    const docs = loadCorpus('gutenberg');
    expect(docs.length).toBe(18);
    const text = joinDocuments(docs);
    expect(new TextEncoder().encode(text).length).toBe(11_731_432);
    expect(new Set(text).size).toBe(89);
    expect(text.includes('\r')).toBe(false);
    expect(text.includes("End of Project Gutenberg's")).toBe(false);
    expect(text.includes('Cæsar')).toBe(true); // the Latin-1 file decoded correctly
  });

  it('named corpora pick their books', () => {
    expect(loadCorpus('shakespeare').map((d) => d.name)).toEqual([
      'shakespeare-caesar',
      'shakespeare-hamlet',
      'shakespeare-macbeth',
    ]);
    expect(loadCorpus('austen').length).toBe(3);
    expect(loadCorpus('alice')[0].text.startsWith("[Alice's Adventures in Wonderland")).toBe(true);
    expect(loadCorpus('moby-dick')[0].text.length).toBeGreaterThan(1_000_000);
  });
});

describe('splitTokens', () => {
  const docs = [
    { name: 'a', ids: Int32Array.from({ length: 1000 }, (_, i) => i) },
    { name: 'b', ids: Int32Array.from({ length: 300 }, (_, i) => 1000 + i) },
  ];

  it('puts the last fraction of each document in validation: disjoint, complete, sized', () => {
    const s = splitTokens(docs, 0.1);
    expect(s.val.length).toBe(100 + 30);
    expect(s.train.length + s.val.length).toBe(1300);
    const train = new Set(s.train);
    expect(s.val.every((v) => !train.has(v))).toBe(true);
    expect(new Set([...s.train, ...s.val]).size).toBe(1300);
    expect(Array.from(s.val.subarray(0, 100))).toEqual(Array.from(docs[0].ids.subarray(900)));
    expect(Array.from(s.train.subarray(900, 905))).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  it('keeps at least 2 tokens on each side, and errors on text that is too short', () => {
    const s = splitTokens([{ name: 'tiny', ids: Int32Array.of(1, 2, 3, 4, 5) }], 0.05);
    expect([s.train.length, s.val.length]).toEqual([3, 2]);
    expect(() => splitTokens([{ name: 'x', ids: Int32Array.of(1, 2, 3) }], 0.5)).toThrow(
      /too short to split: 3 tokens/,
    );
    expect(() => splitTokens(docs, 0)).toThrow(/valFraction/);
  });
});

describe('unigramEntropyBits', () => {
  it('is log2(n) for uniform tokens and 1.5 bits for (1/2, 1/4, 1/4)', () => {
    expect(
      unigramEntropyBits(
        Int32Array.from({ length: 64 }, (_, i) => i % 8),
        8,
      ),
    ).toBeCloseTo(3, 12);
    expect(unigramEntropyBits(Int32Array.of(0, 0, 1, 2, 0, 0, 1, 2), 5)).toBeCloseTo(1.5, 12);
    expect(unigramEntropyBits(Int32Array.of(4, 4, 4), 5)).toBe(0);
    expect(() => unigramEntropyBits(Int32Array.of(5), 5)).toThrow(/outside vocab size 5/);
  });
});

describe('loadUserText', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shw-data-'));
  const file = (name: string, bytes: Uint8Array | string) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };

  it('reads UTF-8 text, strips a BOM and CRs', () => {
    expect(loadUserText(file('ok.txt', '\uFEFFhello\r\nworld é\r\n'))).toEqual({
      name: 'ok.txt',
      text: 'hello\nworld é\n',
    });
  });

  it('names what is wrong: missing, empty, blank, binary, not UTF-8', () => {
    expect(() => loadUserText(join(dir, 'nope.txt'))).toThrow(/not found: .*nope\.txt/);
    expect(() => loadUserText(file('empty.txt', ''))).toThrow(/empty/);
    expect(() => loadUserText(file('blank.txt', ' \n\r\n'))).toThrow(/only whitespace/);
    expect(() => loadUserText(file('bin.dat', Uint8Array.of(1, 2, 0, 3)))).toThrow(/NUL byte at offset 2/);
    expect(() => loadUserText(file('latin1.txt', Uint8Array.of(0x61, 0x62, 0xe9, 0x20, 0x63)))).toThrow(
      /not valid UTF-8 text \(offset 2\)/,
    );
    expect(() => loadUserText(dir)).toThrow(/not a file/);
  });
});

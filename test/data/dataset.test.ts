// buildDataset end to end: spec + loaded sources -> tokenizer, batchers, fixed validation batches.
import { describe, expect, it } from 'vitest';
import { buildDataset, requiredSources } from '../../engine/data/index';
import { loadCorpus, loadDataSources } from '../../engine/node/corpus';
import { parseSpec } from '../../engine/spec';

describe('buildDataset', () => {
  it('alice + char: validation is the end of the book, train the beginning, batches decode to real text', () => {
    const spec = parseSpec({
      data: {
        source: { kind: 'corpus', name: 'alice' },
        tokenizer: { kind: 'char' },
        seqLen: 32,
        batchSize: 4,
        valFraction: 0.1,
      },
      log: { evalBatches: 3 },
    });
    const ds = buildDataset(spec, loadDataSources(spec));
    const alice = loadCorpus('alice')[0].text;
    expect(ds.vocabSize).toBe(new Set(alice).size);
    expect(ds.stats.trainTokens + ds.stats.valTokens).toBe([...alice].length);
    expect(ds.stats.valTokens).toBe(Math.round(0.1 * [...alice].length));
    expect(ds.valBatches.length).toBe(3);
    const valText = ds.tokenizer.decode(ds.valBatches[0].input.subarray(0, 32));
    expect(alice.indexOf(valText)).toBeGreaterThanOrEqual(Math.floor(0.9 * alice.length) - 1);
    const trainText = ds.tokenizer.decode(ds.train.next().input.subarray(0, 32));
    const at = alice.indexOf(trainText);
    expect(at >= 0 && at < 0.9 * alice.length).toBe(true);
    expect(ds.description).toMatch(/alice: 1 document.*char-level.*unigram entropy \d\.\d\d bits/);
    expect(ds.stats.unigramEntropyBits!).toBeGreaterThan(3);
    expect(ds.stats.unigramEntropyBits!).toBeLessThan(Math.log2(ds.vocabSize));
  });

  it('bpe: needs the merges, vocab 256+K, and is deterministic across builds (resume)', () => {
    const spec = parseSpec({
      data: {
        source: { kind: 'corpus', name: 'shakespeare' },
        tokenizer: { kind: 'bpe', vocabSize: 600 },
        seqLen: 16,
        batchSize: 2,
      },
    });
    expect(requiredSources(spec)).toEqual({ documents: true, bpeMerges: true });
    const sources = loadDataSources(spec);
    expect(() => buildDataset(spec, { documents: sources.documents })).toThrow(/bpeMerges/);
    const a = buildDataset(spec, sources);
    const b = buildDataset(spec, sources);
    expect(a.vocabSize).toBe(600);
    a.train.next();
    b.train.restore(JSON.parse(JSON.stringify(a.train.state())));
    const x = a.train.next();
    expect(b.train.next()).toEqual(x);
    expect(Math.max(...x.input, ...x.target)).toBeLessThan(600);
    expect(a.stats.documents).toBe(3);
  });

  it('text source: inline text, normalised; corpus without documents is a clear error', () => {
    const spec = parseSpec({
      data: { source: { kind: 'text', text: 'ab\r\ncd '.repeat(20) }, seqLen: 8, batchSize: 2 },
    });
    const ds = buildDataset(spec);
    expect(ds.vocabSize).toBe(256);
    expect(ds.stats.trainTokens + ds.stats.valTokens).toBe(6 * 20);
    expect(() => buildDataset(parseSpec({}))).toThrow(/gutenberg.*sources\.documents/);
    const tiny = parseSpec({ data: { source: { kind: 'text', text: 'abc' } } });
    expect(() => buildDataset(tiny)).toThrow(/too short to split/);
  });

  it('synthetic: vocab from the task, tokenizer names tokens, masks on batches', () => {
    const spec = parseSpec({
      data: { source: { kind: 'synthetic', task: 'recall', length: 4, symbols: 8 }, seqLen: 24, batchSize: 2 },
      log: { evalBatches: 2 },
    });
    expect(requiredSources(spec)).toEqual({ documents: false, bpeMerges: false });
    const ds = buildDataset(spec);
    expect(ds.vocabSize).toBe(1 + 1 + 8 + 8);
    expect(ds.synthetic!.names[ds.synthetic!.query]).toBe('?');
    const batch = ds.train.next();
    expect(batch.mask!.some((m) => m === 1)).toBe(true);
    expect(ds.tokenizer.decode(ds.tokenizer.encode('A a ? A a'))).toBe('A a ? A a');
    expect(() => ds.tokenizer.encode('A zz')).toThrow(/"zz" is not a token/);
    expect(ds.valBatches.length).toBe(2);
    expect(ds.valBatches[0].input).not.toEqual(ds.train.evalBatches(1)[0].input);
  });
});

// The exported data preparation makes exactly the engine's data: token streams (byte, char, GPT-2 BPE on tricky
// Unicode), the train/validation split of multi-document corpora and user files, the seeded batch order of the LM
// and synthetic batchers, their fingerprints (so checkpoints' batcher states restore in either engine), token names
// and bytes per token.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, type Batch, type Dataset } from '../../engine/data';
import { loadDataSources } from '../../engine/node/corpus';
import { exportExperiment } from '../../engine/node/export/export';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { tmpDir, writeSpec } from '../cli/helpers';
import { HERE, requireTorch, runPython } from './helpers';

const PROBE = "Don't stop: 1,234 apples\u00a0and \u00bd pear\u2014caf\u00e9 \u2615 it's 2024!\n\n  Done.\t";
const TRICKY =
  "It's 10:30 o'clock -- they'll've gone!  Numbers: 12345, \u00bd, \u2167, \u0661\u0662\u0663.\r\n" +
  'Caf\u00e9 na\u00efve \u65e5\u672c\u8a9e \ud83d\ude00 emoji\u2014dash\u00a0nbsp\u3000ideographic space\n\n\n   indented\ttab\n' +
  "'s 're 've 'm 'll 'd 'x ''quotes'' \"dq\" ???!!! ...\u200b zero-width\ufeffbom\u2028line sep\u0085nel \x0bvt\n";

const tmp = tmpDir('data');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const userFile = path.join(tmp, 'user.txt');

const spec = (name: string, data: ExperimentSpecInput['data']): ExperimentSpecInput => ({
  name,
  model: { dModel: 16, nLayers: 1, dFF: 32 },
  data,
  train: { seed: 11 },
  log: { evalBatches: 3, probeText: PROBE },
});

const CASES: ExperimentSpecInput[] = [
  spec('alice-byte', { source: { kind: 'corpus', name: 'alice' }, seqLen: 32, batchSize: 4 }),
  spec('alice-char', {
    source: { kind: 'corpus', name: 'alice' },
    tokenizer: { kind: 'char' },
    seqLen: 24,
    batchSize: 3,
  }),
  spec('alice-bpe', {
    source: { kind: 'corpus', name: 'alice' },
    tokenizer: { kind: 'bpe', vocabSize: 700 },
    seqLen: 16,
    batchSize: 4,
  }),
  spec('shakespeare-byte', {
    source: { kind: 'corpus', name: 'shakespeare' },
    seqLen: 16,
    batchSize: 6,
    valFraction: 0.1,
  }),
  spec('tricky-bpe', {
    source: { kind: 'text', text: TRICKY.repeat(20) },
    tokenizer: { kind: 'bpe', vocabSize: 2000 },
    seqLen: 8,
    batchSize: 2,
  }),
  spec('file-char', { source: { kind: 'file', path: userFile }, tokenizer: { kind: 'char' }, seqLen: 8, batchSize: 2 }),
  spec('mixture', {
    source: { kind: 'synthetic', task: 'mixture', length: 4, symbols: 6, modulus: 7 },
    seqLen: 24,
    batchSize: 3,
  }),
  spec('recall', { source: { kind: 'synthetic', task: 'recall', length: 5, symbols: 30 }, seqLen: 40, batchSize: 2 }),
];

interface PyBatch {
  input: number[];
  target: number[];
  mask: number[] | null;
  task_ids: number[] | null;
}
interface PyData {
  name: string;
  vocabSize: number;
  fingerprint: string;
  state: { kind: string; step: number; seed: number; fingerprint: string };
  train: PyBatch[];
  val: PyBatch[];
  bytesPerToken: number | null;
  names: string[];
  probe: number[] | string;
  description: string;
}

let py: PyData[] = [];
const engine: Record<string, { data: Dataset; train: Batch[] }> = {};

beforeAll(async () => {
  requireTorch();
  fs.writeFileSync(userFile, '\ufeff' + TRICKY.repeat(5) + '\x01\x7f end\r\n'); // BOM, CRLF, control characters
  const dirs = CASES.map((s) => {
    const out = path.join(tmp, s.name!);
    exportExperiment({ target: writeSpec(tmp, s, `${s.name}.json`), out });
    const parsed = parseSpec(s);
    const data = buildDataset(parsed, loadDataSources(parsed));
    engine[s.name!] = { data, train: [data.train.next(), data.train.next(), data.train.next()] };
    return out;
  });
  const r = await runPython([path.join(HERE, 'data_check.py'), path.join(tmp, 'out.json'), ...dirs]);
  if (r.code !== 0) throw new Error(`data_check.py failed:\n${r.stderr}`);
  py = JSON.parse(fs.readFileSync(path.join(tmp, 'out.json'), 'utf8'));
});

const same = (p: PyBatch, e: Batch, what: string) => {
  expect(p.input, `${what} input`).toEqual(Array.from(e.input));
  expect(p.target, `${what} target`).toEqual(Array.from(e.target));
  expect(p.mask, `${what} mask`).toEqual(e.mask ? Array.from(e.mask) : null);
  expect(p.task_ids, `${what} taskIds`).toEqual(e.taskIds ? Array.from(e.taskIds) : null);
};

describe('exported data preparation = the engine data layer', () => {
  for (const s of CASES)
    it(`${s.name}: vocabulary, fingerprint, train and validation batches, token names, bytes per token`, () => {
      const p = py.find((x) => x.name === s.name)!;
      const { data, train } = engine[s.name!];
      expect(p.vocabSize).toBe(data.vocabSize);
      expect(p.state).toEqual({ ...data.train.state(), step: 3 });
      expect(p.fingerprint).toBe(data.train.state().fingerprint);
      train.forEach((b, i) => same(p.train[i], b, `train batch ${i}`));
      expect(p.val.length).toBe(data.valBatches.length);
      data.valBatches.forEach((b, i) => same(p.val[i], b, `validation batch ${i}`));
      expect(p.names).toEqual(p.names.map((_, i) => data.tokenizer.tokenName(i)));
      if (data.synthetic) expect(p.bytesPerToken).toBeNull();
      else {
        expect(p.description).toBe(data.description);
        const enc = new TextEncoder();
        const bytes = data.valBatches.reduce((n, b) => n + enc.encode(data.tokenizer.decode(b.target)).length, 0);
        const toks = data.valBatches.reduce((n, b) => n + b.target.length, 0);
        expect(p.bytesPerToken).toBeCloseTo(bytes / toks, 12);
      }
      let probe: number[] | string;
      try {
        probe = Array.from(data.tokenizer.encode(PROBE));
      } catch {
        probe = 'error';
      }
      if (probe === 'error') expect(typeof p.probe).toBe('string');
      else expect(p.probe).toEqual(probe);
    });

  it('the BPE cases really merge (not just bytes) and the tricky text has its traps', () => {
    const tricky = py.find((x) => x.name === 'tricky-bpe')!;
    expect(tricky.vocabSize).toBe(2000);
    expect(Math.max(...tricky.train[0].input)).toBeGreaterThan(255);
    expect(typeof py.find((x) => x.name === 'alice-char')!.probe).toBe('string'); // ☕ is not in Alice
    expect(py.find((x) => x.name === 'mixture')!.train[0].mask!.some((m) => m === 1)).toBe(true);
  });
});

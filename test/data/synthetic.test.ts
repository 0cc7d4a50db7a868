// Synthetic tasks: answers correct by construction, masks exactly on answers, disjoint token roles,
// determinism and state/restore, modadd held-out pairs, accuracy on whole answers.
import { describe, expect, it } from 'vitest';
import { Rng, mixSeed } from '../../engine/data/rng';
import {
  SYNTHETIC_TASKS,
  type SyntheticConfig,
  makeExample,
  modaddSplit,
  syntheticVocab,
} from '../../engine/data/synthetic';
import { SyntheticBatcher, accuracy } from '../../engine/data/synthetic-batcher';

const cfg = (task: SyntheticConfig['task']): SyntheticConfig => ({ task, length: 6, symbols: 10, modulus: 13 });
const bopts = { batchSize: 3, seqLen: 40, seed: 5, split: 'train' as const, valFraction: 0.2 };

describe('rng', () => {
  it('is deterministic, uniform-ish, and mixSeed separates streams', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const xs = Array.from({ length: 4000 }, () => a.int(4));
    expect(xs).toEqual(Array.from({ length: 4000 }, () => b.int(4)));
    for (let k = 0; k < 4; k++) expect(Math.abs(xs.filter((x) => x === k).length - 1000)).toBeLessThan(120);
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(new Set(new Rng(3).distinct(10, 10)).size).toBe(10);
  });
});

describe('examples', () => {
  it('answers are correct by construction for every task', () => {
    for (const task of SYNTHETIC_TASKS) {
      const c = cfg(task);
      const v = syntheticVocab(c);
      const rng = new Rng(11);
      for (let i = 0; i < 50; i++) {
        const { tokens, answerStart } = makeExample(task, c, v, rng);
        const ans = tokens.slice(answerStart);
        const n = c.length;
        if (task === 'copy') expect(ans).toEqual(tokens.slice(0, n));
        if (task === 'reverse') expect(ans).toEqual(tokens.slice(0, n).reverse());
        if (task === 'sort') expect(ans).toEqual(tokens.slice(0, n).sort((a, b) => a - b));
        if (task !== 'recall' && task !== 'modadd') expect(tokens[n]).toBe(v.sep);
        if (task === 'recall') {
          const keys = tokens.filter((_, j) => j < 2 * n && j % 2 === 0);
          expect(new Set(keys).size).toBe(n);
          expect(keys.every((k) => k >= v.items.start && k < v.items.start + v.items.count)).toBe(true);
          const q = tokens[2 * n + 1];
          expect(tokens[2 * n]).toBe(v.query);
          expect(ans).toEqual([tokens[2 * keys.indexOf(q) + 1]]);
          expect(ans[0]).toBeGreaterThanOrEqual(v.values.start);
        }
        if (task === 'modadd') {
          const num = (t: number) => t - v.numbers.start;
          expect([tokens[1], tokens[3]]).toEqual([v.plus, v.eq]);
          expect(num(ans[0])).toBe((num(tokens[0]) + num(tokens[2])) % c.modulus);
        }
      }
    }
  });

  it('vocabularies: documented roles, disjoint ranges, unique names', () => {
    const v = syntheticVocab(cfg('mixture'));
    expect(v.size).toBe(1 + 1 + 1 + 2 + 5 + 10 + 10 + 13);
    expect(new Set(v.names).size).toBe(v.size);
    expect(v.roles.reduce((s, r) => s + r.count, 0)).toBe(v.size);
    expect(v.values.start).toBe(v.items.start + v.items.count);
    expect(syntheticVocab(cfg('copy')).names).toEqual(['<pad>', '<sep>', ...'ABCDEFGHIJ']);
    expect(() => syntheticVocab({ ...cfg('recall'), length: 11 })).toThrow(/distinct keys.*length \(11 pairs\)/);
    expect(() => syntheticVocab({ ...cfg('modadd'), modulus: 5000 })).toThrow(/modulus/);
  });

  it('modadd holds out a fixed set of pairs', () => {
    const { train, val } = modaddSplit(13, 0.2, 5);
    expect(train.length + val.length).toBe(169);
    expect(val.length).toBe(34);
    const t = new Set(train);
    expect([...val].some((p) => t.has(p))).toBe(false);
  });
});

describe('SyntheticBatcher', () => {
  it('masks exactly the answer tokens; targets are inputs shifted by one', () => {
    for (const task of [...SYNTHETIC_TASKS, 'mixture'] as const) {
      const bt = new SyntheticBatcher(cfg(task), bopts);
      const v = bt.vocab;
      const { input, target, mask, taskIds } = bt.next();
      const T = bopts.seqLen;
      for (let b = 0; b < 3; b++) for (let t = 0; t + 1 < T; t++) expect(target[b * T + t]).toBe(input[b * T + t + 1]);
      for (let i = 0; i < input.length; i++) {
        if (mask![i] === 0) continue;
        expect(taskIds![i]).toBeGreaterThanOrEqual(0);
        const tsk = SYNTHETIC_TASKS[taskIds![i]];
        const ans = tsk === 'recall' ? v.values : tsk === 'modadd' ? v.numbers : v.items;
        expect(target[i] >= ans.start && target[i] < ans.start + ans.count).toBe(true);
      }
      const expectedPerExample = { copy: 6, reverse: 6, sort: 6, recall: 1, modadd: 1 };
      const nMasked = mask!.reduce((s, m) => s + m, 0);
      const acc = accuracy(target, target, mask!, { taskIds, seqLen: T });
      expect(acc.nTokens).toBe(nMasked);
      if (task !== 'mixture') expect(acc.nTokens).toBe(acc.nAnswers * expectedPerExample[task]);
      expect(acc.tokenAccuracy).toBe(1);
      expect(input.some((x) => x === v.pad) || task === 'modadd').toBe(true);
    }
  });

  it('is deterministic, restores from a JSON state, and splits train from validation', () => {
    const a = new SyntheticBatcher(cfg('mixture'), bopts);
    a.next();
    a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const expected = a.next();
    const b = new SyntheticBatcher(cfg('mixture'), bopts);
    b.restore(saved);
    expect(b.next()).toEqual(expected);
    expect(new SyntheticBatcher(cfg('mixture'), bopts).evalBatches(2)).toEqual(a.evalBatches(2));
    const val = new SyntheticBatcher(cfg('modadd'), { ...bopts, split: 'val' });
    expect(() => val.restore(saved)).toThrow(/different data/);
    const held = new Set(modaddSplit(13, 0.2, 5).val);
    const vb = val.evalBatches(2);
    const tb = new SyntheticBatcher(cfg('modadd'), bopts).evalBatches(2);
    const n0 = val.vocab.numbers.start;
    const pairs = (x: Int32Array) =>
      Array.from({ length: x.length / 5 }, (_, e) => (x[e * 5] - n0) * 13 + (x[e * 5 + 2] - n0));
    // modadd rows are 8 examples of 5 tokens = 40 = T (+1 pad); first tokens of each example are operands
    for (const batch of vb)
      for (let r = 0; r < 3; r++)
        expect(pairs(batch.input.subarray(r * 40, r * 40 + 40)).every((p) => held.has(p))).toBe(true);
    for (const batch of tb)
      for (let r = 0; r < 3; r++)
        expect(pairs(batch.input.subarray(r * 40, r * 40 + 40)).some((p) => held.has(p))).toBe(false);
  });

  it('errors when seqLen is too short for an example', () => {
    expect(() => new SyntheticBatcher({ ...cfg('copy'), length: 30 }, bopts)).toThrow(
      /seqLen=40 is too short.*61 tokens/,
    );
  });
});

describe('accuracy', () => {
  it('counts tokens and whole answers, per task', () => {
    const target = Int32Array.of(9, 1, 2, 3, 9, 4, 5, 9, 6);
    const mask = Float32Array.of(0, 1, 1, 1, 0, 1, 1, 0, 1);
    const taskIds = Int32Array.of(0, 0, 0, 0, 1, 1, 1, 2, 2);
    const pred = Int32Array.of(0, 1, 2, 0, 0, 4, 5, 0, 6); // answer 1 has one wrong token
    const r = accuracy(pred, target, mask, { taskIds });
    expect([r.nTokens, r.nAnswers]).toEqual([6, 3]);
    expect(r.tokenAccuracy).toBeCloseTo(5 / 6, 12);
    expect(r.answerAccuracy).toBeCloseTo(2 / 3, 12);
    expect(r.perTask.copy).toEqual({ tokenAccuracy: 2 / 3, answerAccuracy: 0, nTokens: 3, nAnswers: 1 });
    expect(r.perTask.reverse!.answerAccuracy).toBe(1);
    expect(r.perTask.recall!.nAnswers).toBe(1);
    expect(accuracy(pred, target, Float32Array.of(0, 1, 1, 1, 1, 1, 1, 0, 0), { seqLen: 4 }).nAnswers).toBe(2);
    expect(() => accuracy(pred, target, Float32Array.of(1))).toThrow(/lengths differ/);
  });
});

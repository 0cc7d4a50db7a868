// Smoke test of the benchmark code (engine/bench): tiny shapes, one repeat. Checks the report's structure and
// internal consistency, never timings.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { parseSpec } from '../engine/spec';
import { ALL_CASES, selectCases, type AttentionCase, type LmStepCase } from '../engine/bench/cases';
import { formatReport } from '../engine/bench/format';
import { runBench } from '../engine/bench/run';
import { useBackend } from './engine/helpers';
import { cachedTableCount } from '../engine/ops/position';

const att = (a: object) => parseSpec({ model: { attention: a } }).model.attention;
const tinyAttention = (positions: 'none' | 'xl' | 'rope', Tm: number): AttentionCase => ({
  kind: 'attention',
  name: `tiny-${positions}`,
  description: 'tiny',
  shape: { dModel: 16, B: 2, T: 6, Tm },
  dense: att({ kind: 'dense', nHeads: 4, dHead: 4, positions, xlMemory: Tm > 0 }),
  switchhead: att({
    kind: 'switchhead',
    nHeads: 2,
    dHead: 4,
    nExperts: 3,
    k: 2,
    moe: { v: true, o: true },
    positions,
    xlMemory: Tm > 0,
  }),
});
const lmSpec = (attention: object) =>
  parseSpec({
    model: { dModel: 16, nLayers: 1, dFF: 32, attention },
    data: { seqLen: 8, batchSize: 2 },
    train: { steps: 10 },
  });
const tinyLm: LmStepCase = {
  kind: 'lm-step',
  name: 'tiny-lm',
  description: 'tiny',
  dense: lmSpec({ kind: 'dense', nHeads: 2, dHead: 8, positions: 'rope' }),
  switchhead: lmSpec({ kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 3, k: 2, positions: 'rope' }),
};

for (const backend of ['wasm', 'cpu'] as const)
  describe(`bench on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it('reports every field of DESIGN 2.4 for attention and lm-step pairs, without leaking tensors', async () => {
      const before = tf.memory().numTensors - cachedTableCount(); // cached masks/tables stay on purpose
      const cases = [tinyAttention('none', 6), tinyAttention('xl', 6), tinyAttention('rope', 0), tinyLm];
      const r = await runBench({ caseList: cases, repeats: 1, warmup: 0 });
      expect(tf.memory().numTensors - cachedTableCount()).toBe(before);
      expect(r.backend).toBe(backend);
      expect(r.cases.map((c) => c.name)).toEqual(cases.map((c) => c.name));
      for (const c of r.cases) {
        for (const k of [
          'switchhead_ms',
          'dense_ms',
          'switchhead_peak_bytes',
          'dense_peak_bytes',
          'params_switchhead',
          'params_dense',
        ] as const)
          expect(c[k], `${c.name} ${k}`).toBeGreaterThan(0);
        expect(c.time_ratio).toBeCloseTo(c.switchhead_ms / c.dense_ms, 10);
        expect(c.mem_ratio).toBeCloseTo(c.switchhead_peak_bytes / c.dense_peak_bytes, 10);
        expect(c.macs_ratio).toBeGreaterThan(0);
        expect(c.switchhead.leakedTensors).toBe(0);
        expect(c.dense.leakedTensors).toBe(0);
      }
      // The tiny dense layer: W_q, W_k, W_v [16, 16] and W_o [16, 16]; the XL one adds W_pos, u, v and the scale.
      expect(r.cases[0]!.params_dense).toBe(4 * 16 * 16);
      expect(r.cases[1]!.params_dense).toBe(5 * 16 * 16 + 2 * 4 * 4 + 1);
      expect(r.cases[3]!.dense_tokens_per_s).toBeGreaterThan(0);
      const table = formatReport(r);
      for (const c of cases) expect(table).toContain(c.name);
      expect(table).not.toContain('LEAKED');
    });
  });

describe('bench cases', () => {
  it('hold the paper shapes of DESIGN 2.4 and SPEC §7.1', () => {
    const [a47, xl, rope] = selectCases(['attn-47m', 'attn-47m-xl', 'attn-47m-rope']) as AttentionCase[];
    expect(a47!.shape).toEqual({ dModel: 412, B: 4, T: 256, Tm: 256 });
    expect([a47!.dense.nHeads, a47!.dense.dHead, a47!.dense.positions]).toEqual([10, 41, 'none']);
    const sh = a47!.switchhead;
    expect([sh.nHeads, sh.dHead, sh.nExperts, sh.k, sh.moe]).toEqual([
      2,
      76,
      5,
      2,
      { q: false, k: false, v: true, o: true },
    ]);
    expect(xl!.switchhead.positions).toBe('xl');
    expect(rope!.shape).toEqual({ dModel: 412, B: 4, T: 512, Tm: 0 });
    expect([rope!.switchhead.dHead, rope!.switchhead.k]).toEqual([64, 3]);
  });

  it('matches the lm-step pair on parameters within one FFN unit per layer', async () => {
    const { countParams } = await import('../engine/cost');
    const lm = ALL_CASES.find((c) => c.name === 'lm-step') as LmStepCase;
    const d = countParams(lm.dense, 256).total,
      s = countParams(lm.switchhead, 256).total;
    expect(Math.abs(d - s)).toBeLessThanOrEqual(lm.dense.model.nLayers * (2 * lm.dense.model.dModel + 1));
  });

  it('names unknown cases', () => {
    expect(() => selectCases(['attn-47m', 'nope'])).toThrow(/nope/);
  });
});

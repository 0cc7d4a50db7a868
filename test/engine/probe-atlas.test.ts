// The expert atlas: a hand-checkable case of the pure accumulation, then the atlas of a trained SwitchAll model:
// shapes, counts that agree with the routing statistics of the same rows, signatures that sum to k, contexts
// whose expert really was chosen there. Dense models are refused. wasm and cpu.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { atlas, buildAtlas, type AtlasSelection } from '../../engine/train/atlas';
import { readLayers, trainerRouting } from '../../engine/train/routing';
import { runSync } from '../../engine/train/readback';
import type { Trainer } from '../../engine/train/trainer';
import { useBackend } from './helpers';
import { DENSE, makeTrainer, SWITCHALL } from './probe-fixtures';

describe('buildAtlas (pure)', () => {
  it('counts, top token types, top contexts and signatures of a hand-made case', () => {
    // 2 rows of 3 positions: tokens a b a | b a c (ids 10, 11, 12); one group of E = 3 experts, k = 1 ... and a
    // second group (head 1) so that the head layout [P, G, k] is exercised.
    const ids = Int32Array.from([10, 11, 10, 11, 10, 12]);
    const sel: AtlasSelection = {
      layer: 0,
      side: 'src',
      G: 2,
      E: 3,
      k: 1,
      // position p: [head 0 expert, head 1 expert]
      idx: Int32Array.from([0, 2, 1, 2, 0, 2, 1, 2, 2, 2, 0, 1]),
      gates: Float32Array.from([0.9, 0.5, 0.8, 0.5, 0.7, 0.5, 0.6, 0.5, 0.95, 0.5, 0.4, 0.99]),
    };
    const names: Record<number, string> = { 10: 'a', 11: 'b', 12: 'c' };
    const r = buildAtlas(
      ids,
      3,
      [sel],
      { maxTokens: 6, topTokens: 2, topContexts: 2, signatureTypes: 2 },
      (id) => names[id]!,
      {
        step: 7,
        source: 'hand',
      },
    );
    expect(r.types).toEqual([10, 11, 12]); // a x3, b x2, c x1
    expect(r.typeNames).toEqual(['a', 'b', 'c']);
    expect(r.typeCounts).toEqual([3, 2, 1]);
    expect(r.signatureTypes).toBe(2);
    expect(r.groups).toHaveLength(2);
    const [g0, g1] = r.groups;
    expect(g0!.counts).toEqual([3, 2, 1]); // expert 0 at p 0, 2, 5; expert 1 at p 1, 3; expert 2 at p 4
    expect(g0!.topTypes[0]).toEqual({ type: [0, 2], count: [2, 1] }); // a twice, c once
    expect(g0!.topTypes[1]).toEqual({ type: [1], count: [2] }); // b twice
    expect(g0!.topTypes[2]).toEqual({ type: [0], count: [1] });
    expect(g0!.topContexts[0]!.pos).toEqual([0, 2]); // gates 0.9, 0.7 (0.4 dropped)
    expect(g0!.topContexts[0]!.gate.map((g) => +g.toFixed(6))).toEqual([0.9, 0.7]);
    expect(g0!.topContexts[1]!.pos).toEqual([1, 3]);
    // signature [S=2][E=3]: a picks expert 0 twice and 2 once of 3; b picks expert 1 both times
    expect(Array.from(g0!.signature).map((x) => +x.toFixed(6))).toEqual(
      [2 / 3, 0, 1 / 3, 0, 1, 0].map((x) => +x.toFixed(6)),
    );
    // every position's chosen experts and gates, per group [P, k]
    expect(Array.from(g0!.idx)).toEqual([0, 1, 0, 1, 2, 0]);
    expect(Array.from(g1!.idx)).toEqual([2, 2, 2, 2, 2, 1]);
    expect(Array.from(g0!.gates)).toEqual([0.9, 0.8, 0.7, 0.6, 0.95, 0.4].map(Math.fround));
    expect(g1!.counts).toEqual([0, 1, 5]);
    expect(g1!.topContexts[1]).toEqual({ pos: [5], gate: [Math.fround(0.99)] });
  });
});

describe.each(['wasm', 'cpu'] as const)('the expert atlas on %s', (backend) => {
  let tr: Trainer;
  beforeAll(async () => {
    await useBackend(backend);
    tr = makeTrainer(SWITCHALL, 8);
  });
  afterAll(() => tr.dispose());

  it('covers every layer, side, head and expert; counts agree with the routing statistics of the same rows', () => {
    const b = tr.data.valBatches[0]!;
    const n = b.batchSize * b.seqLen;
    const r = atlas(tr, { maxTokens: n });
    expect(r.tokens).toBe(n);
    expect(r.rowLength).toBe(b.seqLen);
    expect(Array.from(r.ids)).toEqual(Array.from(b.input));
    expect(r.source).toMatch(/the first 2 validation rows of 24 tokens \(48 tokens\)/);
    expect(r.groups.map((g) => `${g.layer}${g.side}${g.head}`)).toEqual([
      '0src0',
      '0src1',
      '0dst0',
      '0dst1',
      '0mlp0',
      '1src0',
      '1src1',
      '1dst0',
      '1dst1',
      '1mlp0',
    ]);
    const routing = trainerRouting(tr);
    for (const g of r.groups) {
      const stats = routing.sides.find((s) => s.layer === g.layer && s.side === g.side)!.heads[g.head]!;
      expect(g.counts).toEqual(stats.counts);
      expect(g.signature).toHaveLength(r.signatureTypes * g.experts);
      for (let t = 0; t < r.signatureTypes; t++) {
        const row = Array.from(g.signature.subarray(t * g.experts, (t + 1) * g.experts));
        expect(row.reduce((a, x) => a + x, 0)).toBeCloseTo(g.k, 5);
      }
      g.topTypes.forEach((tt, e) => {
        expect(tt.count.reduce((a, x) => a + x, 0)).toBeLessThanOrEqual(g.counts[e]!);
        if (g.counts[e]) expect(tt.type.length).toBeGreaterThan(0); // every used expert lists tokens
      });
    }
    // a listed context really chose its expert there, with that gate; every position's selection is the model's
    const sel = runSync(readLayers(tr, b, {}))[1]!.dst!;
    const g = r.groups.find((x) => x.layer === 1 && x.side === 'dst' && x.head === 1)!;
    expect(g.idx).toHaveLength(n * g.k);
    for (let p = 0; p < n; p++)
      for (let j = 0; j < g.k; j++) {
        expect(g.idx[p * g.k + j]).toBe(sel.idx[(p * 2 + 1) * g.k + j]);
        expect(g.gates[p * g.k + j]).toBe(sel.gates[(p * 2 + 1) * g.k + j]);
      }
    g.topContexts.forEach((c, e) =>
      c.pos.forEach((p, i) => {
        const slots = [0, 1].map((j) => (p * 2 + 1) * 2 + j);
        const j = slots.findIndex((o) => sel.idx[o] === e);
        expect(j).toBeGreaterThanOrEqual(0);
        expect(c.gate[i]).toBe(sel.gates[slots[j]!]);
        if (i > 0) expect(c.gate[i]!).toBeLessThanOrEqual(c.gate[i - 1]!);
      }),
    );
  });

  it('reads whole rows up to maxTokens (at least one), and refuses a dense model', () => {
    const T = tr.data.valBatches[0]!.seqLen;
    expect(atlas(tr, { maxTokens: 3 * T - 1 }).tokens).toBe(2 * T);
    expect(atlas(tr, { maxTokens: 1 }).tokens).toBe(T);
    const dense = makeTrainer(DENSE);
    expect(() => atlas(dense)).toThrowError(/the atlas needs a model that selects experts/);
    dense.dispose();
  });
});

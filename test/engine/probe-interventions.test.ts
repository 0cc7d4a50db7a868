// Counterfactual routing on the probe: a probe with interventions equals a direct computation with the same forced
// selection (made by hand), forcing the already-chosen set changes nothing, ablating the most-chosen expert moves the
// next-token distribution and the loss, invalid interventions are refused by name, and nothing the trainer owns
// changes. SwitchAll (SwitchHead + σ-MoE), MoA and dense models, on wasm and cpu.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeIntervention, ProbeReport, SelectionSide } from '../../engine/contracts/reports';
import { probe } from '../../engine/train/probe';
import { ProbeInputError } from '../../engine/train/probe-interventions';
import type { Trainer } from '../../engine/train/trainer';
import { useBackend } from './helpers';
import { directForward, handTopK, type Chooser } from './probe-direct';
import { DENSE, makeTrainer, MOA, SWITCHALL, tinyModel } from './probe-fixtures';

const PROBE = 'Some years ago, never';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
const topP = (r: ProbeReport, which: 'outputs' | 'baseline' = 'outputs') =>
  r[which]!.top.flatMap((row) => row.map((x) => x.p));
const sets = (idx: number[][][]) => idx.map((r) => r.map((es) => [...es].sort()));

/** The probe and the direct computation agree on loss, per-token loss, the top-5 and the attention output norms. */
function expectSameOutputs(r: ProbeReport, tr: Trainer, choose: Chooser, tol: number) {
  const ids = Array.from(tr.data.tokenizer.encode(PROBE));
  const d = directForward(tr.params, tr.spec, ids, choose);
  expect(maxDiff(r.outputs!.tokenLoss, d.tokenLoss)).toBeLessThan(tol);
  expect(Math.abs(r.outputs!.loss - d.tokenLoss.reduce((a, b) => a + b, 0) / d.tokenLoss.length)).toBeLessThan(tol);
  const V = tr.data.vocabSize;
  r.outputs!.top.forEach((row, t) => {
    const logits = Array.from(d.logits.subarray(t * V, (t + 1) * V));
    const z = Math.max(...logits);
    const sum = logits.reduce((s, x) => s + Math.exp(x - z), 0);
    row.forEach((x) => expect(Math.abs(x.p - Math.exp(logits[x.id]! - z) / sum)).toBeLessThan(tol));
    expect(row.map((x) => x.p)).toEqual([...row.map((x) => x.p)].sort((a, b) => b - a));
  });
  r.outputs!.attentionNorm.forEach((ly, l) => expect(maxDiff(ly.out, d.attentionOut[l]!)).toBeLessThan(tol * 10));
  for (const [key, chosen] of Object.entries(d.selections)) {
    const [l, side] = key.split(':') as [string, SelectionSide];
    expect(sets(r.layers[Number(l)]![side]!.idx), key).toEqual(sets(chosen));
  }
}

describe.each(['wasm', 'cpu'] as const)('probe interventions on %s', (backend) => {
  let sw: Trainer, moa: Trainer, dense: Trainer;
  beforeAll(async () => {
    await useBackend(backend);
    sw = makeTrainer(SWITCHALL, 8);
    moa = makeTrainer(MOA, 8);
    dense = makeTrainer(DENSE, 2);
  });
  afterAll(() => [sw, moa, dense].forEach((t) => t.dispose()));

  it('without interventions: the probe equals the direct computation (SwitchAll, MoA, dense)', () => {
    for (const tr of [sw, moa, dense]) {
      const r = probe(tr, PROBE);
      expect(r.interventions).toBeUndefined();
      expect(r.baseline).toBeUndefined();
      expect(r.targets).toEqual(
        r.tokens.slice(1).concat(tr.data.tokenizer.tokenName(tr.data.tokenizer.encode(PROBE).at(-1)!)),
      );
      expectSameOutputs(r, tr, (_l, _s, scores, k) => scores.map((row) => row.map((s) => handTopK(s, k))), 2e-5);
    }
  });

  it('SwitchAll: ablate, force and uniform on src, dst and mlp equal the direct computation with the same hand-made choice', () => {
    const list: ProbeIntervention[] = [
      { kind: 'ablate', layer: 0, side: 'src', head: 1, expert: 2, position: 3 },
      { kind: 'force', layer: 1, side: 'dst', head: 0, expert: 3 },
      { kind: 'ablate', layer: 0, side: 'mlp', head: 0, expert: 1 },
      { kind: 'uniform', layer: 1, side: 'mlp' },
    ];
    const r = probe(sw, PROBE, { interventions: list });
    expect(r.interventions).toEqual(list);
    const k = 2,
      E = 4;
    const choose: Chooser = (l, side, scores) =>
      scores.map((row, t) =>
        row.map((s, h) => {
          if (l === 0 && side === 'src' && h === 1 && t === 3) return handTopK(s, k, [], [2]);
          if (l === 1 && side === 'dst' && h === 0) return handTopK(s, k, [3]);
          if (l === 0 && side === 'mlp') return handTopK(s, k, [], [1]);
          if (l === 1 && side === 'mlp') return [0, 1].map((j) => (t * k + j) % E);
          return handTopK(s, k);
        }),
      );
    expectSameOutputs(r, sw, choose, 2e-5);
    // the gates are the real scores of the chosen experts
    const dst = r.layers[1]!.dst!;
    dst.idx.forEach((row, t) =>
      row.forEach((es, h) => es.forEach((e, j) => expect(dst.gates[t]![h]![j]).toBeCloseTo(dst.scores[t]![h]![e]!, 6))),
    );
    expect(dst.idx.every((row) => row[0]!.includes(3))).toBe(true);
    // the baseline is the probe without interventions, on the same weights
    const plain = probe(sw, PROBE);
    expect(r.baseline).toEqual(plain.outputs);
    expect(r.outputs!.loss).not.toBe(plain.outputs!.loss);
  });

  it('MoA: forcing and ablating on its router (dst) equals the direct computation', () => {
    const chosen = probe(moa, PROBE).layers[0]!.dst!.idx[5]![0]!;
    const other = [0, 1, 2, 3].find((e) => !chosen.includes(e))!; // not chosen at position 5: forcing it changes the choice
    const list: ProbeIntervention[] = [
      { kind: 'force', layer: 0, side: 'dst', head: 0, expert: other, position: 5 },
      { kind: 'ablate', layer: 1, side: 'dst', head: 0, expert: 1 },
    ];
    const r = probe(moa, PROBE, { interventions: list });
    expect(r.layers[0]!.dst!.idx[5]![0]).toContain(other);
    const choose: Chooser = (l, _side, scores, k) =>
      scores.map((row, t) =>
        row.map((s) =>
          l === 0 && t === 5 ? handTopK(s, k, [other]) : l === 1 ? handTopK(s, k, [], [1]) : handTopK(s, k),
        ),
      );
    expectSameOutputs(r, moa, choose, 2e-5);
  });

  it('forcing the already-chosen set changes nothing', () => {
    const base = probe(sw, PROBE);
    const list: ProbeIntervention[] = [];
    for (const [layer, side] of [
      [0, 'src'],
      [1, 'dst'],
      [1, 'mlp'],
    ] as const)
      base.layers[layer]![side]!.idx.forEach((row, position) =>
        row.forEach((es, head) =>
          es.forEach((expert) => list.push({ kind: 'force', layer, side, head, expert, position })),
        ),
      );
    const r = probe(sw, PROBE, { interventions: list });
    expect(maxDiff(r.outputs!.tokenLoss, base.outputs!.tokenLoss)).toBeLessThanOrEqual(1e-6);
    expect(maxDiff(topP(r), topP(base))).toBeLessThanOrEqual(1e-6);
    expect(r.layers.map((l) => [l.src!.idx, l.dst!.idx, l.mlp!.idx])).toEqual(
      base.layers.map((l) => [l.src!.idx, l.dst!.idx, l.mlp!.idx]),
    );
    expect(maxDiff(r.layers[1]!.attention.flat(2), base.layers[1]!.attention.flat(2))).toBeLessThanOrEqual(1e-6);
  });

  it("ablating the expert most chosen at a token changes that token's next-token distribution and the loss", () => {
    const base = probe(sw, PROBE);
    const t = 6;
    const dst = base.layers[1]!.dst!; // the O experts of the last layer act on position t's own output
    const top = dst.idx[t]![0]![0]!; // the highest-scored expert of head 0 at t
    const r = probe(sw, PROBE, {
      interventions: [{ kind: 'ablate', layer: 1, side: 'dst', head: 0, expert: top, position: t }],
    });
    expect(r.layers[1]!.dst!.idx[t]![0]).not.toContain(top);
    const before = r.baseline!.top[t]!,
      after = r.outputs!.top[t]!;
    expect(
      maxDiff(
        before.map((x) => x.p),
        after.map((x) => x.p),
      ),
    ).toBeGreaterThan(1e-5);
    expect(Math.abs(r.outputs!.loss - r.baseline!.loss)).toBeGreaterThan(1e-7);
    expect(r.outputs!.tokenLoss.slice(0, t)).toEqual(r.baseline!.tokenLoss.slice(0, t)); // causal: earlier positions untouched
    expect(r.outputs!.attentionNorm[1]!.out[t]).not.toBe(r.baseline!.attentionNorm[1]!.out[t]);
    expect(r.outputs!.attentionNorm[1]!.head).toEqual(r.baseline!.attentionNorm[1]!.head); // O acts after the head output
  });

  it('refuses interventions that do not fit the model, naming what is wrong', () => {
    const bad = (tr: Trainer, iv: ProbeIntervention | ProbeIntervention[]) => () =>
      probe(tr, PROBE, { interventions: Array.isArray(iv) ? iv : [iv] });
    const ab = { kind: 'ablate' as const, layer: 1, side: 'src' as const, head: 0, expert: 7 };
    expect(bad(sw, ab)).toThrowError(ProbeInputError);
    expect(bad(sw, ab)).toThrowError('expert 7 does not exist: layer 1 head 0 src has 4 experts (0-3)');
    expect(bad(sw, { ...ab, layer: 2, expert: 0 })).toThrowError(
      'layer 2 does not exist: the model has 2 layers (0-1)',
    );
    expect(bad(sw, { ...ab, head: 2, expert: 0 })).toThrowError('head 2 does not exist: layer 1 src has 2 heads');
    expect(bad(sw, { ...ab, expert: 0, position: 40 })).toThrowError(
      /position 40 does not exist: the probe has 20 positions/,
    );
    expect(
      bad(
        sw,
        [0, 1, 2].map((expert) => ({ ...ab, expert, position: 1, kind: 'force' as const })),
      ),
    ).toThrowError('forcing 3 experts at layer 1 head 0 src position 1 exceeds k = 2');
    expect(
      bad(
        sw,
        [0, 1, 2].map((expert) => ({ ...ab, expert })),
      ),
    ).toThrowError('ablating 3 of 4 experts at layer 1 head 0 src position 0 leaves fewer than k = 2');
    expect(
      bad(sw, [
        { ...ab, expert: 1 },
        { ...ab, expert: 1, kind: 'force' },
      ]),
    ).toThrowError(/expert 1 is both forced and ablated/);
    expect(
      bad(sw, [
        { kind: 'uniform', layer: 1 },
        { ...ab, expert: 1 },
      ]),
    ).toThrowError(/uniform routing at layer 1 head 0 src cannot be combined/);
    expect(bad(moa, { ...ab, expert: 0 })).toThrowError(
      "layer 1 has no src selection: MoA routes on the destination side only ('dst')",
    );
    expect(bad(moa, { ...ab, side: 'dst', head: 1, expert: 0 })).toThrowError(
      'head 1 does not exist: layer 1 dst has 1 heads',
    );
    expect(bad(moa, { ...ab, side: 'mlp', head: 0, expert: 0 })).toThrowError(
      'layer 1 has no mlp selection: its MLP is dense',
    );
    expect(bad(dense, { ...ab, side: 'dst', expert: 0 })).toThrowError(
      'layer 1 has no dst selection: its attention is dense (no expert selection)',
    );
    expect(bad(dense, { kind: 'uniform' })).toThrowError(
      /uniform routing has nothing to act on: this model selects no experts/,
    );
  });

  it('dense models: the probe has attention maps and outputs, no selections', () => {
    const r = probe(dense, PROBE);
    expect(r.layers[0]!.attention).toHaveLength(2);
    expect(r.layers[0]!.src ?? r.layers[0]!.dst ?? r.layers[0]!.mlp).toBeUndefined();
    expect(r.outputs!.attentionNorm[0]!.head).toHaveLength(2);
    expect(r.outputs!.attentionNorm[0]!.head[0]).toHaveLength(r.tokens.length);
  });

  it('never changes the weights, the optimizer, the XL memory or the data position', () => {
    const snap = (tr: Trainer) => ({
      tensors: tr.snapshot().tensors.map(([n, t]) => [n, Array.from(t.dataSync())]),
      batcher: JSON.stringify(tr.data.train.state()),
      step: tr.stepCount,
    });
    const xl = makeTrainer(tinyModel({ kind: 'switchhead', nExperts: 4, k: 2, positions: 'xl', xlMemory: true }), 2);
    expect(xl.memory).not.toBeNull();
    for (const tr of [sw, xl]) {
      const before = snap(tr);
      probe(tr, PROBE); // builds the shared constant tables of this length (masks, positions): cached, not leaked
      const tensorsBefore = tf.memory().numTensors;
      probe(tr, PROBE, { interventions: [{ kind: 'uniform' }] });
      probe(tr, PROBE, { interventions: [{ kind: 'ablate', layer: 0, side: 'src', head: 1, expert: 0 }] });
      expect(() =>
        probe(tr, PROBE, { interventions: [{ kind: 'ablate', layer: 0, side: 'src', head: 0, expert: 9 }] }),
      ).toThrow();
      expect(snap(tr)).toEqual(before);
      expect(tf.memory().numTensors).toBe(tensorsBefore); // nothing leaked, also on the refused request
    }
    xl.dispose();
  });
});

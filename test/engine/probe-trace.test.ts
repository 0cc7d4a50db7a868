// The teaching walkthrough equals the model's real forward: its final output is the layer's attention output at the
// traced position, its attention row is the probe's, and each stage is consistent with the next (gate-weighted V
// experts give v, the weights give u, gate-weighted O experts give the head's output). wasm and cpu.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lmForward } from '../../engine/model/lm';
import { probe } from '../../engine/train/probe';
import { ProbeInputError } from '../../engine/train/probe-interventions';
import { trace } from '../../engine/train/probe-trace';
import type { Trainer } from '../../engine/train/trainer';
import { useBackend } from './helpers';
import { DENSE, makeTrainer, MOA, SWITCHALL, tinyModel } from './probe-fixtures';

const TEXT = 'Some years ago, never';

const maxDiff = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
};

/** The layer's attention output at position p, from the model's own forward pass. */
function forwardAttention(tr: Trainer, text: string, layer: number, p: number): number[] {
  const ids = Array.from(tr.data.tokenizer.encode(text)).slice(0, -1);
  return tf.tidy(() => {
    const out = lmForward(tr.params, tr.spec.model, tf.tensor2d(ids, [1, ids.length], 'int32'), null, {
      training: false,
      seed: 0,
    });
    const y = out.layers[layer]!.att.out; // [1, T, d]
    return Array.from(tf.slice(y, [0, p, 0], [1, 1, -1]).dataSync());
  });
}

const weighted = (parts: { gate: number; out: number[] }[]) =>
  parts[0]!.out.map((_, i) => parts.reduce((s, x) => s + x.gate * x.out[i]!, 0));

describe.each(['wasm', 'cpu'] as const)('walkthrough trace on %s', (backend) => {
  const models = {
    'SwitchHead V/O, rope, σ-MoE MLP': SWITCHALL,
    'SwitchHead Q/K/V/O, XL': tinyModel({
      kind: 'switchhead',
      nExperts: 4,
      k: 2,
      positions: 'xl',
      moe: { q: true, k: true, v: true, o: true },
    }),
    'SwitchHead E = 1, no positions': tinyModel({ kind: 'switchhead', nExperts: 1, k: 1, positions: 'none' }),
  };
  const trainers: Record<string, Trainer> = {};
  beforeAll(async () => {
    await useBackend(backend);
    for (const [name, spec] of Object.entries(models)) trainers[name] = makeTrainer(spec, 5);
  });
  afterAll(() => Object.values(trainers).forEach((t) => t.dispose()));

  it.each(Object.keys(models))('%s: the trace equals the forward pass at every stage', (name) => {
    const tr = trainers[name]!;
    const a = tr.spec.model.attention;
    const pr = probe(tr, TEXT);
    for (const [layer, p] of [
      [0, 0],
      [1, 7],
      [1, 19],
    ] as const) {
      const t = trace(tr, TEXT, p, layer);
      expect(t.token).toBe(pr.tokens[p]);
      expect(t.heads).toHaveLength(a.nHeads);
      expect(maxDiff(t.output, forwardAttention(tr, TEXT, layer, p))).toBeLessThan(1e-5);
      t.heads.forEach((h, hi) => {
        const row = pr.layers[layer]!.attention[hi]![p]!;
        expect(maxDiff(h.weights, row.slice(0, p + 1))).toBeLessThan(1e-5);
        expect(h.keys).toHaveLength(p + 1);
        expect(h.values).toHaveLength(p + 1);
        const u = h.values[0]!.map((_, i) => h.values.reduce((s, v, j) => s + h.weights[j]! * v[i]!, 0));
        expect(maxDiff(h.attended, u)).toBeLessThan(1e-5);
        if (a.nExperts > 1) {
          expect(h.src).toHaveLength(p + 1);
          expect(h.src![p]!.idx).toEqual(pr.layers[layer]!.src!.idx[p]![hi]);
          expect(h.dst!.idx).toEqual(pr.layers[layer]!.dst!.idx[p]![hi]);
          expect(maxDiff(h.dst!.gates, pr.layers[layer]!.dst!.gates[p]![hi]!)).toBeLessThan(1e-6);
          expect(
            maxDiff(
              h.dst!.scores,
              h.dst!.logits.map((z) => 1 / (1 + Math.exp(-z))),
            ),
          ).toBeLessThan(1e-6);
          expect(maxDiff(weighted(h.vExperts!), h.values[p]!)).toBeLessThan(1e-5);
          expect(maxDiff(weighted(h.oExperts!), h.output)).toBeLessThan(1e-5);
        } else {
          expect(h.src ?? h.dst ?? h.vExperts ?? h.oExperts).toBeUndefined();
          expect(h.outputGate).toBeGreaterThan(0);
        }
      });
      const sum = t.output.map((_, i) => t.heads.reduce((s, h) => s + h.output[i]!, 0));
      expect(maxDiff(sum, t.output)).toBeLessThan(1e-9);
    }
  });

  it('refuses other attention kinds, a missing layer or position, and a text of the wrong length', () => {
    const moa = makeTrainer(MOA),
      dense = makeTrainer(DENSE);
    const sw = trainers['SwitchHead V/O, rope, σ-MoE MLP']!;
    expect(() => trace(moa, TEXT, 0, 0)).toThrowError(/this model's attention is moa/);
    expect(() => trace(dense, TEXT, 0, 0)).toThrowError(/this model's attention is dense/);
    expect(() => trace(sw, TEXT, 0, 2)).toThrowError('layer 2 does not exist: the model has 2 layers');
    expect(() => trace(sw, TEXT, 20, 0)).toThrowError(ProbeInputError);
    expect(() => trace(sw, TEXT, 20, 0)).toThrowError(/position 20 does not exist: the text has 20 positions/);
    expect(() => trace(sw, 'e'.repeat(40), 0, 0)).toThrowError(/too long \(40 tokens; the model's context is 24/);
    moa.dispose();
    dense.dispose();
  });
});

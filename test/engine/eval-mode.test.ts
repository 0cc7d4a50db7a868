// Evaluation mode is deterministic: evaluate(), the routing statistics and the probe run with dropout and expert
// dropout off (SwitchHead, σ-MoE, MoA), and evaluate() carries XL memory across the validation batches exactly like
// an explicit chained forward pass.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../engine/data';
import { lmForward } from '../../engine/model/lm';
import { meanCrossEntropy } from '../../engine/ops/nn';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { probe, trainerRouting } from '../../engine/train/routing';
import { Trainer } from '../../engine/train/trainer';
import { useBackend } from './helpers';

beforeAll(() => useBackend('wasm'));

const attentions = {
  switchhead: { kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 4, k: 2, positions: 'xl' },
  'switchhead-qkvo-rope': {
    kind: 'switchhead',
    nHeads: 2,
    dHead: 8,
    nExperts: 3,
    k: 2,
    positions: 'rope',
    moe: { q: true, k: true, v: true, o: true },
  },
  moa: { kind: 'moa', nHeads: 1, dHead: 8, nExperts: 4, k: 2, positions: 'xl' },
} as const;

/** A SwitchAll-style spec with heavy dropout everywhere (p = 0.5) or none at all. */
function spec(att: keyof typeof attentions, rate: number): ExperimentSpecInput {
  return {
    model: {
      dModel: 16,
      nLayers: 2,
      dFF: 32,
      dropout: rate,
      attention: { ...attentions[att], xlMemory: true, expertDropout: rate },
      mlp: { kind: 'sigma-moe', nExperts: 4, k: 2, expertSize: 8, expertDropout: rate },
    },
    data: {
      source: { kind: 'text', text: 'Whan that Aprille with his shoures soote, the droghte of March. '.repeat(40) },
      seqLen: 8,
      batchSize: 2,
    },
    train: { steps: 10, lr: 1e-2, gradClip: 1, seed: 3 },
    log: { evalBatches: 3 },
  };
}

const make = (input: ExperimentSpecInput) => {
  const s = parseSpec(input);
  return new Trainer(s, buildDataset(s));
};

/** Copy every parameter of `from` into `to` (same architecture). */
function copyWeights(from: Trainer, to: Trainer): void {
  for (const [n, p] of Object.entries(from.params)) to.params[n].assign(p);
}

/** Mean validation cross-entropy by hand: chained forwards in evaluation mode, memory = previous layer inputs. */
function chainedValLoss(tr: Trainer, carry: boolean): number {
  let memory: tf.Tensor[] | null = null;
  let sum = 0,
    n = 0;
  for (const b of tr.data.valBatches) {
    const out = lmForward(tr.params, tr.spec.model, tf.tensor2d(b.input, [b.batchSize, b.seqLen], 'int32'), memory, {
      training: false,
      seed: 0,
    });
    const ce = meanCrossEntropy(
      out.logits.reshape([b.batchSize * b.seqLen, -1]) as tf.Tensor2D,
      tf.tensor1d(b.target, 'int32'),
    );
    sum += ce.dataSync()[0] * b.batchSize * b.seqLen;
    n += b.batchSize * b.seqLen;
    memory = carry ? out.layerInputs : null;
  }
  return sum / n;
}

describe.each(Object.keys(attentions) as (keyof typeof attentions)[])('evaluation mode, %s + σ-MoE', (att) => {
  it('evaluate, routing and probe give the same numbers with dropout 0.5 everywhere as with no dropout', () => {
    const noisy = make(spec(att, 0.5)),
      clean = make(spec(att, 0));
    for (let i = 0; i < 3; i++) noisy.step(); // trained weights, a step count that differs from 0
    copyWeights(noisy, clean);
    const ev = noisy.evaluate();
    expect(noisy.evaluate()).toEqual(ev);
    expect(clean.evaluate().loss).toBe(ev.loss);
    expect(trainerRouting(noisy).sides).toEqual(trainerRouting(clean).sides);
    const text = 'Whan that Aprille';
    expect(probe(noisy, text, { truncate: true }).layers).toEqual(probe(clean, text, { truncate: true }).layers); // longer than seqLen 8
    // the same weights in training mode do see the dropout: the comparison above could fail
    const lossWith = (tr: Trainer, training: boolean) =>
      tf.tidy(() => tr.forward(tr.data.valBatches[0], null, training, 1).ce.dataSync()[0]);
    expect(lossWith(noisy, true)).not.toBe(lossWith(clean, true));
    expect(lossWith(noisy, false)).toBe(lossWith(clean, false));
    noisy.dispose();
    clean.dispose();
  });

  it('evaluate() carries XL memory across validation batches exactly like a chained forward', () => {
    const tr = make(spec(att, 0.5));
    for (let i = 0; i < 2; i++) tr.step();
    const before = tr.memory!.map((m) => m.dataSync().slice());
    const ev = tr.evaluate();
    tf.tidy(() => {
      expect(Math.abs(ev.loss - chainedValLoss(tr, true))).toBeLessThan(1e-6);
      expect(Math.abs(ev.loss - chainedValLoss(tr, false))).toBeGreaterThan(1e-4); // memory really matters here
    });
    expect(tr.memory!.map((m) => m.dataSync())).toEqual(before); // evaluation leaves the training memory alone
    tr.dispose();
  });
});

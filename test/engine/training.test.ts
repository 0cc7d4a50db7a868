// Training: determinism, no tensor leaks, learning the copy task and real text, NaN handling.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../engine/data';
import { loadDataSources } from '../../engine/node/corpus';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { NonFiniteLossError, Trainer } from '../../engine/train/trainer';
import { train, useBackend } from './helpers';

beforeAll(() => useBackend('wasm'));

const tiny: ExperimentSpecInput = {
  model: {
    dModel: 32,
    nLayers: 2,
    dFF: 64,
    dropout: 0.1,
    attention: { nHeads: 2, dHead: 8, nExperts: 4, k: 2, positions: 'xl', xlMemory: true, expertDropout: 0.1 },
    mlp: { kind: 'sigma-moe', nExperts: 4, k: 2, expertSize: 16 },
  },
  data: {
    source: { kind: 'text', text: 'It was the best of times, it was the worst of times. '.repeat(30) },
    seqLen: 16,
    batchSize: 4,
  },
  train: { steps: 200, lr: 3e-3, gradClip: 1, seed: 7 },
};
const make = (input: ExperimentSpecInput) => {
  const spec = parseSpec(input);
  return new Trainer(spec, buildDataset(spec, loadDataSources(spec)));
};

describe('training', () => {
  it('same seed gives identical losses for 20 steps (dropout, expert dropout, XL memory on)', () => {
    const a = make(tiny),
      b = make(tiny);
    const la = Array.from({ length: 20 }, () => a.step().loss);
    const lb = Array.from({ length: 20 }, () => b.step().loss);
    expect(lb).toEqual(la);
    const c = make({ ...tiny, train: { ...tiny.train, seed: 8 } });
    expect(Array.from({ length: 3 }, () => c.step().loss)).not.toEqual(la.slice(0, 3));
    [a, b, c].forEach((t) => t.dispose());
  });

  it('keeps the live tensor count constant: step 10 equals step 200', async () => {
    const tr = make(tiny);
    for (let i = 0; i < 10; i++) tr.step();
    tr.evaluate();
    const at10 = tf.memory().numTensors;
    await train(tr, 190);
    tr.evaluate();
    expect(tf.memory().numTensors).toBe(at10);
    const before = tf.memory().numTensors;
    tr.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('learns the copy task to > 95% answer-token accuracy', async () => {
    const tr = make({
      model: {
        dModel: 64,
        nLayers: 2,
        dFF: 128,
        dropout: 0,
        attention: { nHeads: 2, dHead: 16, nExperts: 4, k: 2, positions: 'rope' },
      },
      data: { source: { kind: 'synthetic', task: 'copy', length: 6, symbols: 8 }, seqLen: 32, batchSize: 16 },
      train: { steps: 300, lr: 3e-3, warmupSteps: 20, gradClip: 1 },
    });
    await train(tr, 300);
    const ev = tr.evaluate();
    expect(ev.accuracy).toBeGreaterThan(0.95);
    expect(ev.per_task?.copy).toBeGreaterThan(0.95);
    tr.dispose();
  });

  it('a byte-level LM on one Gutenberg book goes below the unigram entropy of its bytes', async () => {
    const tr = make({
      model: {
        dModel: 64,
        nLayers: 2,
        dFF: 128,
        dropout: 0,
        attention: { nHeads: 2, dHead: 16, nExperts: 4, k: 2, positions: 'rope' },
      },
      data: { source: { kind: 'corpus', name: 'alice' }, seqLen: 64, batchSize: 16 },
      train: { steps: 80, lr: 3e-3, warmupSteps: 10, gradClip: 1 },
    });
    const unigram = tr.data.stats.unigramEntropyBits!;
    expect(unigram).toBeGreaterThan(4);
    const first = tr.evaluate().bpb!;
    expect(first).toBeGreaterThan(unigram); // an untrained model is worse than unigram statistics
    await train(tr, 80);
    expect(tr.evaluate().bpb!).toBeLessThan(unigram - 0.2);
    tr.dispose();
  });

  it('a NaN loss stops training with an error naming the step and leaves the weights untouched', () => {
    const tr = make(tiny);
    tr.step();
    tr.step();
    tf.tidy(() => tr.params.emb.assign(tf.fill(tr.params.emb.shape, NaN)));
    const before = tr.params['layers.0.att.W_q'].dataSync().slice();
    let err: unknown;
    try {
      tr.step();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NonFiniteLossError);
    expect((err as Error).message).toMatch(/loss became NaN at step 3/);
    expect(tr.params['layers.0.att.W_q'].dataSync()).toEqual(before);
    expect(tr.stepCount).toBe(2);
    tr.dispose();
  });
});

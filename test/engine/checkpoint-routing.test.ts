// Checkpoints resume bit-exactly and reject foreign files; routing statistics and probes are consistent;
// initialisation follows SPEC §4.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../engine/data';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { initParams, paramDefs } from '../../engine/model/init';
import { CheckpointError } from '../../engine/safetensors';
import { loadCheckpoint, saveCheckpoint } from '../../engine/train/checkpoint';
import { probe, trainerRouting } from '../../engine/train/routing';
import { Trainer } from '../../engine/train/trainer';
import { useBackend } from './helpers';

beforeAll(() => useBackend('wasm'));

const input: ExperimentSpecInput = {
  model: {
    dModel: 32,
    nLayers: 2,
    dFF: 64,
    dropout: 0.1,
    attention: { nHeads: 2, dHead: 8, nExperts: 4, k: 2, positions: 'xl', xlMemory: true },
    mlp: { kind: 'sigma-moe', nExperts: 4, k: 2, expertSize: 16 },
  },
  data: {
    source: { kind: 'text', text: 'Call me Ishmael. Some years ago, never mind how long precisely. '.repeat(30) },
    seqLen: 16,
    batchSize: 4,
  },
  train: { steps: 40, lr: 3e-3, gradClip: 1 },
};
const make = (i: ExperimentSpecInput = input) => {
  const spec = parseSpec(i);
  return new Trainer(spec, buildDataset(spec));
};

describe('checkpoints', () => {
  it('resume continues with exactly the losses of an uninterrupted run', () => {
    const a = make();
    for (let i = 0; i < 7; i++) a.step();
    const bytes = saveCheckpoint(a);
    const rest = Array.from({ length: 8 }, () => a.step().loss);
    const b = make();
    loadCheckpoint(b, bytes, 'ckpt');
    expect(b.stepCount).toBe(7);
    expect(Array.from({ length: 8 }, () => b.step().loss)).toEqual(rest);
    a.dispose();
    b.dispose();
  });

  it('rejects a checkpoint of a different architecture, naming the file and the mismatch', () => {
    const a = make();
    const bytes = saveCheckpoint(a);
    const other = make({ ...input, model: { ...input.model, attention: { ...input.model!.attention, nExperts: 5 } } });
    expect(() => loadCheckpoint(other, bytes, 'runs/x/checkpoints/0.safetensors')).toThrowError(
      /runs\/x\/checkpoints\/0\.safetensors.*layers\.0\.att\.W_v.*\[8, 32, 8\].*\[10, 32, 8\]|runs\/x\/checkpoints\/0\.safetensors[\s\S]*W_v/,
    );
    a.dispose();
    other.dispose();
  });

  it('rejects a truncated checkpoint with a CheckpointError naming the file', () => {
    const a = make();
    const bytes = saveCheckpoint(a);
    expect(() => loadCheckpoint(a, bytes.slice(0, bytes.length - 100), 'cut.safetensors')).toThrowError(
      CheckpointError,
    );
    expect(() => loadCheckpoint(a, bytes.slice(0, bytes.length - 100), 'cut.safetensors')).toThrowError(
      /cut\.safetensors/,
    );
    a.dispose();
  });
});

describe('routing statistics and probe', () => {
  it('counts every selection once, shares sum to 1, entropy and dead fraction in range', () => {
    const tr = make();
    const r = trainerRouting(tr);
    const batch = tr.data.valBatches[0];
    const N = batch.batchSize * batch.seqLen;
    expect(r.sides.map((s) => `${s.layer}${s.side}`)).toEqual(['0src', '0dst', '0mlp', '1src', '1dst', '1mlp']);
    for (const side of r.sides)
      for (const h of side.heads) {
        expect(h.counts.reduce((a, b) => a + b, 0)).toBe(N * 2);
        expect(h.share.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
        expect(h.entropy).toBeGreaterThan(0);
        expect(h.entropy).toBeLessThanOrEqual(1 + 1e-9);
        expect(h.deadFraction).toBe(h.counts.filter((c) => c === 0).length / 4);
        h.meanGate.forEach((g, e) => (h.counts[e] ? expect(g).toBeGreaterThan(0) : expect(g).toBe(0)));
      }
    for (const c of r.cooccurrence) expect(c.matrix.flat().reduce((a, b) => a + b, 0)).toBe(N * 2 * 2);
    expect(r.cooccurrence).toHaveLength(4); // 2 layers x 2 heads
    tr.dispose();
  });

  it('probe returns causal attention rows summing to 1 and per-token selections', () => {
    const tr = make();
    const p = probe(tr, 'Call me Ishmael.');
    const T = p.tokens.length;
    expect(T).toBe(15);
    expect(p.tokens[0]).toBeTypeOf('string');
    for (const layer of p.layers) {
      expect(layer.attention).toHaveLength(2);
      for (const head of layer.attention)
        head.forEach((row, i) => {
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
          row.forEach((v, j) => (j > i ? expect(v).toBeLessThan(1e-6) : undefined));
        });
      expect(layer.src!.idx).toHaveLength(T);
      expect(layer.dst!.scores[0][0]).toHaveLength(4);
      expect(layer.mlp!.idx[0][0]).toHaveLength(2);
    }
    expect(() => probe(tr, 'C')).toThrowError(/too short/);
    tr.dispose();
  });
});

describe('initialisation (SPEC §4)', () => {
  it('uses sqrt(2/L)/sqrt(d) for SwitchHead projections, sqrt(2/L)/sqrt(H*dh) for W_o, LN weights 1', () => {
    const spec = parseSpec({
      model: { dModel: 256, nLayers: 8, attention: { nHeads: 4, dHead: 64, nExperts: 4, k: 2 } },
    });
    const p = initParams(paramDefs(spec.model, 50), 1);
    const std = (t: tf.Tensor) => tf.tidy(() => Math.sqrt(tf.moments(t).variance.dataSync()[0]));
    const ws = Math.sqrt(2 / 8);
    expect(std(p['layers.3.att.W_v']) / (ws / 16)).toBeCloseTo(1, 1);
    expect(std(p['layers.3.att.W_o']) / (ws / 16)).toBeCloseTo(1, 1);
    expect(std(p.emb) / (1 / 16)).toBeCloseTo(1, 1);
    expect(Array.from(p['layers.0.ln1.w'].dataSync()).every((v) => v === 1)).toBe(true);
    tf.dispose(Object.values(p));
  });
});

// The exported PyTorch model computes the engine's logits and losses on the same tokens and weights (within 1e-4):
// SwitchHead XL (memory carried over two segments), SwitchHead RoPE, dense XL, SwitchAll, MoA and other variants.
// The weights come from an engine checkpoint after a few training steps, so the Python side also reads the
// engine's safetensors files.
import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, type Batch } from '../../engine/data';
import { loadDataSources } from '../../engine/node/corpus';
import { scoped } from '../../engine/ops/custom';
import { exportExperiment } from '../../engine/node/export/export';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { saveCheckpoint } from '../../engine/train/checkpoint';
import { Trainer } from '../../engine/train/trainer';
import { tmpDir, writeSpec } from '../cli/helpers';
import { useBackend } from '../engine/helpers';
import { HERE, requireTorch, runPython, tinyXl } from './helpers';

type Model = NonNullable<ExperimentSpecInput['model']>;
const sh = { kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 3, k: 2 } as const;

/** The variants the issue names, and the other paths of the model. */
const CASES: Record<string, Model> = {
  'switchhead-xl': { attention: { ...sh, positions: 'xl', xlMemory: true } },
  'switchhead-rope': { attention: { ...sh, positions: 'rope', selectionReg: 0.05 } },
  'dense-xl': { attention: { kind: 'dense', nHeads: 4, dHead: 4, positions: 'xl', xlMemory: true } },
  switchall: {
    attention: { ...sh, positions: 'xl', xlMemory: true },
    mlp: { kind: 'sigma-moe', nExperts: 4, k: 2, expertSize: 8, entropyReg: 0.01 },
  },
  'switchhead-qkvo-rope-memory': {
    attention: { ...sh, moe: { q: true, k: true, v: true, o: true }, positions: 'rope', xlMemory: true },
  },
  'switchhead-e1': { attention: { ...sh, nExperts: 1, k: 1, positions: 'none' } },
  'dense-rope': { attention: { kind: 'dense', nHeads: 4, dHead: 4, positions: 'rope' } },
  'moa-xl': {
    attention: {
      kind: 'moa',
      dHead: 8,
      nExperts: 4,
      k: 2,
      positions: 'xl',
      xlMemory: true,
      moaMode: 'moa',
      moaAux: { cv: 0.01, switch: 0.01, z: 0.001 },
    },
  },
  'moa-none': { attention: { kind: 'moa', dHead: 8, nExperts: 4, k: 2, positions: 'none' } },
};

const tmp = tmpDir('parity');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let exportDir = '';
const engine: Record<string, { logits: Float32Array; ce: number; reg: number; loss: number }[]> = {};
let python: {
  name: string;
  segments: { logits: number[]; ce: number; reg: number; loss: number; ceAlone: number }[];
}[] = [];

/** Engine side: train 3 steps (so weights, norms and routers move off their init), save a checkpoint, then run two
 *  validation segments in evaluation mode carrying the XL memory. */
function engineCase(name: string, model: Model) {
  const base = tinyXl(3);
  const spec = parseSpec({ ...base, name, model: { ...base.model, ...model } });
  const tr = new Trainer(spec, buildDataset(spec, loadDataSources(spec)));
  for (let i = 0; i < 3; i++) tr.step();
  const checkpoint = path.join(tmp, `${name}.safetensors`);
  fs.writeFileSync(checkpoint, saveCheckpoint(tr));
  const segments: Batch[] = tr.data.valBatches.slice(0, 2);
  let memory: tf.Tensor[] | null = null;
  engine[name] = segments.map((b) => {
    const r = scoped(() => {
      const { out, ce, loss } = tr.forward(b, memory, false, 0);
      const next = spec.model.attention.xlMemory ? out.layerInputs.map((h) => tf.keep(h)) : null;
      return { logits: tf.keep(out.logits), ce: tf.keep(ce), reg: tf.keep(out.regLoss), loss: tf.keep(loss), next };
    });
    if (memory) tf.dispose(memory);
    memory = r.next;
    const res = {
      logits: r.logits.dataSync() as Float32Array,
      ce: r.ce.dataSync()[0],
      reg: r.reg.dataSync()[0],
      loss: r.loss.dataSync()[0],
    };
    tf.dispose([r.logits, r.ce, r.reg, r.loss]);
    return res;
  });
  if (memory) tf.dispose(memory);
  const rows = (a: Int32Array, B: number) =>
    Array.from({ length: B }, (_, i) => Array.from(a.slice((i * a.length) / B, ((i + 1) * a.length) / B)));
  const out = {
    name,
    spec,
    vocabSize: tr.data.vocabSize,
    checkpoint,
    segments: segments.map((b) => ({
      input: rows(b.input, b.batchSize),
      target: rows(b.target, b.batchSize),
      mask: null,
    })),
  };
  tr.dispose();
  return out;
}

beforeAll(async () => {
  requireTorch();
  await useBackend('wasm');
  exportDir = path.join(tmp, 'export');
  exportExperiment({ target: writeSpec(tmp, tinyXl(3)), out: exportDir });
  const cases = Object.entries(CASES).map(([n, m]) => engineCase(n, m));
  fs.writeFileSync(path.join(tmp, 'cases.json'), JSON.stringify(cases));
  const r = await runPython([
    path.join(HERE, 'parity_check.py'),
    exportDir,
    path.join(tmp, 'cases.json'),
    path.join(tmp, 'out.json'),
  ]);
  if (r.code !== 0) throw new Error(`parity_check.py failed:\n${r.stderr}`);
  python = JSON.parse(fs.readFileSync(path.join(tmp, 'out.json'), 'utf8'));
});

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('exported model vs engine (same tokens and weights)', () => {
  for (const name of Object.keys(CASES))
    it(`${name}: logits and loss within 1e-4 on two segments`, () => {
      const py = python.find((c) => c.name === name)!;
      expect(py.segments.length).toBe(2);
      engine[name].forEach((e, s) => {
        const p = py.segments[s];
        expect(maxAbs(p.logits, e.logits), `${name} segment ${s} logits`).toBeLessThan(1e-4);
        expect(Math.abs(p.ce - e.ce), `${name} segment ${s} ce`).toBeLessThan(1e-4);
        expect(Math.abs(p.reg - e.reg), `${name} segment ${s} reg`).toBeLessThan(1e-4);
        expect(Math.abs(p.loss - e.loss), `${name} segment ${s} loss`).toBeLessThan(1e-4);
      });
    });

  it('the cases exercise what they claim: non-trivial logits, regularisers where configured, memory that matters', () => {
    const spread = (l: Float32Array) => Math.max(...l) - Math.min(...l);
    for (const name of Object.keys(CASES)) expect(spread(engine[name][0].logits), name).toBeGreaterThan(0.5);
    for (const name of ['switchhead-rope', 'switchall', 'moa-xl'])
      expect(Math.abs(engine[name][0].reg), name).toBeGreaterThan(1e-5);
    // with XL memory the second segment depends on the first: its loss differs from the same tokens without memory
    for (const name of ['switchhead-xl', 'dense-xl', 'switchall', 'switchhead-qkvo-rope-memory', 'moa-xl']) {
      const seg = python.find((c) => c.name === name)!.segments[1];
      expect(Math.abs(seg.ce - seg.ceAlone), name).toBeGreaterThan(1e-3);
    }
  });
});

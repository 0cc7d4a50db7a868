// The training-step golden files (tools/gen_golden_train.py) drive the real Trainer; here: they are strong
// enough to catch a wrong optimiser, clipping, schedule, regulariser weighting or memory hand-over. Each slip is
// injected from the outside (a spy, a module mock, a patched trainer or spec) and must turn the check into a FAIL.
// That the files pass on wasm and cpu is in golden.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Dataset } from '../../engine/data';
import { checkTraining, ReplayBatcher } from '../../engine/node/golden-train';
import { checkGolden } from '../../engine/node/golden';
import type { ExperimentSpec } from '../../engine/spec';
import { AdamW } from '../../engine/train/optimizer';
import { Trainer } from '../../engine/train/trainer';
import { useBackend } from './helpers';

const slip = vi.hoisted(() => ({ clipAlways: false }));
vi.mock('../../engine/train/optimizer', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../engine/train/optimizer')>();
  return {
    ...mod,
    // the slip: scale by maxNorm / norm on every step, also when the norm is below the threshold
    clipByGlobalNorm: (g: Record<string, tf.Tensor>, norm: number, maxNorm: number) =>
      slip.clipAlways
        ? Object.fromEntries(Object.entries(g).map(([n, t]) => [n, tf.mul(t, maxNorm / (norm + 1e-6))]))
        : mod.clipByGlobalNorm(g, norm, maxNorm),
  };
});

const dir = join(__dirname, '../fixtures/golden-train');
const load = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8'));
const TOL = 1e-4;

type MakeTrainer = (s: ExperimentSpec, d: Dataset) => Trainer;
const failures = (g: unknown, make?: MakeTrainer) =>
  checkTraining(g as Parameters<typeof checkTraining>[0], make)
    .filter((c) => !(c.err <= TOL))
    .map((c) => c.name);
/** A trainer built from a changed spec: the engine ignoring (or mis-reading) one hyper-parameter. */
const withTrain =
  (over: Partial<ExperimentSpec['train']>): MakeTrainer =>
  (s, d) =>
    new Trainer({ ...s, train: { ...s.train, ...over } }, d);
const withModel =
  (f: (m: ExperimentSpec['model']) => ExperimentSpec['model']): MakeTrainer =>
  (s, d) =>
    new Trainer({ ...s, model: f(s.model) }, d);

beforeAll(() => useBackend('wasm'));
afterEach(() => {
  slip.clipAlways = false;
  vi.restoreAllMocks();
});

describe('training golden files', () => {
  const files = ['train_switchall_xl', 'train_switchhead_rope_qkvo', 'train_moa_xl'];

  it.each(files)('%s: records binding and non-binding clipping, warm-up and cosine, all regularisers', (name) => {
    const g = load(name);
    const steps = g.steps as { clipped: boolean; lr: number; reg: number; grad_norm: number }[];
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps.some((s) => s.clipped) && steps.some((s) => !s.clipped)).toBe(true);
    expect(steps.every((s) => s.clipped === s.grad_norm > g.train.grad_clip)).toBe(true);
    expect(g.train.warmup_steps).toBeGreaterThan(0);
    expect(g.train.weight_decay).toBeGreaterThan(0);
    expect(g.config.att.xl_memory).toBe(true);
    expect(steps.every((s) => s.reg !== 0)).toBe(true);
    expect(g.config.dropout).toBe(0);
  });

  it('a fresh Trainer (its own random init, no replay) does not pass: the weights really come from the file', () => {
    const g = load('train_switchall_xl');
    const keepInit: MakeTrainer = (s, d) => {
      const tr = new Trainer(s, d);
      const assign = Object.values(tr.params).map((p) => vi.spyOn(p, 'assign').mockImplementation(() => {}));
      expect(assign.length).toBeGreaterThan(10);
      return tr;
    };
    expect(failures(g, keepInit)).toContain('step1.loss');
  });
});

describe('deliberate slips in the training path fail the check', () => {
  const g = load('train_switchall_xl');

  it('the unchanged engine passes', () => {
    expect(failures(g)).toEqual([]);
  });

  it('weight decay on every parameter (also LayerNorm, biases)', () => {
    vi.spyOn(AdamW, 'decays').mockReturnValue(true);
    const f = failures(g);
    expect(f).toContain('final_weights.layers.0.ln1.w');
    expect(f).toContain('final_weights.b_out');
  });

  it('weight decay ignored', () => {
    expect(failures(g, withTrain({ weightDecay: 0 }))).toContain('final_weights.emb');
  });

  it('Adam without bias correction', () => {
    const noCorrection: MakeTrainer = (s, d) => {
      const tr = new Trainer(s, d);
      tr.optimizer.t = 1e9; // 1 - beta^t = 1 from the first update on
      return tr;
    };
    expect(failures(g, noCorrection).length).toBeGreaterThan(10);
  });

  it('Adam epsilon ignored (the file uses eps = 1e-4)', () => {
    expect(g.train.eps).toBe(1e-4);
    expect(failures(g, withTrain({ eps: 1e-8 })).length).toBeGreaterThan(0);
  });

  it('beta1 and beta2 swapped', () => {
    expect(failures(g, withTrain({ beta1: g.train.beta2, beta2: g.train.beta1 })).length).toBeGreaterThan(0);
  });

  it('clipping applied on every step, also below the threshold', () => {
    slip.clipAlways = true;
    const f = failures(g);
    const firstFree = (g.steps as { clipped: boolean }[]).findIndex((s) => !s.clipped) + 1;
    expect(f.some((n) => n.startsWith('final_weights.'))).toBe(true);
    expect(f).toContain(`step${firstFree + 1}.loss`); // the update after the first unclipped step differs
  });

  it('no clipping', () => {
    expect(failures(g, withTrain({ gradClip: 0 })).some((n) => n.startsWith('final_weights.'))).toBe(true);
  });

  it('XL memory not carried across segments', () => {
    const noMemory: MakeTrainer = (s, d) => {
      const tr = new Trainer(s, d);
      Object.defineProperty(tr, 'memory', { get: () => null, set: () => {} });
      return tr;
    };
    const f = failures(g, noMemory);
    expect(f.filter((n) => n.startsWith('step1.'))).toEqual([]); // the first segment has no memory anyway
    expect(f).toContain('step2.loss');
  });

  it('learning-rate schedule one step off (either way)', () => {
    for (const shift of [1, -1]) {
      const shifted: MakeTrainer = (s, d) => {
        const tr = new Trainer(s, d);
        const lrAt = tr.lrAt.bind(tr);
        tr.lrAt = (step) => lrAt(Math.max(0, step + shift));
        return tr;
      };
      expect(failures(g, shifted)).toContain(shift > 0 ? 'step1.lr' : 'step2.lr');
    }
  });

  it('cosine decaying to 0 instead of min_lr_ratio * lr', () => {
    expect(g.train.min_lr_ratio).toBeGreaterThan(0);
    expect(failures(g, withTrain({ minLrRatio: 0 }))).toContain(`step${g.steps.length}.lr`);
  });

  it('no warm-up', () => {
    expect(failures(g, withTrain({ warmupSteps: 0 }))).toContain('step1.lr');
  });

  it('regCoef ignored (taken as 1)', () => {
    expect(g.train.reg_coef).not.toBe(1);
    expect(failures(g, withTrain({ regCoef: 1 }))).toContain('step1.loss');
  });

  it('selection regulariser off, or the σ-MoE entropy regulariser off', () => {
    const noSel = withModel((m) => ({ ...m, attention: { ...m.attention, selectionReg: 0 } }));
    const noEnt = withModel((m) => ({ ...m, mlp: { ...m.mlp, entropyReg: 0 } }));
    expect(failures(g, noSel)).toContain('step1.reg');
    expect(failures(g, noEnt)).toContain('step1.reg');
  });
});

describe('training golden files: bad input', () => {
  it('a missing weight or a wrong shape is a failure that names it, not a crash', () => {
    const g = load('train_switchhead_rope_qkvo');
    delete g.weights['layers.1.att.W_sel_src'];
    expect(checkGolden(g).failed[0].note).toMatch(/missing layers\.1\.att\.W_sel_src/);
    const h = load('train_switchhead_rope_qkvo');
    h.weights.emb.shape = [3, 3];
    expect(checkGolden(h).failed[0].note).toMatch(/weight emb: the file has shape \[3,3\]/);
  });

  it('replaying past the recorded batches is an error', () => {
    const r = new ReplayBatcher([{ batchSize: 1, seqLen: 1, input: new Int32Array(1), target: new Int32Array(1) }]);
    r.next();
    expect(() => r.next()).toThrow(/holds 1 batches; step 2/);
  });
});

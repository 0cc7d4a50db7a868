// Components without an oracle file (MoA, SwitchHead with one expert, the attention selection regulariser):
// the analytic gradient must match a central finite difference along a random direction.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { initParams, paramDefs } from '../../engine/model/init';
import { attentionFn } from '../../engine/model/lm';
import { rnd, useBackend } from './helpers';

beforeAll(() => useBackend('cpu'));
const ctx = { training: false, seed: 0 };

function directionalCheck(model: ExperimentSpecInput['model'], outWeight = 1): { analytic: number; numeric: number } {
  return tf.tidy(() => {
    const spec = parseSpec({ model });
    const vars = initParams(paramDefs(spec.model, 7), 3);
    const names = Object.keys(vars).filter((n) => n.startsWith('layers.0.att.'));
    const x = rnd([2, 5, spec.model.dModel], 1);
    const R = tf.mul(rnd([2, 5, spec.model.dModel], 2), outWeight);
    const f = (ts: tf.Tensor[]) => {
      const p = Object.fromEntries(names.map((n, i) => [n.slice('layers.0.att.'.length), ts[i]]));
      const out = attentionFn[spec.model.attention.kind](p, spec.model.attention, ts.at(-1)!, ts.at(-1)!, ctx);
      return tf.addN([tf.sum(tf.mul(out.out, R)), out.reg ?? tf.scalar(0), out.auxLoss ?? tf.scalar(0)]) as tf.Scalar;
    };
    const inputs = [...names.map((n) => vars[n] as tf.Tensor), x];
    const dirs = inputs.map((t, i) => rnd(t.shape, 100 + i));
    const grads = tf.grads((...ts: tf.Tensor[]) => f(ts))(inputs);
    const analytic = grads.reduce((s, g, i) => s + tf.sum(tf.mul(g, dirs[i])).dataSync()[0], 0);
    const eps = 1e-3;
    const shifted = (sign: number) => f(inputs.map((t, i) => tf.add(t, tf.mul(dirs[i], sign * eps)))).dataSync()[0];
    const numeric = (shifted(1) - shifted(-1)) / (2 * eps);
    tf.dispose(Object.values(vars));
    return { analytic, numeric };
  });
}

const base = { dModel: 12, nLayers: 1, dFF: 8 };
const cases: [string, ExperimentSpecInput['model'], number?][] = [
  [
    'MoA, sigmoid gates, XL',
    { ...base, attention: { kind: 'moa', nHeads: 2, dHead: 6, nExperts: 4, k: 2, positions: 'xl' } },
  ],
  [
    'MoA, softmax gates, no positions',
    { ...base, attention: { kind: 'moa', nHeads: 2, dHead: 6, nExperts: 5, k: 3, positions: 'none', moaMode: 'moa' } },
  ],
  [
    'SwitchHead with one expert (gated heads)',
    { ...base, attention: { kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 1, k: 1, positions: 'rope' } },
  ],
  // The MoA auxiliary losses alone (cv, switch, z), output weighted 0.
  [
    'MoA auxiliary losses (moa mode)',
    {
      ...base,
      attention: {
        kind: 'moa',
        nHeads: 2,
        dHead: 6,
        nExperts: 5,
        k: 2,
        positions: 'none',
        moaMode: 'moa',
        moaAux: { cv: 1, switch: 1, z: 0.1 },
      },
    },
    0,
  ],
  // The regulariser alone (output weighted 0): smooth in the logits, no top-k in the way.
  [
    'SwitchHead selection entropy regulariser',
    {
      ...base,
      attention: { kind: 'switchhead', nHeads: 2, dHead: 6, nExperts: 4, k: 2, positions: 'none', selectionReg: 1 },
    },
    0,
  ],
];

describe('finite-difference gradient checks', () => {
  for (const [name, model, outWeight] of cases) {
    it(name, () => {
      const { analytic, numeric } = directionalCheck(model, outWeight);
      expect(Math.abs(analytic)).toBeGreaterThan(1e-3);
      expect(Math.abs(analytic - numeric) / (1 + Math.abs(numeric))).toBeLessThan(5e-3);
    });
  }
});

describe('MoA auxiliary loss values', () => {
  it('are 0 (cv), 1 (switch) and (log E)^2 (z) for a uniform router with balanced dispatch', async () => {
    const { moaAuxLosses } = await import('../../engine/model/moa');
    tf.tidy(() => {
      const E = 4,
        k = 2,
        N = 8;
      const experts = tf.tensor2d(
        Array.from({ length: N * k }, (_, i) => i % E),
        [N, k],
        'int32',
      ); // each expert 4 times
      const gates = tf.fill([N, k], 0.5);
      const logits = tf.zeros([N, E]);
      expect(moaAuxLosses(logits, gates, experts, { cv: 1, switch: 0, z: 0 })!.dataSync()[0]).toBeCloseTo(0, 6);
      expect(moaAuxLosses(logits, gates, experts, { cv: 0, switch: 1, z: 0 })!.dataSync()[0]).toBeCloseTo(1, 6);
      expect(moaAuxLosses(logits, gates, experts, { cv: 0, switch: 0, z: 1 })!.dataSync()[0]).toBeCloseTo(
        Math.log(E) ** 2,
        5,
      );
      const skewed = tf.tensor2d(
        Array.from({ length: N * k }, (_, i) => (i % k === 0 ? 0 : 1)),
        [N, k],
        'int32',
      ); // experts 0 and 1 only
      expect(moaAuxLosses(logits, gates, skewed, { cv: 1, switch: 0, z: 0 })!.dataSync()[0]).toBeCloseTo(1, 5); // importance [4,4,0,0]: var 4 / mean^2 4
      expect(moaAuxLosses(logits, gates, experts, { cv: 0, switch: 0, z: 0 })).toBeUndefined();
    });
  });
});

// XL memory changes the output of the second segment exactly as a longer context would (SPEC §2.1, §4).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../engine/spec';
import { initParams, paramDefs } from '../../engine/model/init';
import { attentionFn, lmForward } from '../../engine/model/lm';
import { relErr, rnd, useBackend } from './helpers';

beforeAll(() => useBackend('wasm'));
const ctx = { training: false, seed: 0 };
const T = 6,
  B = 2,
  d = 16;

const configs = [
  { kind: 'switchhead', positions: 'xl' },
  { kind: 'switchhead', positions: 'rope' },
  { kind: 'switchhead', positions: 'none', moe: { q: true, k: true, v: true, o: true } },
  { kind: 'dense', positions: 'xl' },
  { kind: 'dense', positions: 'rope' },
  { kind: 'moa', positions: 'xl' },
] as const;

describe('XL memory equals a longer context', () => {
  for (const att of configs) {
    const label = `${att.kind}/${att.positions}${'moe' in att ? '/qkvo' : ''}`;
    it(`attention layer ${label}: [memory; x] equals the last T rows of the 2T-long sequence`, () => {
      tf.tidy(() => {
        const spec = parseSpec({
          model: { dModel: d, nLayers: 1, attention: { nHeads: 2, dHead: 8, nExperts: 4, k: 2, ...att } },
        });
        const v = initParams(paramDefs(spec.model, 11), 5);
        const p = Object.fromEntries(
          Object.entries(v)
            .filter(([n]) => n.startsWith('layers.0.att.'))
            .map(([n, t]) => [n.slice('layers.0.att.'.length), t]),
        );
        const full = rnd([B, 2 * T, d], 1);
        const mem = tf.slice(full, [0, 0, 0], [B, T, d]),
          x = tf.slice(full, [0, T, 0], [B, T, d]);
        const f = attentionFn[spec.model.attention.kind];
        const long = f(p, spec.model.attention, full, full, ctx).out; // [B, 2T, d]
        const withMem = f(p, spec.model.attention, x, tf.concat([mem, x], 1), ctx).out; // [B, T, d]
        const noMem = f(p, spec.model.attention, x, x, ctx).out;
        expect(relErr(withMem, tf.slice(long, [0, T, 0], [B, T, d]))).toBeLessThan(2e-5);
        expect(relErr(noMem, withMem)).toBeGreaterThan(1e-3); // memory really changes the output
        tf.dispose(Object.values(v));
      });
    });
  }

  it('LM: segment 2 with the memory of segment 1 equals the second half of one 2T-long forward pass', () => {
    tf.tidy(() => {
      const spec = parseSpec({
        model: {
          dModel: d,
          nLayers: 3,
          dFF: 32,
          dropout: 0,
          attention: { nHeads: 2, dHead: 8, nExperts: 4, k: 2, positions: 'xl', xlMemory: true },
          mlp: { kind: 'sigma-moe', nExperts: 4, k: 2, expertSize: 8 },
        },
      });
      const V = 13;
      const v = initParams(paramDefs(spec.model, V), 9);
      const tokens = tf.tensor2d(
        Array.from({ length: B * 2 * T }, (_, i) => (i * 7 + 3) % V),
        [B, 2 * T],
        'int32',
      );
      const seg1 = tf.slice(tokens, [0, 0], [B, T]),
        seg2 = tf.slice(tokens, [0, T], [B, T]);
      const long = lmForward(v, spec.model, tokens, null, ctx).logits;
      const first = lmForward(v, spec.model, seg1, null, ctx);
      const second = lmForward(v, spec.model, seg2, first.layerInputs, ctx).logits;
      expect(relErr(second, tf.slice(long, [0, T, 0], [B, T, V]))).toBeLessThan(2e-5);
      expect(relErr(first.logits, tf.slice(long, [0, 0, 0], [B, T, V]))).toBeLessThan(2e-5);
      tf.dispose(Object.values(v));
    });
  });
});

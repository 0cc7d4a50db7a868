// Routing health: Jain fairness, quantiles, k-th/(k+1)-th margins and the flip rate against hand-computed values;
// the collapse flag; the routing statistics carry Jain fairness and margins that agree with the probe's scores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeadStats, ProbeReport } from '../../engine/contracts/reports';
import { collapse, COLLAPSE, flipRate, jain, marginStats, quantile } from '../../engine/run/routing-health';
import { trainerRouting } from '../../engine/train/routing';
import type { Trainer } from '../../engine/train/trainer';
import { useBackend } from './helpers';
import { makeTrainer, SWITCHALL } from './probe-fixtures';

describe('routing health helpers (hand-computed)', () => {
  it('Jain fairness', () => {
    expect(jain([0.25, 0.25, 0.25, 0.25])).toBe(1);
    expect(jain([1, 0, 0, 0])).toBe(0.25);
    expect(jain([0.5, 0.5, 0, 0])).toBe(0.5);
    expect(jain([3, 1])).toBeCloseTo(16 / 20, 12); // (3+1)^2 / (2 (9+1))
    expect(jain([0, 0, 0])).toBe(1);
  });

  it('quantiles interpolate between order statistics', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10], 0.1)).toBeCloseTo(1, 12);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('margins between the k-th and (k+1)-th score', () => {
    // N = 3 tokens, G = 2 heads, E = 3, k = 1; head 0's scores: [.9 .2 .5], [.3 .4 .1], [.6 .6 .0]
    const s = [0.9, 0.2, 0.5, 0, 0, 0, 0.3, 0.4, 0.1, 0, 0, 0, 0.6, 0.6, 0.0, 0, 0, 0];
    const m = marginStats(s, 3, 2, 3, 1, 0)!; // margins .4, .1, 0 -> sorted 0, .1, .4
    expect(m.mean).toBeCloseTo(0.5 / 3, 12);
    expect(m.p50).toBeCloseTo(0.1, 12);
    expect(m.p10).toBeCloseTo(0.02, 12); // 0 + (0.1 - 0) * 0.2
    expect(m.p90).toBeCloseTo(0.34, 12); // 0.1 + (0.4 - 0.1) * 0.8
    expect(marginStats(s, 3, 2, 3, 2, 0)!.p50).toBeCloseTo(0.3, 12); // k = 2: .5-.2, .3-.1, .6-0 -> .2, .3, .6
    expect(marginStats(s, 3, 2, 3, 3, 0)).toBeNull(); // k = E
  });

  it('flip rate between two probes of the same text', () => {
    const probe = (idx: number[][][]): ProbeReport => ({
      step: 0,
      text: 'abc',
      tokens: ['a', 'b', 'c'],
      layers: [{ layer: 0, attention: [], src: { idx, gates: idx, scores: idx } }],
    });
    const a = probe([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [1, 2],
        [0, 1],
      ],
      [
        [3, 0],
        [1, 2],
      ],
    ]);
    const b = probe([
      [
        [1, 0],
        [2, 3],
      ],
      [
        [1, 3],
        [0, 1],
      ],
      [
        [3, 0],
        [2, 0],
      ],
    ]); // same set reordered; 1 flip per head
    expect(flipRate(a, b, 0, 'src')).toBeCloseTo(2 / 6, 12);
    expect(flipRate(a, b, 0, 'src', 0)).toBeCloseTo(1 / 3, 12);
    expect(flipRate(a, b, 0, 'src', 1)).toBeCloseTo(1 / 3, 12);
    expect(flipRate(a, a, 0, 'src')).toBe(0);
    expect(() => flipRate(a, { ...b, tokens: ['a', 'b', 'd'] }, 0, 'src')).toThrowError(/same text/);
    expect(() => flipRate(a, b, 0, 'dst')).toThrowError(/no dst selection/);
  });

  it('flags collapse below the documented thresholds', () => {
    const head = (share: number[]): HeadStats => ({
      head: 0,
      counts: share.map((s) => s * 100),
      share,
      meanGate: share,
      entropy: 0,
      deadFraction: share.filter((s) => s === 0).length / share.length,
    });
    expect(COLLAPSE).toEqual({ minJain: 0.5, maxDeadFraction: 0.5 });
    expect(collapse(head([0.25, 0.25, 0.25, 0.25])).collapsed).toBe(false);
    expect(collapse(head([0.5, 0.5, 0, 0])).collapsed).toBe(false); // Jain 0.5, half dead: at the limits
    const c = collapse(head([0.8, 0.1, 0.1, 0, 0, 0, 0, 0])); // Jain 1 / (8 * 0.66)
    expect(c.collapsed).toBe(true);
    expect(c.reasons).toEqual(['Jain fairness 0.19 < 0.5', '63% of experts dead (> 50%)']);
  });
});

describe('routing statistics carry the health figures', () => {
  let tr: Trainer;
  beforeAll(async () => {
    await useBackend('wasm');
    tr = makeTrainer(SWITCHALL, 8);
  });
  afterAll(() => tr.dispose());

  it('Jain fairness of the shares and margins in [0, 1], quantiles ordered', () => {
    const r = trainerRouting(tr);
    for (const side of r.sides)
      for (const h of side.heads) {
        expect(h.jain).toBeCloseTo(jain(h.share), 12);
        expect(h.jain!).toBeGreaterThanOrEqual(1 / h.share.length - 1e-12);
        const m = h.margin!;
        expect(m.p10).toBeGreaterThanOrEqual(0);
        expect(m.p10).toBeLessThanOrEqual(m.p50);
        expect(m.p50).toBeLessThanOrEqual(m.p90);
        expect(m.p90).toBeLessThanOrEqual(1);
        expect(m.mean).toBeGreaterThan(0);
      }
  });
});

// Routing health's pure parts: per-head columns from routing rows (Jain recomputed for old rows, margins, gaps),
// collapse flags merged into step ranges with their reasons, and the V x O co-occurrence snapshots and their
// change between steps.
import { describe, expect, it } from 'vitest';
import type { HeadStats, RoutingReport } from '../../engine/contracts/reports';
import { COLLAPSE, jain } from '../../engine/run/routing-health';
import {
  below,
  collapseRegions,
  cooccurrenceDiff,
  cooccurrenceHeads,
  cooccurrenceSnapshots,
  healthColumns,
  maxAbs,
  toShares,
} from '../../renderer/panels/routing-health-data';

function head(h: number, share: number[], opts: { old?: boolean; margin?: number } = {}): HeadStats {
  const E = share.length;
  const dead = share.filter((s) => s === 0).length / E;
  const ent = -share.reduce((a, s) => a + (s > 0 ? s * Math.log(s) : 0), 0) / Math.log(E);
  const base: HeadStats = {
    head: h,
    counts: share.map((s) => s * 100),
    share,
    meanGate: share.map(() => 0.5),
    entropy: ent,
    deadFraction: dead,
  };
  if (opts.old) return base; // a row from before protocol 2: no jain, no margin
  const m = opts.margin ?? 0.1;
  return { ...base, jain: jain(share), margin: { mean: m, p10: m / 2, p50: m, p90: m * 2 } };
}

const FAIR = [0.25, 0.25, 0.25, 0.25];
const ONE = [0.97, 0.01, 0.01, 0.01]; // Jain ~0.27: collapsed
const HALF_DEAD = [0.4, 0.6, 0, 0]; // Jain ~0.48 and half dead (not more than half): collapsed by Jain

function row(step: number, heads: HeadStats[], coo?: number[][]): RoutingReport {
  return {
    step,
    tokens: step * 64,
    sides: [{ layer: 0, side: 'src', usedBy: ['V'], heads }],
    cooccurrence: coo ? [{ layer: 0, head: 0, matrix: coo }] : [],
  };
}

describe('health columns', () => {
  const reports = [
    row(0, [head(0, FAIR, { old: true }), head(1, FAIR)]),
    row(10, [head(0, ONE, { margin: 0.3 }), head(1, FAIR)]),
    row(20, [head(0, ONE), head(1, HALF_DEAD)]),
    row(30, [head(0, FAIR), head(1, HALF_DEAD)]),
    { step: 40, tokens: 2560, sides: [], cooccurrence: [] }, // a row without this selection: a gap
  ];
  const cols = healthColumns(reports, 0, 'src');

  it('has one column per head with Jain (recomputed where a row lacks it), entropy, dead and margins', () => {
    expect(cols.n).toBe(5);
    expect(Array.from(cols.step)).toEqual([0, 10, 20, 30, 40]);
    expect(cols.heads).toHaveLength(2);
    expect(cols.nExperts).toBe(4);
    expect(cols.heads[0]!.jain[0]).toBeCloseTo(1, 12); // no jain field: computed from the shares
    expect(cols.heads[0]!.jain[1]).toBeCloseTo(jain(ONE), 12);
    expect(cols.heads[0]!.marginMean[0]).toBeNaN(); // old row: no margin
    expect(cols.heads[0]!.marginMean[1]).toBeCloseTo(0.3, 12);
    expect(cols.heads[0]!.marginP10[1]).toBeCloseTo(0.15, 12);
    expect(cols.heads[0]!.marginP90[1]).toBeCloseTo(0.6, 12);
    expect(cols.heads[1]!.dead[2]).toBe(0.5);
    expect(cols.heads[1]!.jain[4]).toBeNaN(); // the gap row
    expect(cols.hasMargin).toBe(true);
    expect(healthColumns(reports, 1, 'dst').heads).toHaveLength(0); // a selection the rows do not have
  });

  it('flags collapse per row with the engine’s reasons and merges flagged rows into ranges', () => {
    expect(Array.from(cols.heads[0]!.collapsed)).toEqual([0, 1, 1, 0, 0]);
    expect(cols.heads[0]!.reasons[1]![0]).toMatch(/^Jain fairness 0\.\d\d < 0\.5$/);
    const regions = collapseRegions(cols);
    expect(regions).toEqual([
      { head: 0, from: 10, to: 20, rows: 2, reasons: cols.heads[0]!.reasons[2], ongoing: false },
      { head: 1, from: 20, to: 30, rows: 2, reasons: cols.heads[1]!.reasons[3], ongoing: false },
    ]);
    // a stricter threshold flags the half-dead head for its dead experts too
    const strict = healthColumns(reports, 0, 'src', { ...COLLAPSE, maxDeadFraction: 0.25 });
    expect(strict.heads[1]!.reasons[2]).toContain('2 of 4 experts dead (more than 25%)');
  });

  it('words the reasons so that a number never reads as its own limit', () => {
    const near = healthColumns([row(0, [{ ...head(0, ONE), jain: 0.49996 }])], 0, 'src');
    expect(near.heads[0]!.reasons[0]).toEqual(['Jain fairness 0.49996 < 0.5']); // not "0.50 < 0.5"
    expect(below(0.27, 0.5)).toBe('0.27');
    expect(below(0.4996, 0.5)).toBe('0.4996');
  });

  it('marks a flagged stretch that reaches the newest row as ongoing', () => {
    const c = healthColumns([row(0, [head(0, FAIR)]), row(5, [head(0, ONE)])], 0, 'src');
    expect(collapseRegions(c)).toMatchObject([{ head: 0, from: 5, to: 5, rows: 1, ongoing: true }]);
  });
});

describe('V x O co-occurrence over steps', () => {
  const a = [
    [4, 0],
    [0, 4],
  ];
  const b = [
    [1, 2],
    [3, 10],
  ];
  const reports = [row(0, [head(0, FAIR)], a), row(5, [head(0, FAIR)]), row(10, [head(0, FAIR)], b)];

  it('lists the snapshots that have a matrix, and the heads that have one', () => {
    const snaps = cooccurrenceSnapshots(reports, 0, 0);
    expect(snaps.map((s) => [s.index, s.step])).toEqual([
      [0, 0],
      [2, 10],
    ]);
    expect(cooccurrenceSnapshots(reports, 0, 1)).toEqual([]);
    expect(cooccurrenceHeads(reports)).toEqual([{ layer: 0, head: 0 }]);
  });

  it('diffs two snapshots as shares (each sums to 1), so different token totals compare', () => {
    expect(toShares(a)).toEqual([
      [0.5, 0],
      [0, 0.5],
    ]);
    const d = cooccurrenceDiff(a, b);
    expect(d[0]![0]).toBeCloseTo(1 / 16 - 0.5, 12);
    expect(d[0]![1]).toBeCloseTo(2 / 16, 12);
    expect(d[1]![1]).toBeCloseTo(10 / 16 - 0.5, 12);
    expect(d.flat().reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12); // shares move, their sum stays 1
    expect(cooccurrenceDiff(b, b).flat()).toEqual([0, 0, 0, 0]);
    expect(maxAbs(d)).toBeCloseTo(7 / 16, 12);
    expect(() => cooccurrenceDiff(a, [[1, 2, 3]])).toThrow(/differ in shape/);
    expect(toShares([[0, 0]])).toEqual([[0, 0]]);
  });
});

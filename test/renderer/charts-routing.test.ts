// Routing reports to per-(layer, side, head) columns: expert identity kept, missing rows as gaps, bucket rows.
import { describe, expect, it } from 'vitest';
import { bucketLastRows } from '../../renderer/charts/downsample';
import { lookupByStep, routingColumns, routingSlots, sideLabel } from '../../renderer/panels/routing-data';
import type { RoutingReport } from '../../renderer/panels/report-types';

function report(step: number, shares: number[][], withMlp = false): RoutingReport {
  const heads = shares.map((share, head) => ({
    head,
    counts: share.map((s) => s * 100),
    share,
    meanGate: share.map((s) => (s > 0 ? 0.5 + s / 2 : 0)),
    entropy: -share.reduce((a, p) => (p > 0 ? a + p * Math.log(p) : a), 0) / Math.log(share.length),
    deadFraction: share.filter((s) => s === 0).length / share.length,
  }));
  const sides: RoutingReport['sides'] = [
    { layer: 1, side: 'dst', usedBy: ['O'], heads },
    { layer: 0, side: 'src', usedBy: ['V'], heads },
    { layer: 1, side: 'src', usedBy: ['V'], heads },
  ];
  if (withMlp) sides.push({ layer: 0, side: 'mlp', usedBy: ['MLP'], heads });
  return { step, tokens: step * 1024, sides, cooccurrence: [] };
}

describe('routing columns', () => {
  const reports = [
    report(50, [
      [0.5, 0.5, 0, 0],
      [0.25, 0.25, 0.25, 0.25],
    ]),
    { step: 100, tokens: 102400, sides: [], cooccurrence: [] } as RoutingReport, // a row without this slot
    report(150, [
      [0, 0.1, 0.2, 0.7],
      [1, 0, 0, 0],
    ]),
  ];

  it('lists the slots of the newest report in layer and side order', () => {
    const slots = routingSlots([...reports.slice(0, 2), report(200, [[0.5, 0.5]], true)]);
    expect(slots.map((s) => `${s.layer}:${s.side}`)).toEqual(['0:src', '0:mlp', '1:src', '1:dst']);
    expect(slots[0]).toMatchObject({ nHeads: 1, nExperts: 2, usedBy: ['V'] });
    expect(routingSlots([])).toEqual([]);
    expect(sideLabel({ side: 'src', usedBy: ['V'] })).toBe('source (V)');
    expect(sideLabel({ side: 'dst', usedBy: ['Q', 'O'] })).toBe('destination (QO)');
  });

  it('keeps expert e in column e at every step, with NaN where a report lacks the slot', () => {
    const c = routingColumns(reports, 1, 'src', 0);
    expect(c.nExperts).toBe(4);
    expect(Array.from(c.step)).toEqual([50, 100, 150]);
    expect(c.share.map((col) => col[2])).toEqual([0, 0.1, 0.2, 0.7]);
    expect(c.share.map((col) => col[0])).toEqual([0.5, 0.5, 0, 0]);
    expect(Number.isNaN(c.share[0][1])).toBe(true);
    expect(Array.from(c.dead)).toEqual([0.5, NaN, 0.25]);
    expect(c.entropy[0]).toBeCloseTo(0.5, 12);
    const h1 = routingColumns(reports, 1, 'src', 1);
    expect(h1.entropy[0]).toBeCloseTo(1, 12);
    expect(h1.dead[2]).toBe(0.75);
    expect(routingColumns(reports, 5, 'src', 0).nExperts).toBe(0);
  });

  it('picks the last row of each pixel column so a stack always sums to 1', () => {
    const xs = Float64Array.from({ length: 1000 }, (_, i) => (i + 1) * 50);
    const rows = bucketLastRows(xs, { x0: 50, x1: 50_000, buckets: 100 });
    expect(rows.length).toBe(100);
    expect(rows.at(-1)).toBe(999);
    for (let i = 1; i < rows.length; i++) expect(rows[i]).toBeGreaterThan(rows[i - 1]);
    const few = bucketLastRows([10, 20, 30], { x0: 10, x1: 30, buckets: 500 });
    expect(few).toEqual([0, 1, 2]);
    const zoom = bucketLastRows(xs, { x0: 10_000, x1: 20_000, buckets: 1000 });
    expect(xs[zoom[0]]).toBeLessThan(10_000);
    expect(xs[zoom.at(-1)!]).toBeGreaterThan(20_000);
  });

  it('maps routing steps to wall time through the training rows', () => {
    const t = lookupByStep([0, 50, 75, 100, 300], [1, 50, 100, 150], [0.1, 5, 10, 15]);
    expect(Array.from(t)).toEqual([NaN, 5, 5, 10, 15]);
  });
});

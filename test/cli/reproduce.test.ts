// `npm run reproduce`: with a tiny --steps it trains the three models and writes the report, the CSV and the
// SVG; the verdict is computed from the measured losses. The step choice fits the budget.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseSteps, MATCH_TOLERANCE, reproductionSpecs, verdict } from '../../engine/node/cli/reproduce';
import type { CompareRow } from '../../engine/node/cli/compare';
import { runCli, tmpDir } from './helpers';

const tmp = tmpDir('reproduce');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const row = (valLoss: number): CompareRow => ({
  run: 'r',
  dir: 'd',
  name: 'n',
  model: 'm',
  status: 'complete',
  step: 1,
  steps: 1,
  params: 1,
  macs: 1,
  memFloats: 1,
  matricesPerLayer: 1,
  matrices: 1,
  valLoss,
  bpb: null,
  accuracy: null,
  tokensPerS: 1,
  valCurve: [],
});

describe('reproduce', () => {
  it('chooses the most steps that fit the budget', () => {
    const t = [
      { stepS: 1.5, evalS: 0.5 },
      { stepS: 1.3, evalS: 0.6 },
      { stepS: 0.6, evalS: 0.3 },
    ];
    const s = chooseSteps(t, 1500);
    const cost = (n: number) => 1.05 * t.reduce((a, x) => a + n * x.stepS + 11 * x.evalS, 0);
    expect(cost(s)).toBeLessThanOrEqual(1500);
    expect(cost(s + 1)).toBeGreaterThan(1500);
  });

  it('states the verdict from the losses with the stated tolerance', () => {
    const within = verdict(row(3.0 * (1 + MATCH_TOLERANCE / 2)), row(3.0), row(3.5));
    expect(within.matched).toBe(true);
    expect(within.beatSameHeads).toBe(true);
    expect(within.text).toContain('Matched the dense baseline: yes');
    const worse = verdict(row(3.0 * (1 + 2 * MATCH_TOLERANCE)), row(3.0), row(3.0));
    expect(worse.matched).toBe(false);
    expect(worse.beatSameHeads).toBe(false);
    expect(worse.text).toContain('equally few heads: no');
  });

  it('uses one budget for the three models', () => {
    const s = reproductionSpecs(50);
    const all = [s.switchhead, s.dense, s.denseSameHeads];
    for (const x of all) {
      expect(x.train.steps).toBe(50);
      expect(x.train.seed).toBe(s.switchhead.train.seed);
      expect(x.data).toEqual(s.switchhead.data);
    }
    expect(s.switchhead.model.attention.kind).toBe('switchhead');
    expect(s.dense.model.attention.nHeads).toBeGreaterThan(s.switchhead.model.attention.nHeads);
    expect(s.denseSameHeads.model.attention.nHeads).toBe(s.switchhead.model.attention.nHeads);
  });

  it('runs end to end with --steps 2 and writes the report, CSV and SVG', async () => {
    const out = path.join(tmp, 'reports');
    const r = await runCli('reproduce', ['--steps', '2', '--out', out, '--runs', path.join(tmp, 'runs')]);
    expect(r.code, r.stderr).toBe(0);
    const md = fs.readFileSync(path.join(out, 'reproduction.md'), 'utf8');
    const csv = fs
      .readFileSync(path.join(out, 'reproduction.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(csv.map((c) => c[1])).toEqual(['cpu-switchhead-k2', 'cpu-xl', 'cpu-xl-h2']);
    const loss = csv.map((c) => Number(c[11]));
    expect(loss.every((x) => x > 0)).toBe(true);
    expect(md).toContain(`Matched the dense baseline: ${loss[0] <= loss[1] * (1 + MATCH_TOLERANCE) ? 'yes' : 'no'}`);
    expect(md).toContain(`equally few heads: ${loss[0] < loss[2] ? 'yes' : 'no'}`);
    expect(md).toContain('2 steps of 8×128 bytes');
    const svg = fs.readFileSync(path.join(out, 'reproduction-val.svg'), 'utf8');
    expect(svg.match(/<polyline/g)!.length).toBe(3);
    expect(fs.readdirSync(path.join(tmp, 'runs')).filter((d) => !d.endsWith('.md')).length).toBe(3);
  });
});

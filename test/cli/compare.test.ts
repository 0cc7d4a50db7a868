// `npm run compare`: reads finished runs and killed ones (no summary.json, torn last JSONL line), prints a table
// and writes it as Markdown and CSV.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../engine/spec';
import { attentionCost, countParams, formatPaper } from '../../engine/cost';
import { readRunRow, toCsv, toMarkdown } from '../../engine/node/cli/compare';
import { runExperiment } from '../../engine/node/runner';
import { RunDir } from '../../engine/node/rundir';
import { lineChartSvg, niceTicks } from '../../engine/node/svg';
import { runCli, tinySpec, tmpDir } from './helpers';

const tmp = tmpDir('compare');
let done = '',
  torn = '';
beforeAll(async () => {
  const opts = { runsRoot: path.join(tmp, 'runs'), progress: null, log: () => {}, handleSignals: false };
  done = (await runExperiment({ spec: parseSpec(tinySpec(6, { name: 'finished' })), ...opts })).dir;
  const dense = tinySpec(6, { name: 'killed' });
  dense.model!.attention = { kind: 'dense', nHeads: 4, dHead: 4, positions: 'rope' };
  torn = (await runExperiment({ spec: parseSpec(dense), ...opts })).dir;
  // make it look killed mid-write: no summary, a torn last line in both streams
  fs.rmSync(path.join(torn, 'summary.json'));
  fs.appendFileSync(path.join(torn, 'metrics.jsonl'), '{"step": 7, "split": "train", "lo');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('compare', () => {
  it('reads a finished run: cost from the spec, losses from the summary', () => {
    const r = readRunRow(done);
    const spec = RunDir.open(done).readSpec<{ spec: unknown }>().spec;
    const parsed = parseSpec(spec);
    expect(r.status).toBe('complete');
    expect(r.name).toBe('finished');
    expect(r.model).toMatch(/^switchhead H2 d8 E3 k2 \(xl\+mem\) MoE on V\/O; d_model 16; 1 layer;/);
    expect(r.model).not.toContain(','); // a CSV cell that naive splitting keeps whole
    expect(r.params).toBe(countParams(parsed, 256).total);
    expect(r.macs).toBe(attentionCost(parsed).macs);
    expect(r.matrices).toBe(2);
    const vals = RunDir.open(done)
      .readMetrics<{ split: string; loss: number; bpb: number }>()
      .filter((m) => m.split === 'val');
    expect(r.valLoss).toBe(vals.at(-1)!.loss);
    expect(r.bpb).toBe(vals.at(-1)!.bpb);
    expect(r.valCurve.length).toBe(vals.length);
  });

  it('reads a killed run with a torn last line and marks it incomplete', () => {
    const r = readRunRow(torn);
    expect(r.status).toBe('incomplete');
    expect(r.step).toBe(6); // the torn step-7 line is ignored
    expect(r.model).toMatch(/^dense H4 d4 \(rope\); /);
    expect(r.valLoss).toBeGreaterThan(0);
    expect(r.tokensPerS).toBeGreaterThan(0);
    expect(toMarkdown([r])).toContain('| incomplete | 6/6 |');
  });

  it('shows how a run ended, from summary.json: failed and stopped runs are not complete', () => {
    for (const status of ['failed', 'stopped'] as const) {
      const dir = path.join(tmp, 'runs', `ended-${status}`);
      fs.cpSync(done, dir, { recursive: true });
      const run = RunDir.open(dir);
      const summary = run.readSummary<{ steps: number }>()!;
      run.writeSummary({ ...summary, status, steps: 4 });
      const r = readRunRow(dir);
      expect(r.status).toBe(status);
      expect(r.step).toBe(4);
      expect(toMarkdown([r])).toContain(`| ${status} | 4/6 |`);
      expect(toCsv([r]).split('\n')[1]).toContain(`,${status},4,6,`);
    }
  });

  it('prints the table and writes FILE.md and FILE.csv', async () => {
    const out = path.join(tmp, 'report', 'cmp.md');
    const res = await runCli('compare', [done, torn, '--out', out]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('| finished |');
    expect(res.stdout).toContain('| killed |');
    expect(fs.readFileSync(out, 'utf8')).toBe(res.stdout);
    const csv = fs
      .readFileSync(path.join(tmp, 'report', 'cmp.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(csv.length).toBe(3);
    expect(csv[0]).toContain('val_loss');
    expect(csv[2]).toContain('incomplete');
    const rows = [readRunRow(done), readRunRow(torn)];
    expect(fs.readFileSync(path.join(tmp, 'report', 'cmp.csv'), 'utf8')).toBe(toCsv(rows));
    expect(res.stdout).toContain(formatPaper(rows[0].macs));
  });

  it('fails clearly on a directory that is not a run', async () => {
    const res = await runCli('compare', [tmp]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/not a run directory|spec\.json|invalid run id/);
  });
});

describe('svg charts', () => {
  it('draws one polyline per series with round ticks', () => {
    const svg = lineChartSvg({
      title: 'a < b',
      xLabel: 'step',
      yLabel: 'loss',
      series: [
        {
          name: 'one',
          points: [
            [0, 3],
            [10, 2],
            [20, 1.5],
          ],
        },
        {
          name: 'two',
          points: [
            [0, 3.2],
            [20, NaN],
            [30, 1],
          ],
        },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)!.length).toBe(2);
    expect(svg).toContain('a &lt; b');
    expect(svg).not.toContain('NaN');
    expect(niceTicks(0, 30)).toEqual([0, 10, 20, 30]);
    expect(niceTicks(1.23, 1.9)).toEqual([1.4, 1.6, 1.8]); // step 0.2: the first of 1, 2, 5 x 10^k above (1.9 - 1.23) / 5
  });
});

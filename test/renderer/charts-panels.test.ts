// What the panels read from the runs store: spec-derived facts (attention MACs per step, routing or not, synthetic
// task), labels, series per (metric, run) for each x-axis, and per-task validation accuracy kept by the store.
import { beforeEach, describe, expect, it } from 'vitest';
import { presets } from '../../experiments';
import { attentionCost } from '../../engine/cost';
import { parseSpec } from '../../engine/spec';
import { RUN_PALETTE } from '../../renderer/charts/palette';
import { entriesOf, metricSeries, runInfo, runLabels, type MetricSpec } from '../../renderer/panels/run-data';
import {
  appendMetricColumns,
  appendMetricRows,
  entry,
  flushTouches,
  patch,
  rollBack,
  useRuns,
} from '../../renderer/state/runs';

function run(id: string, preset: string | null, name = preset ?? id, steps = 10): void {
  patch(id, {
    specFile: preset ? { spec: presets[preset].spec } : null,
    listing: { id, name } as never,
  });
  const step = Float64Array.from({ length: steps }, (_, i) => i + 1);
  appendMetricColumns(
    id,
    { step, tokens: step.map((s) => s * 2048), time_s: step.map((s) => s / 10), ce: step.map((s) => 5 / s) },
    steps,
  );
  appendMetricRows(id, [{ split: 'val', step: steps, tokens: steps * 2048, time_s: steps / 10, loss: 1.5 }]);
}

const LOSS: MetricSpec[] = [
  { table: 'train', column: 'ce', suffix: 'train', smooth: true, band: true },
  { table: 'val', column: 'loss', suffix: 'val', smooth: false, band: false, dashed: true, colorOffset: 1 },
];

beforeEach(() => {
  useRuns.setState({ runs: {}, order: [] });
});

describe('panel data', () => {
  it('derives attention MACs per step, routing and task from the spec', () => {
    run('a', 'cpu-switchhead-k2');
    run('b', 'cpu-xl');
    run('c', 'teach-mixture');
    run('d', null);
    const [a, b, c, d] = entriesOf(['a', 'b', 'c', 'd']).map(runInfo);
    const spec = parseSpec(presets['cpu-switchhead-k2'].spec);
    expect(a.macsPerStep).toBe(attentionCost(spec).macs * spec.model.nLayers * spec.data.batchSize);
    expect([a.hasRouting, b.hasRouting, c.hasRouting, d.hasRouting]).toEqual([true, false, true, null]);
    expect([a.synthetic, c.synthetic]).toEqual([null, 'mixture']);
    expect(d.macsPerStep).toBeNull();
    expect(runLabels([a, { ...a, id: 'run-000123' }, b])).toEqual([
      'cpu-switchhead-k2 (a)',
      'cpu-switchhead-k2 (000123)',
      'cpu-xl',
    ]);
  });

  it('builds one series per metric and run, training lines first, in run colours', () => {
    run('a', 'cpu-switchhead-k2');
    run('b', 'cpu-xl');
    const { series, notes, macsAvailable } = metricSeries(['a', 'b'], LOSS, 'step', 'light');
    expect(series.map((s) => s.key)).toEqual(['a/train/ce', 'b/train/ce', 'a/val/loss', 'b/val/loss']);
    expect(series.map((s) => s.color)).toEqual([
      RUN_PALETTE.light[0],
      RUN_PALETTE.light[1],
      RUN_PALETTE.light[0],
      RUN_PALETTE.light[1],
    ]);
    expect(series[2].dash).toBe('5 3');
    expect(series[0].label).toBe('cpu-switchhead-k2 train');
    expect(notes).toEqual([]);
    expect(macsAvailable).toBe(true);
    // one run: labels are the metric, colours per metric
    const one = metricSeries(['a'], LOSS, 'tokens', 'dark').series;
    expect(one.map((s) => [s.label, s.color])).toEqual([
      ['train', RUN_PALETTE.dark[0]],
      ['val', RUN_PALETTE.dark[1]],
    ]);
    expect(Array.from(one[0].x).slice(0, 2)).toEqual([2048, 4096]);
  });

  it('leaves runs without a spec off the MACs axis and says so', () => {
    run('a', 'cpu-switchhead-k2');
    run('d', null, 'cli-run');
    const { series, notes } = metricSeries(['a', 'd'], LOSS, 'macs', 'light');
    expect(series.map((s) => s.key)).toEqual(['a/train/ce', 'a/val/loss']);
    expect(series[0].xScale).toBe(runInfo(entry('a')).macsPerStep);
    expect(notes).toEqual(['cli-run: no attention MACs without its spec, not shown on this axis']);
  });

  it('keeps per-task validation accuracy and rolls it back with the run', () => {
    run('m', 'teach-mixture', 'mix', 0);
    appendMetricRows('m', [
      { split: 'val', step: 100, tokens: 1, time_s: 1, loss: 2, per_task: { copy: 0.5, recall: 0.25 } },
      { split: 'val', step: 200, tokens: 2, time_s: 2, loss: 1, per_task: { copy: 0.75, recall: 0.5 } },
    ]);
    flushTouches();
    const e = entry('m');
    expect(Object.keys(e.valTasks).sort()).toEqual(['copy', 'recall']);
    expect(Array.from(e.valTasks.copy.get('accuracy'))).toEqual([0.5, 0.75]);
    expect(Array.from(e.valTasks.recall.get('step'))).toEqual([100, 200]);
    rollBack('m', 150);
    expect(Array.from(e.valTasks.copy.get('accuracy'))).toEqual([0.5]);
  });
});

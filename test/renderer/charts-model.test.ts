// The chart model: axes and downsampled lines for three runs of 100k points, empty / one point / NaN / log cases,
// and data export (CSV and JSON: every point, raw and smoothed).
import { describe, expect, it } from 'vitest';
import { ChartCache, buildChartModel, type SeriesInput } from '../../renderer/charts/chart-model';
import { chartToCsv, chartToJson, exportFileName } from '../../renderer/charts/export-data';
import { emaSmooth } from '../../renderer/charts/smoothing';
import { downsample } from '../../renderer/charts/downsample';
import { bandPath, dotPositions, linePath, mapFn } from '../../renderer/charts/series-paths';

function run(id: string, n: number, offset = 0): SeriesInput {
  const step = Float64Array.from({ length: n }, (_, i) => i + 1);
  const loss = Float64Array.from(step, (s) => 5 * Math.exp(-s / 20_000) + 1.5 + offset + 0.1 * Math.sin(s * 0.37));
  return {
    key: `${id}/train/loss`,
    label: `${id} train`,
    color: '#0072B2',
    x: step,
    y: loss,
    steps: step,
    smooth: true,
    band: true,
    exportColumns: { step, tokens: Float64Array.from(step, (s) => s * 2048) },
  };
}

const view = { xAxis: 'step' as const, logX: false, logY: false, smoothing: 0.6 };

describe('chart model', () => {
  it('draws three runs of 100,000 points with at most ~one row per pixel column each', () => {
    const inputs = [run('a', 100_000), run('b', 100_000, 0.2), run('c', 100_000, 0.4)];
    const m = buildChartModel(inputs, view, { width: 600, height: 240 });
    expect(m.empty).toBe(false);
    expect(m.maxRows).toBeLessThanOrEqual(600);
    expect(m.series).toHaveLength(3);
    for (const s of m.series) {
      expect(s.raw.n).toBeGreaterThan(500);
      expect(s.smoothed!.n).toBe(s.raw.n);
      expect(s.hasBand).toBe(true);
      expect(s.dots).toBe(false);
      expect(s.points).toBe(100_000);
    }
    expect(m.x.domain).toEqual([1, 100_000]);
    expect(m.y.domain[0]).toBeLessThan(1.4);
    expect(m.y.domain[1]).toBeGreaterThan(6.9);
    expect(m.notes).toEqual([]);
  });

  it('says nothing is drawable when every series is empty', () => {
    const m = buildChartModel([run('a', 0)], view, { width: 400, height: 200 });
    expect(m.empty).toBe(true);
    expect(m.series[0].raw.n).toBe(0);
    expect(buildChartModel([], view, { width: 400, height: 200 }).empty).toBe(true);
  });

  it('draws one point on a widened domain, with a dot and no smoothing', () => {
    const m = buildChartModel([run('a', 1)], view, { width: 400, height: 200 });
    expect(m.empty).toBe(false);
    expect(m.series[0].raw.n).toBe(1);
    expect(m.series[0].dots).toBe(true);
    expect(m.series[0].smoothed).toBeNull();
    expect(m.x.domain[0]).toBeLessThan(1);
    expect(m.x.domain[1]).toBeGreaterThan(1);
  });

  it('reports NaN gaps and values a log axis cannot show', () => {
    const s = run('a', 100);
    (s.y as Float64Array)[10] = NaN;
    (s.y as Float64Array)[20] = -1;
    const lin = buildChartModel([s], view, { width: 400, height: 200 });
    expect(lin.notes).toEqual(['1 NaN/∞ value shown as gaps']);
    expect(Array.from(lin.series[0].raw.count.subarray(0, lin.series[0].raw.n))).toContain(0); // a gap row
    const log = buildChartModel([s], { ...view, logY: true }, { width: 400, height: 200 });
    expect(log.notes[0]).toBe('1 value ≤ 0 not shown on the log y axis');
    expect(log.y.domain[0]).toBeGreaterThan(0);
    const logx = buildChartModel(
      [{ ...s, x: Float64Array.from(s.x, (v) => v - 1) }],
      { ...view, logX: true },
      {
        width: 400,
        height: 200,
      },
    );
    expect(logx.notes[0]).toBe('1 value ≤ 0 not shown on the log x axis');
  });

  it('scales x for attention MACs and zooms to an x-range', () => {
    const s = { ...run('a', 1000), xScale: 3e6 };
    const m = buildChartModel([s], { ...view, xAxis: 'macs' }, { width: 400, height: 200 });
    expect(m.x.domain).toEqual([3e6, 3e9]);
    const z = buildChartModel([run('a', 1000)], view, { width: 400, height: 200, xRange: [100, 200] });
    expect(z.x.domain).toEqual([100, 200]);
    expect(z.series[0].raw.n).toBe(103); // 101 points inside and the two neighbours
  });

  it('smooths incrementally through its cache and matches one-shot smoothing', () => {
    const cache = new ChartCache();
    const s = run('a', 5000);
    const [x, y] = [s.x as Float64Array, s.y as Float64Array];
    const first = { ...s, y: y.subarray(0, 2000), x: x.subarray(0, 2000) };
    buildChartModel([first], view, { width: 5000, height: 200 }, cache);
    const m = buildChartModel([s], view, { width: 5000, height: 200 }, cache);
    const ref = emaSmooth(s.y, 0.6, s.steps);
    const sm = m.series[0].smoothed!;
    expect(sm.x[sm.n - 1]).toBe(5000);
    expect(sm.last[sm.n - 1]).toBeCloseTo(ref[4999], 12);
  });
});

describe('chart data export', () => {
  it('CSV has one row per point with the raw and smoothed values', () => {
    const a = run('a', 50),
      b = run('b, "quoted"', 30);
    (a.y as Float64Array)[3] = NaN;
    const csv = chartToCsv([a, b], { title: 'loss', xAxis: 'step', smoothing: 0.6 });
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('series,step,tokens,value,smoothed');
    expect(lines).toHaveLength(1 + 50 + 30);
    const sm = emaSmooth(a.y, 0.6, a.steps);
    const row5 = lines[1 + 5].split(',');
    expect(row5.slice(1).map(Number)).toEqual([6, 6 * 2048, a.y[5], sm[5]]);
    expect(lines[1 + 3].split(',')[3]).toBe(''); // NaN: an empty cell
    expect(lines[51].startsWith('"b, ""quoted"" train",1,2048,')).toBe(true);
  });

  it('JSON names the smoothing and keeps both series; NaN becomes null', () => {
    const a = run('a', 20);
    (a.y as Float64Array)[0] = NaN;
    const doc = JSON.parse(chartToJson([a], { title: 'loss', xAxis: 'step', smoothing: 0.9 }));
    expect(doc.format).toBe('switchhead-chart-data');
    expect(doc.smoothing).toBe(0.9);
    expect(doc.series[0].columns.value[0]).toBeNull();
    expect(doc.series[0].columns.value[1]).toBe(a.y[1]);
    expect(doc.series[0].columns.smoothed[19]).toBeCloseTo(emaSmooth(a.y, 0.9, a.steps)[19], 12);
    const off = JSON.parse(chartToJson([a], { title: 'loss', xAxis: 'step', smoothing: 0 }));
    expect(off.series[0].columns.smoothed.every((v: unknown) => v === null)).toBe(true);
    const macs = JSON.parse(
      chartToJson([{ ...a, macsPerStep: 2.5e6 }], { title: 'loss', xAxis: 'step', smoothing: 0 }),
    );
    expect(macs.series[0].columns.attention_macs.slice(0, 2)).toEqual([2.5e6, 5e6]);
  });

  it('makes file names without folders', () => {
    expect(exportFileName('Loss / val (3 runs)', 'svg')).toBe('loss-val-3-runs.svg');
    expect(exportFileName('???', 'csv')).toBe('chart.csv');
  });
});

describe('series paths', () => {
  // x: 0..10 onto 0..100 px; y: 0..100 onto 100..0 px (upwards)
  const sx = { d0: 0, d1: 10, r0: 0, r1: 100, log: false },
    sy = { d0: 0, d1: 100, r0: 100, r1: 0, log: false };

  it('draws the line through each row, breaking at gaps and at values the scale cannot place', () => {
    const d = downsample([1, 2, 3, 4, 5, 6], [1, 2, NaN, 4, 5, 6], { x0: 1, x1: 6, buckets: 100 });
    expect(linePath(d, sx, sy)).toBe('M10,99L20,98M40,96L50,95L60,94');
    const logY = { d0: 1, d1: 100, r0: 100, r1: 0, log: true };
    const e = downsample([1, 2, 3, 4], [1, 10, 0, 100], { x0: 1, x1: 4, buckets: 100 });
    expect(linePath(e, sx, logY)).toBe('M10,100L20,50M40,0'); // log of 0 has no place: the line breaks
  });

  it('maps like a d3 scale, linear and log', () => {
    expect(mapFn(sx)(2.5)).toBe(25);
    const log = mapFn({ d0: 1, d1: 1000, r0: 0, r1: 300, log: true });
    expect(log(10)).toBeCloseTo(100, 9);
    expect(log(0)).toBeNaN();
  });

  it('closes one band polygon per unbroken stretch: max forward, min back', () => {
    const x = [1, 1.2, 2, 2.2, 3, 3.2];
    const d = downsample(x, [1, 3, 2, 5, 4, 4], { x0: 1, x1: 3.2, buckets: 3 });
    expect(Array.from(d.count.subarray(0, d.n))).toEqual([2, 2, 2]);
    expect(bandPath(d, sx, sy)).toBe('M12,97L22,95L32,96L32,96L22,98L12,99Z');
    expect(dotPositions(d, sx, sy)).toEqual([
      [12, 97],
      [22, 95],
      [32, 96],
    ]);
  });
});

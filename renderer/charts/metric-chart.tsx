// A metric line chart, fed the downsampled view of typed-array series (chart-model.ts): per series a faint min-max
// band, the raw line (faint when smoothed), the smoothed line; validation series dashed. The plot (metric-plot.tsx)
// is recharts' surface, grid and axes with our series paths inside. The model is memoised on (series, width, view,
// zoom), so a redraw happens only when a run's version (once per frame at most), the size or a setting changed.
// Hover is handled by HoverLayer above the plot without re-rendering it.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ChartCache, buildChartModel, type ChartModel, type ChartView, type SeriesInput } from './chart-model';
import { ChartFrame, type FrameLegendItem } from './chart-frame';
import type { ToolbarControls } from './chart-toolbar';
import { chartToCsv, chartToJson } from './export-data';
import { formatValue, type ValueKind } from './format';
import type { Readout } from './hover-layer';
import { ModelStore, Plot, axesClose, sameNumbers, type PlotAxes } from './metric-plot';
import { nearestIndex, plotRect } from './plot-geometry';
import { ChartPlaceholder, staggered } from './stagger';
import { useChartTheme } from './theme';
import { linearTicks } from './ticks';
import { useElementSize } from './use-size';
import { xAxisChoice } from './x-axis';

export interface MetricChartProps {
  title: string;
  series: SeriesInput[]; // memoise in the panel on (run ids, versions, x-axis, theme)
  view: ChartView;
  onViewChange: (patch: Partial<ChartView>) => void;
  controls?: ToolbarControls;
  macsAvailable?: boolean;
  yKind?: ValueKind;
  yDomain?: [number, number]; // fixed y range (accuracy: [0, 1])
  height?: number;
  emptyText?: string;
  notes?: string[];
}

const ALL_CONTROLS = {};

/** The chart; its props and mount staggered (stagger.tsx): one chart per task when a grid updates together. */
export const MetricChart = staggered(
  function MetricChart(p: MetricChartProps) {
    const theme = useChartTheme();
    const height = p.height ?? 210;
    const [xRange, setXRange] = useState<[number, number] | null>(null);
    const [measureRef, size] = useElementSize<HTMLDivElement>();
    const width = size.width;
    const cache = useRef<ChartCache | null>(null);
    cache.current ??= new ChartCache();
    const axes = useRef<{ x: ChartModel['x']; y: ChartModel['y'] } | null>(null);
    const shown = useRef<PlotAxes | null>(null);
    const store = useRef<ModelStore | null>(null);
    store.current ??= new ModelStore();
    const { xAxis, logX, logY, smoothing } = p.view;
    useEffect(() => setXRange(null), [xAxis, logX]); // a zoom is in the old axis' units

    const model = useMemo(() => {
      if (width <= 0) return null;
      const rect = plotRect(width, height);
      const m = buildChartModel(
        p.series,
        { xAxis, logX, logY, smoothing },
        { width: rect.width, height: rect.height, xRange },
        cache.current!,
      );
      if (p.yDomain && !logY) {
        // a fixed range (accuracy 0-1) gets ticks over all of it, not only over where the data is so far
        const t = linearTicks(p.yDomain[0], p.yDomain[1], Math.max(2, Math.round(rect.height / 35)));
        m.y = { ...m.y, domain: p.yDomain, ticks: t.ticks, step: t.step };
      }
      // the same tick values keep the same arrays: recharts then keeps its axis settings (no store update)
      const prev = axes.current;
      if (prev) {
        if (sameNumbers(prev.x.ticks, m.x.ticks)) m.x.ticks = prev.x.ticks;
        if (sameNumbers(prev.y.ticks, m.y.ticks)) m.y.ticks = prev.y.ticks;
        if (sameNumbers(prev.y.domain, m.y.domain)) m.y.domain = prev.y.domain;
      }
      axes.current = { x: m.x, y: m.y };
      return m;
    }, [p.series, width, height, xAxis, logX, logY, smoothing, xRange, p.yDomain]);

    // recharts draws the axes and grid again only when a tick would move by half a pixel or more (or the ticks or
    // scales change); in between, only the series layer inside it redraws, from the model store
    const plotAxes = useMemo(() => {
      if (!model) return null;
      const next: PlotAxes = { x: model.x, y: model.y, logX, logY };
      const prev = shown.current;
      if (prev && axesClose(prev, next, plotRect(width, height))) return prev;
      shown.current = next;
      return next;
    }, [model, logX, logY, width, height]);
    store.current.model = model; // read by the series layer in this render, or after the layout effect below
    const modelStore = store.current;
    useLayoutEffect(() => modelStore.notify(), [model, modelStore]);

    const choice = xAxisChoice(xAxis);
    const yKind = p.yKind ?? 'plain';
    // the frame's props stay the same objects while only the data grows (toolbar and legend do not re-render)
    const legendSig = p.series
      .map((s) => `${s.key}\u0000${s.label}\u0000${s.color}\u0000${s.dash ?? ''}`)
      .join('\u0001');
    const legend = useMemo<FrameLegendItem[]>(
      () => p.series.map((s) => ({ key: s.key, label: s.label, color: s.color, dash: s.dash })),
      [legendSig], // the signature stands for the series' look
    );
    const series = useRef(p.series);
    series.current = p.series;
    const lookup = useCallback(
      (x: number) => (model ? readoutAt(model, x, choice.valueKind, yKind, choice.label) : null),
      [model, choice, yKind],
    );
    const exportData = useCallback(() => {
      const meta = { title: p.title, xAxis: choice.label, smoothing };
      return { csv: chartToCsv(series.current, meta), json: chartToJson(series.current, meta) };
    }, [p.title, choice, smoothing]);
    const renderPlot = useCallback(
      () =>
        plotAxes ? (
          <Plot
            axes={plotAxes}
            store={modelStore}
            width={width}
            height={height}
            theme={theme}
            smoothing={smoothing > 0}
            xKind={choice.valueKind}
            yKind={yKind}
          />
        ) : null,
      [plotAxes, modelStore, width, height, theme, smoothing, choice, yKind],
    );
    const resetZoom = useCallback(() => setXRange(null), []);
    const notesSig = [...(model?.notes ?? []), ...(p.notes ?? [])].join('\u0001');
    const notes = useMemo(() => (notesSig ? notesSig.split('\u0001') : []), [notesSig]);
    const empty = p.series.length === 0 || (model !== null && model.empty);
    return (
      <ChartFrame
        title={p.title}
        view={p.view}
        onViewChange={p.onViewChange}
        controls={p.controls ?? ALL_CONTROLS}
        macsAvailable={p.macsAvailable ?? false}
        height={height}
        empty={empty}
        emptyText={p.emptyText ?? 'Waiting for the first step'}
        legend={legend}
        notes={notes}
        xLabel={choice.label + (logX ? ' (log)' : '')}
        xTitle={choice.description}
        xDomain={model && !model.empty ? model.x.domain : null}
        zoomed={xRange !== null}
        onZoom={setXRange}
        onResetZoom={resetZoom}
        lookup={lookup}
        exportData={exportData}
        renderPlot={renderPlot}
        measureRef={measureRef}
        width={width}
      />
    );
  },
  (p) => <ChartPlaceholder title={p.title} height={p.height ?? 210} />,
  ['view'],
);

/** The values of every series at the point nearest to `x` (the cursor snaps to the nearest drawn point). */
function readoutAt(model: ChartModel, x: number, xKind: ValueKind, yKind: ValueKind, xLabel: string): Readout | null {
  const rowsOf = (s: ChartModel['series'][number]) => s.smoothed ?? s.raw;
  // nearest non-gap row of `d` to `v` (gap rows repeat an x; skip them)
  const near = (d: ChartModel['series'][number]['raw'], v: number) => {
    let i = nearestIndex(d.n, (k) => d.x[k], v);
    if (i >= 0 && d.count[i] === 0) i = i > 0 && d.count[i - 1] > 0 ? i - 1 : i + 1 < d.n ? i + 1 : -1;
    return i;
  };
  let snap = NaN;
  for (const s of model.series) {
    const d = rowsOf(s);
    const i = near(d, x);
    if (i >= 0 && (Number.isNaN(snap) || Math.abs(d.x[i] - x) < Math.abs(snap - x))) snap = d.x[i];
  }
  if (Number.isNaN(snap)) return null;
  const span = Math.abs(model.x.domain[1] - model.x.domain[0]) || 1;
  const items = [];
  for (const s of model.series) {
    const d = rowsOf(s);
    const i = near(d, snap);
    if (i < 0 || Math.abs(d.x[i] - snap) > span * 0.02) continue;
    let value = formatValue(d.last[i], yKind);
    if (s.smoothed) {
      const j = near(s.raw, snap);
      if (j >= 0) value += ` (raw ${formatValue(s.raw.last[j], yKind)})`;
    }
    items.push({ key: s.key, label: s.label, color: s.color, value });
  }
  return { x: snap, xText: `${xLabel} ${formatValue(snap, xKind)}`, items };
}

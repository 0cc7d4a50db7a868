// A metric line chart on recharts, fed the downsampled view of typed-array series (chart-model.ts): per series a
// faint min-max band, the raw line (faint when smoothed), the smoothed line; validation series dashed. Never more
// than ~one row per pixel column per line, no dots on long lines, no animation, stable string dataKeys; the model is
// memoised on (series, width, view, zoom), so a redraw happens only when a run's version (once per frame at most),
// the size or a setting changed. Hover is handled by HoverLayer above the plot without re-rendering it.
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, XAxis, YAxis } from 'recharts';
import { ChartCache, buildChartModel, type ChartModel, type ChartView, type SeriesInput } from './chart-model';
import { ChartFrame, type FrameLegendItem } from './chart-frame';
import type { ToolbarControls } from './chart-toolbar';
import { chartToCsv, chartToJson } from './export-data';
import { formatValue, tickFormatter, type ValueKind } from './format';
import type { Readout } from './hover-layer';
import { PLOT_MARGIN, X_AXIS_HEIGHT, Y_AXIS_WIDTH, nearestIndex, plotRect } from './plot-geometry';
import { useChartTheme, type ChartTheme } from './theme';
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

export const MetricChart = memo(function MetricChart(p: MetricChartProps) {
  const theme = useChartTheme();
  const height = p.height ?? 210;
  const [xRange, setXRange] = useState<[number, number] | null>(null);
  const [measureRef, size] = useElementSize<HTMLDivElement>();
  const width = size.width;
  const cache = useRef<ChartCache | null>(null);
  cache.current ??= new ChartCache();
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
    if (p.yDomain && !logY)
      m.y = { ...m.y, domain: p.yDomain, ticks: m.y.ticks.filter((t) => t >= p.yDomain![0] && t <= p.yDomain![1]) };
    return m;
  }, [p.series, width, height, xAxis, logX, logY, smoothing, xRange, p.yDomain]);

  const choice = xAxisChoice(xAxis);
  const yKind = p.yKind ?? 'plain';
  const legend = useMemo<FrameLegendItem[]>(
    () => p.series.map((s) => ({ key: s.key, label: s.label, color: s.color, dash: s.dash })),
    [p.series],
  );
  const lookup = useCallback(
    (x: number) => (model ? readoutAt(model, x, choice.valueKind, yKind, choice.label) : null),
    [model, choice, yKind],
  );
  const exportData = useCallback(() => {
    const meta = { title: p.title, xAxis: choice.label, smoothing };
    return { csv: chartToCsv(p.series, meta), json: chartToJson(p.series, meta) };
  }, [p.series, p.title, choice, smoothing]);
  const renderPlot = useCallback(
    () =>
      model ? (
        <Plot
          model={model}
          width={width}
          height={height}
          theme={theme}
          view={p.view}
          xKind={choice.valueKind}
          yKind={yKind}
        />
      ) : null,
    [model, width, height, theme, p.view, choice, yKind],
  );
  const resetZoom = useCallback(() => setXRange(null), []);
  const notes = useMemo(() => [...(model?.notes ?? []), ...(p.notes ?? [])], [model, p.notes]);
  const empty = p.series.length === 0 || (model !== null && model.empty);
  return (
    <ChartFrame
      title={p.title}
      view={p.view}
      onViewChange={p.onViewChange}
      controls={p.controls ?? {}}
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
});

interface PlotProps {
  model: ChartModel;
  width: number;
  height: number;
  theme: ChartTheme;
  view: ChartView;
  xKind: ValueKind;
  yKind: ValueKind;
}

const Plot = memo(function Plot({ model, width, height, theme, view, xKind, yKind }: PlotProps) {
  const tick = { fill: theme.fgMuted, fontSize: 11 };
  const smoothing = view.smoothing > 0;
  return (
    <ComposedChart width={width} height={height} margin={PLOT_MARGIN} accessibilityLayer={false}>
      <CartesianGrid stroke={theme.grid} vertical={false} />
      <XAxis
        type="number"
        dataKey="x"
        domain={model.x.domain}
        ticks={model.x.ticks}
        scale={view.logX ? 'log' : 'linear'}
        allowDataOverflow
        height={X_AXIS_HEIGHT}
        tick={tick}
        tickFormatter={tickFormatter(xKind, model.x.step)}
        stroke={theme.border}
        interval="preserveStartEnd"
      />
      <YAxis
        type="number"
        domain={model.y.domain}
        ticks={model.y.ticks}
        scale={view.logY ? 'log' : 'linear'}
        allowDataOverflow
        width={Y_AXIS_WIDTH}
        tick={tick}
        tickFormatter={tickFormatter(yKind, model.y.step)}
        stroke={theme.border}
      />
      {model.series.map((s) =>
        s.hasBand ? (
          <Area
            key={`${s.key}:band`}
            data={s.raw}
            dataKey="band"
            type="linear"
            stroke="none"
            fill={s.color}
            fillOpacity={0.14}
            isAnimationActive={false}
            activeDot={false}
            connectNulls={false}
          />
        ) : null,
      )}
      {model.series.map((s) => (
        <Line
          key={`${s.key}:raw`}
          data={s.raw}
          dataKey="y"
          type="linear"
          stroke={s.color}
          strokeOpacity={smoothing && s.smoothed ? 0.35 : 1}
          strokeWidth={smoothing && s.smoothed ? 1 : 1.6}
          strokeDasharray={s.dash}
          dot={s.dots ? { r: 2.5, fill: s.color, stroke: 'none' } : false}
          activeDot={false}
          isAnimationActive={false}
          connectNulls={false}
        />
      ))}
      {model.series.map((s) =>
        s.smoothed ? (
          <Line
            key={`${s.key}:smooth`}
            data={s.smoothed}
            dataKey="y"
            type="linear"
            stroke={s.color}
            strokeWidth={1.8}
            strokeDasharray={s.dash}
            dot={false}
            activeDot={false}
            isAnimationActive={false}
            connectNulls={false}
          />
        ) : null,
      )}
    </ComposedChart>
  );
});

/** The values of every series at the point nearest to `x` (the cursor snaps to the nearest drawn point). */
function readoutAt(model: ChartModel, x: number, xKind: ValueKind, yKind: ValueKind, xLabel: string): Readout | null {
  const rowsOf = (s: ChartModel['series'][number]) => s.smoothed ?? s.raw;
  let snap = NaN;
  for (const s of model.series) {
    const rows = rowsOf(s);
    const i = nearestIndex(rows.length, (k) => rows[k].x, x);
    if (i >= 0 && (Number.isNaN(snap) || Math.abs(rows[i].x - x) < Math.abs(snap - x))) snap = rows[i].x;
  }
  if (Number.isNaN(snap)) return null;
  const span = Math.abs(model.x.domain[1] - model.x.domain[0]) || 1;
  const items = [];
  for (const s of model.series) {
    const rows = rowsOf(s);
    const i = nearestIndex(rows.length, (k) => rows[k].x, snap);
    if (i < 0 || Math.abs(rows[i].x - snap) > span * 0.02 || rows[i].y === null) continue;
    const raw = s.smoothed ? s.raw[nearestIndex(s.raw.length, (k) => s.raw[k].x, snap)]?.y : null;
    const value =
      formatValue(rows[i].y, yKind) +
      (s.smoothed && raw !== null && raw !== undefined ? ` (raw ${formatValue(raw, yKind)})` : '');
    items.push({ key: s.key, label: s.label, color: s.color, value });
  }
  return { x: snap, xText: `${xLabel} ${formatValue(snap, xKind)}`, items };
}

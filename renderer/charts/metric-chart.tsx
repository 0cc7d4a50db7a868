// A metric line chart on recharts, fed the downsampled view of typed-array series (chart-model.ts): per series a
// faint min-max band, the raw line (faint when smoothed), the smoothed line; validation series dashed. recharts lays
// out the chart (surface, axes with our nice ticks, grid, scales); the series are drawn by SeriesLayer inside it with
// recharts' own scales, as paths built from the typed arrays: never more than ~one row per pixel column per line, no
// dots on long lines, no animation. (Feeding the same rows to recharts' <Line>/<Area> cost ~40 ms of main thread per
// redraw with three 100k-point runs: its per-point pipeline, store and remounts; see the bench in tools/bench-ui.ts.)
// The model is memoised on (series, width, view, zoom), so a redraw happens only when a run's version (once per
// frame at most), the size or a setting changed. Hover is handled by HoverLayer above the plot without re-rendering.
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { CartesianGrid, ComposedChart, XAxis, YAxis, usePlotArea } from 'recharts';
import { ChartCache, buildChartModel, type ChartModel, type ChartView, type SeriesInput } from './chart-model';
import { ChartFrame, type FrameLegendItem } from './chart-frame';
import type { ToolbarControls } from './chart-toolbar';
import { chartToCsv, chartToJson } from './export-data';
import { formatValue, tickFormatter, type ValueKind } from './format';
import type { Readout } from './hover-layer';
import { PLOT_MARGIN, X_AXIS_HEIGHT, Y_AXIS_WIDTH, nearestIndex, plotRect } from './plot-geometry';
import { bandPath, dotPositions, linePath, type AxisMap } from './series-paths';
import { axisTick } from './axis-tick';
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

const ALL_CONTROLS = {};

export const MetricChart = memo(function MetricChart(p: MetricChartProps) {
  const theme = useChartTheme();
  const height = p.height ?? 210;
  const [xRange, setXRange] = useState<[number, number] | null>(null);
  const [measureRef, size] = useElementSize<HTMLDivElement>();
  const width = size.width;
  const cache = useRef<ChartCache | null>(null);
  cache.current ??= new ChartCache();
  const axes = useRef<{ x: ChartModel['x']; y: ChartModel['y'] } | null>(null);
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

  const choice = xAxisChoice(xAxis);
  const yKind = p.yKind ?? 'plain';
  // the frame's props stay the same objects while only the data grows (toolbar and legend do not re-render)
  const legendSig = p.series.map((s) => `${s.key}\u0000${s.label}\u0000${s.color}\u0000${s.dash ?? ''}`).join('\u0001');
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
});

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

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
        tick={axisTick('x', tickFormatter(xKind, model.x.step), theme.fgMuted)}
        stroke={theme.border}
        interval={0}
      />
      <YAxis
        type="number"
        domain={model.y.domain}
        ticks={model.y.ticks}
        scale={view.logY ? 'log' : 'linear'}
        allowDataOverflow
        width={Y_AXIS_WIDTH}
        tick={axisTick('y', tickFormatter(yKind, model.y.step), theme.fgMuted)}
        stroke={theme.border}
      />
      <SeriesLayer
        model={model}
        smoothing={view.smoothing > 0}
        logX={view.logX}
        logY={view.logY}
        rawOpacity={theme.rawOpacity}
      />
    </ComposedChart>
  );
});

/**
 * The series, drawn inside the recharts chart with its own axis scales: band, raw line, smoothed line, dots for short
 * series. Paths are built straight from the downsampled typed arrays (series-paths.ts), clipped to the plot area.
 */
function SeriesLayer(p: { model: ChartModel; smoothing: boolean; logX: boolean; logY: boolean; rawOpacity: number }) {
  const { model, smoothing, logX, logY } = p;
  const area = usePlotArea();
  const clipId = useId().replace(/[^A-Za-z0-9_-]/g, '');
  if (!area) return null;
  // the axes' own maps (recharts' d3 scales: domain onto the plot area, y upwards), inlined in the path loops
  const sx: AxisMap = { d0: model.x.domain[0], d1: model.x.domain[1], r0: area.x, r1: area.x + area.width, log: logX };
  const sy: AxisMap = { d0: model.y.domain[0], d1: model.y.domain[1], r0: area.y + area.height, r1: area.y, log: logY };
  return (
    <g className="swc-series" clipPath={`url(#${clipId})`}>
      <defs>
        <clipPath id={clipId}>
          <rect x={area.x} y={area.y - 2} width={area.width} height={area.height + 4} />
        </clipPath>
      </defs>
      {model.series.map((s) => {
        const faint = smoothing && s.smoothed !== null;
        return (
          <g key={s.key} className="swc-run" data-series={s.key}>
            {s.hasBand && (
              <path className="swc-band" d={bandPath(s.raw, sx, sy)} fill={s.color} fillOpacity={0.14} stroke="none" />
            )}
            <path
              className="swc-line swc-raw"
              d={linePath(s.raw, sx, sy)}
              fill="none"
              stroke={s.color}
              strokeOpacity={faint ? p.rawOpacity : 1}
              strokeWidth={faint ? 1 : 1.6}
              strokeDasharray={s.dash}
              strokeLinejoin="round"
            />
            {s.smoothed && (
              <path
                className="swc-line swc-smooth"
                d={linePath(s.smoothed, sx, sy)}
                fill="none"
                stroke={s.color}
                strokeWidth={1.8}
                strokeDasharray={s.dash}
                strokeLinejoin="round"
              />
            )}
            {s.dots &&
              dotPositions(s.raw, sx, sy).map(([cx, cy], i) => (
                <circle key={i} cx={cx} cy={cy} r={2.5} fill={s.color} />
              ))}
          </g>
        );
      })}
    </g>
  );
}

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

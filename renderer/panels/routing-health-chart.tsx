// A routing-health line chart over training steps: one line per head (routing rows are few: every point is drawn),
// optionally a p10-p90 band around a line, a threshold drawn as a labelled dashed line, and marked step ranges (a
// head's collapse) as shaded regions with a label. The charts' frame: toolbar Export (SVG, PNG 2x, CSV, JSON), hover
// readout, drag to zoom. Reads no store: the panel hands it columns.
import { memo, useCallback, useMemo, useState } from 'react';
import { CartesianGrid, ComposedChart, XAxis, YAxis, usePlotArea } from 'recharts';
import { axisTick } from '../charts/axis-tick';
import type { SeriesInput } from '../charts/chart-model';
import { ChartFrame, type FrameLegendItem } from '../charts/chart-frame';
import { chartToCsv, chartToJson } from '../charts/export-data';
import { formatValue, tickFormatter, type ValueKind } from '../charts/format';
import type { Readout } from '../charts/hover-layer';
import { ChartPlaceholder, staggered } from '../charts/stagger';
import { PLOT_MARGIN, X_AXIS_HEIGHT, Y_AXIS_WIDTH, nearestIndex, plotRect } from '../charts/plot-geometry';
import { mapFn } from '../charts/series-paths';
import { useChartTheme, type ChartTheme } from '../charts/theme';
import { axisTicks, type AxisTicks } from '../charts/ticks';
import { useElementSize } from '../charts/use-size';
import { DEFAULT_VIEW } from '../charts/chart-model';

export interface HealthSeries {
  key: string;
  label: string;
  color: string;
  dash?: string;
  x: ArrayLike<number>; // steps, ascending
  y: ArrayLike<number>; // NaN: a gap
  band?: { lo: ArrayLike<number>; hi: ArrayLike<number>; label: string }; // e.g. p10..p90
  exportColumns?: Record<string, ArrayLike<number>>;
}

export interface HealthRegion {
  key: string;
  from: number; // step
  to: number;
  color: string;
  label: string; // drawn in the region ("head 1"); empty: no label
}

export interface HealthChartProps {
  title: string;
  series: HealthSeries[];
  yDomain?: [number, number];
  yKind?: ValueKind;
  threshold?: { y: number; label: string };
  regions?: HealthRegion[];
  emptyText: string;
  notes?: string[];
  height?: number;
}

const NO_CONTROLS = { xAxis: false, logX: false, logY: false, smoothing: false };
const noop = () => {};

function extent(series: HealthSeries[], pick: (s: HealthSeries) => ArrayLike<number>[]): [number, number] | null {
  let lo = Infinity,
    hi = -Infinity;
  for (const s of series)
    for (const col of pick(s))
      for (let i = 0; i < col.length; i++)
        if (Number.isFinite(col[i])) {
          lo = Math.min(lo, col[i]!);
          hi = Math.max(hi, col[i]!);
        }
  return lo <= hi ? [lo, hi] : null;
}

export const HealthChart = staggered(
  function HealthChart(p: HealthChartProps) {
    const theme = useChartTheme();
    const height = p.height ?? 210;
    const [measureRef, size] = useElementSize<HTMLDivElement>();
    const [xRange, setXRange] = useState<[number, number] | null>(null);
    const rect = plotRect(size.width, height);
    const axes = useMemo(() => {
      const xe = extent(p.series, (s) => [s.x]);
      if (!xe) return null;
      const x = axisTicks(xRange ?? xe, { count: Math.max(2, Math.round(rect.width / 70)), integer: true });
      const ye = p.yDomain ?? extent(p.series, (s) => [s.y, ...(s.band ? [s.band.lo, s.band.hi] : [])]);
      const y = p.yDomain
        ? { ...axisTicks(p.yDomain, { count: 5 }), domain: p.yDomain }
        : axisTicks(ye, { count: Math.max(2, Math.round(rect.height / 35)), pad: 0.06 });
      return { x, y };
    }, [p.series, p.yDomain, xRange, rect.width, rect.height]);
    const empty = !axes || p.series.every((s) => s.y.length === 0);
    const legend = useMemo<FrameLegendItem[]>(
      () => [
        ...p.series.map((s) => ({ key: s.key, label: s.label, color: s.color, dash: s.dash })),
        ...(p.threshold ? [{ key: 'threshold', label: p.threshold.label, color: theme.fgMuted, dash: '4 3' }] : []),
      ],
      [p.series, p.threshold, theme.fgMuted],
    );
    const yKind = p.yKind ?? 'plain';
    const lookup = useCallback(
      (x: number): Readout | null => {
        let snap = NaN;
        for (const s of p.series) {
          const i = nearestIndex(s.x.length, (k) => s.x[k]!, x);
          if (i >= 0 && (Number.isNaN(snap) || Math.abs(s.x[i]! - x) < Math.abs(snap - x))) snap = s.x[i]!;
        }
        if (Number.isNaN(snap)) return null;
        const items = p.series.flatMap((s) => {
          const i = nearestIndex(s.x.length, (k) => s.x[k]!, snap);
          if (i < 0 || s.x[i] !== snap) return [];
          const band = s.band ? ` (${formatValue(s.band.lo[i], yKind)}–${formatValue(s.band.hi[i], yKind)})` : '';
          return [{ key: s.key, label: s.label, color: s.color, value: formatValue(s.y[i], yKind) + band }];
        });
        return { x: snap, xText: `step ${formatValue(snap, 'count')}`, items };
      },
      [p.series, yKind],
    );
    const exportData = useCallback(() => {
      const series: SeriesInput[] = p.series.map((s) => ({
        key: s.key,
        label: s.label,
        color: s.color,
        x: s.x,
        y: s.y,
        steps: null,
        smooth: false,
        band: false,
        exportColumns: { step: s.x, ...s.exportColumns, ...(s.band && { band_lo: s.band.lo, band_hi: s.band.hi }) },
      }));
      const meta = { title: p.title, xAxis: 'step', smoothing: 0 };
      return { csv: chartToCsv(series, meta), json: chartToJson(series, meta) };
    }, [p.series, p.title]);
    const renderPlot = useCallback(
      () =>
        axes ? (
          <HealthPlot
            axes={axes}
            width={size.width}
            height={height}
            theme={theme}
            series={p.series}
            threshold={p.threshold}
            regions={p.regions ?? []}
            yKind={yKind}
          />
        ) : null,
      [axes, size.width, height, theme, p.series, p.threshold, p.regions, yKind],
    );
    return (
      <ChartFrame
        title={p.title}
        view={DEFAULT_VIEW}
        onViewChange={noop}
        controls={NO_CONTROLS}
        macsAvailable={false}
        height={height}
        empty={empty}
        emptyText={p.emptyText}
        legend={legend}
        notes={p.notes ?? []}
        xLabel="step"
        xTitle="Training step of the routing report (or of the later saved probe)"
        xDomain={axes && !empty ? axes.x.domain : null}
        zoomed={xRange !== null}
        onZoom={setXRange}
        onResetZoom={() => setXRange(null)}
        lookup={lookup}
        exportData={exportData}
        renderPlot={renderPlot}
        measureRef={measureRef}
        width={size.width}
      />
    );
  },
  (p) => <ChartPlaceholder title={p.title} height={p.height ?? 210} />,
);

interface PlotProps {
  axes: { x: AxisTicks; y: AxisTicks };
  width: number;
  height: number;
  theme: ChartTheme;
  series: HealthSeries[];
  threshold?: { y: number; label: string };
  regions: HealthRegion[];
  yKind: ValueKind;
}

const HealthPlot = memo(function HealthPlot(p: PlotProps) {
  const { axes, theme } = p;
  return (
    <ComposedChart width={p.width} height={p.height} margin={PLOT_MARGIN} accessibilityLayer={false}>
      <CartesianGrid stroke={theme.grid} vertical={false} />
      <XAxis
        type="number"
        dataKey="x"
        domain={axes.x.domain}
        ticks={axes.x.ticks}
        allowDataOverflow
        height={X_AXIS_HEIGHT}
        tick={axisTick('x', tickFormatter('count', axes.x.step), theme.fgMuted)}
        stroke={theme.border}
        interval={0}
      />
      <YAxis
        type="number"
        domain={axes.y.domain}
        ticks={axes.y.ticks}
        allowDataOverflow
        width={Y_AXIS_WIDTH}
        tick={axisTick('y', tickFormatter(p.yKind, axes.y.step), theme.fgMuted)}
        stroke={theme.border}
      />
      <Layer {...p} />
    </ComposedChart>
  );
});

const r1 = (v: number) => Math.round(v * 10) / 10;

/** Regions, bands, lines, dots and the threshold, drawn with the chart's own plot area. */
function Layer(p: PlotProps) {
  const area = usePlotArea();
  if (!area) return null;
  const { x, y } = p.axes;
  const sx = mapFn({ d0: x.domain[0], d1: x.domain[1], r0: area.x, r1: area.x + area.width, log: false });
  const sy = mapFn({ d0: y.domain[0], d1: y.domain[1], r0: area.y + area.height, r1: area.y, log: false });
  const clampX = (v: number) => Math.max(area.x, Math.min(area.x + area.width, v));
  const line = (xs: ArrayLike<number>, ys: ArrayLike<number>) => {
    let d = '',
      pen = false;
    for (let i = 0; i < xs.length; i++) {
      if (!Number.isFinite(ys[i])) {
        pen = false;
        continue;
      }
      d += (pen ? 'L' : 'M') + r1(sx(xs[i]!)) + ',' + r1(sy(ys[i]!));
      pen = true;
    }
    return d;
  };
  const band = (s: HealthSeries) => {
    const { lo, hi } = s.band!;
    let d = '';
    let i = 0;
    while (i < s.x.length) {
      if (!Number.isFinite(lo[i]) || !Number.isFinite(hi[i])) {
        i++;
        continue;
      }
      let j = i;
      while (j < s.x.length && Number.isFinite(lo[j]) && Number.isFinite(hi[j])) j++;
      let top = '',
        bottom = '';
      for (let k = i; k < j; k++) top += (k === i ? 'M' : 'L') + r1(sx(s.x[k]!)) + ',' + r1(sy(hi[k]!));
      for (let k = j - 1; k >= i; k--) bottom += 'L' + r1(sx(s.x[k]!)) + ',' + r1(sy(lo[k]!));
      d += top + bottom + 'Z';
      i = j;
    }
    return d;
  };
  return (
    <g className="swc-series">
      {p.regions.map((g, i) => {
        const x0 = clampX(sx(g.from) - 3),
          x1 = clampX(sx(g.to) + 3);
        return (
          <g key={g.key} className="hx-region">
            <rect
              x={x0}
              y={area.y}
              width={Math.max(2, x1 - x0)}
              height={area.height}
              fill={g.color}
              fillOpacity={0.13}
            />
            <line x1={x0} x2={x0} y1={area.y} y2={area.y + area.height} stroke={g.color} strokeDasharray="2 2" />
            {g.label && (
              <text x={x0 + 3} y={area.y + 11 + 12 * (i % 3)} fill={p.theme.fg} fontSize={10}>
                ⚠ {g.label}
              </text>
            )}
          </g>
        );
      })}
      {p.series.map((s) =>
        s.band ? <path key={`${s.key}-band`} d={band(s)} fill={s.color} fillOpacity={0.16} stroke="none" /> : null,
      )}
      {p.threshold && (
        <g>
          <line
            x1={area.x}
            x2={area.x + area.width}
            y1={r1(sy(p.threshold.y))}
            y2={r1(sy(p.threshold.y))}
            stroke={p.theme.fgMuted}
            strokeDasharray="4 3"
          />
          <text
            x={area.x + area.width - 4}
            y={r1(sy(p.threshold.y)) - 4}
            textAnchor="end"
            fill={p.theme.fgMuted}
            fontSize={10}
          >
            {p.threshold.label}
          </text>
        </g>
      )}
      {p.series.map((s) => (
        <g key={s.key}>
          <path d={line(s.x, s.y)} fill="none" stroke={s.color} strokeWidth={1.6} strokeDasharray={s.dash} />
          {s.x.length <= 40 &&
            Array.from(s.x, (xv, i) =>
              Number.isFinite(s.y[i]) ? (
                <circle key={i} cx={r1(sx(xv))} cy={r1(sy(s.y[i]!))} r={2.2} fill={s.color} />
              ) : null,
            )}
        </g>
      ))}
    </g>
  );
}

// A stacked-area chart of shares over time (per-expert usage of one head): expert e is always layer e of the stack
// with its own colour, so "which expert collapsed" stays visible. Rows are whole reports (the last one of each pixel
// column), so every drawn stack sums to 1. Same frame, toolbar, hover and exports as the line charts.
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import { CartesianGrid, ComposedChart, XAxis, YAxis, usePlotArea } from 'recharts';
import type { ChartView, SeriesInput } from './chart-model';
import { ChartFrame, type FrameLegendItem } from './chart-frame';
import { bucketLastRows, xExtent } from './downsample';
import { chartToCsv, chartToJson } from './export-data';
import { formatValue, tickFormatter, type ValueKind } from './format';
import type { Readout } from './hover-layer';
import { PLOT_MARGIN, X_AXIS_HEIGHT, Y_AXIS_WIDTH, nearestIndex, plotRect } from './plot-geometry';
import { axisTicks, type AxisTicks } from './ticks';
import { axisTick } from './axis-tick';
import { mapFn } from './series-paths';
import { ChartPlaceholder, staggered } from './stagger';
import { useChartTheme, type ChartTheme } from './theme';
import { useElementSize } from './use-size';
import { xAxisChoice } from './x-axis';

export interface StackedInput {
  x: ArrayLike<number>; // ascending
  xScale?: number;
  layers: { key: string; label: string; color: string; values: ArrayLike<number> }[]; // bottom to top
  exportColumns?: Record<string, ArrayLike<number>>;
}

export interface StackedChartProps {
  title: string;
  input: StackedInput;
  view: ChartView;
  onViewChange: (patch: Partial<ChartView>) => void;
  macsAvailable?: boolean;
  height?: number;
  emptyText?: string;
  notes?: string[];
}

type Row = Record<string, number | null>;

interface StackedModel {
  x: AxisTicks;
  rows: Row[];
  empty: boolean;
  dropped: number; // rows left out of a log x axis
}

function buildStacked(
  input: StackedInput,
  logX: boolean,
  width: number,
  xRange: [number, number] | null,
  integer: boolean,
): StackedModel {
  const ext = xExtent(input.x, { logX, xScale: input.xScale });
  const x = axisTicks(xRange ?? ext, { log: logX, count: Math.max(2, Math.round(width / 70)), integer });
  if (!ext || input.layers.length === 0) return { x, rows: [], empty: true, dropped: 0 };
  const k = input.xScale ?? 1;
  const idx = bucketLastRows(input.x, {
    x0: x.domain[0],
    x1: x.domain[1],
    buckets: Math.max(8, width),
    logX,
    xScale: k,
  });
  const rows = idx.map((i) => {
    const r: Row = { x: input.x[i] * k };
    for (const l of input.layers) r[l.key] = Number.isFinite(l.values[i]) ? l.values[i] : null;
    return r;
  });
  let dropped = 0;
  if (logX) for (let i = 0; i < input.x.length; i++) if (!(input.x[i] * k > 0)) dropped++;
  return { x, rows, empty: rows.length === 0, dropped };
}

export const StackedChart = staggered(
  function StackedChart(p: StackedChartProps) {
    const theme = useChartTheme();
    const height = p.height ?? 210;
    const [measureRef, size] = useElementSize<HTMLDivElement>();
    const [xRange, setXRange] = useState<[number, number] | null>(null);
    const { xAxis, logX } = p.view;
    useEffect(() => setXRange(null), [xAxis, logX]);
    const rect = plotRect(size.width, height);
    const model = useMemo(
      () => (size.width > 0 ? buildStacked(p.input, logX, rect.width, xRange, xAxis !== 'time') : null),
      [p.input, logX, rect.width, xRange, size.width, xAxis],
    );
    const choice = xAxisChoice(xAxis);
    const legend = useMemo<FrameLegendItem[]>(
      () => p.input.layers.map((l) => ({ key: l.key, label: l.label, color: l.color, area: true })),
      [p.input],
    );
    const lookup = useCallback(
      (x: number): Readout | null => {
        if (!model || model.rows.length === 0) return null;
        const i = nearestIndex(model.rows.length, (k) => model.rows[k].x as number, x);
        const row = model.rows[i];
        const items = [...p.input.layers].reverse().map((l) => ({
          key: l.key,
          label: l.label,
          color: l.color,
          value: formatValue(row[l.key], 'percent'),
          area: true,
        }));
        return {
          x: row.x as number,
          xText: `${choice.label} ${formatValue(row.x as number, choice.valueKind)}`,
          items,
        };
      },
      [model, p.input, choice],
    );
    const exportData = useCallback(() => {
      const series: SeriesInput[] = p.input.layers.map((l) => ({
        key: l.key,
        label: l.label,
        color: l.color,
        x: p.input.x,
        y: l.values,
        steps: null,
        smooth: false,
        band: false,
        exportColumns: p.input.exportColumns,
      }));
      const meta = { title: p.title, xAxis: choice.label, smoothing: 0 };
      return { csv: chartToCsv(series, meta), json: chartToJson(series, meta) };
    }, [p.input, p.title, choice]);
    const renderPlot = useCallback(
      () =>
        model ? (
          <StackPlot
            model={model}
            input={p.input}
            width={size.width}
            height={height}
            theme={theme}
            logX={logX}
            xKind={choice.valueKind}
          />
        ) : null,
      [model, p.input, size.width, height, theme, logX, choice],
    );
    const resetZoom = useCallback(() => setXRange(null), []);
    const notes = useMemo(() => {
      const n = [...(p.notes ?? [])];
      if (model?.dropped) n.unshift(`${model.dropped} rows at x ≤ 0 not shown on the log x axis`);
      return n;
    }, [model, p.notes]);
    return (
      <ChartFrame
        title={p.title}
        view={p.view}
        onViewChange={p.onViewChange}
        controls={{ logY: false, smoothing: false }}
        macsAvailable={p.macsAvailable ?? false}
        height={height}
        empty={!model || model.empty}
        emptyText={p.emptyText ?? 'Waiting for the first routing report'}
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
        width={size.width}
      />
    );
  },
  (p) => <ChartPlaceholder title={p.title} height={p.height ?? 210} />,
  ['view'],
);

const Y_TICKS = [0, 0.25, 0.5, 0.75, 1];
const UNIT: [number, number] = [0, 1];

const StackPlot = memo(function StackPlot(props: {
  model: StackedModel;
  input: StackedInput;
  width: number;
  height: number;
  theme: ChartTheme;
  logX: boolean;
  xKind: ValueKind;
}) {
  const { model, input, theme } = props;
  return (
    <ComposedChart width={props.width} height={props.height} margin={PLOT_MARGIN} accessibilityLayer={false}>
      <CartesianGrid stroke={theme.grid} vertical={false} />
      <XAxis
        type="number"
        dataKey="x"
        domain={model.x.domain}
        ticks={model.x.ticks}
        scale={props.logX ? 'log' : 'linear'}
        allowDataOverflow
        height={X_AXIS_HEIGHT}
        tick={axisTick('x', tickFormatter(props.xKind, model.x.step), theme.fgMuted)}
        stroke={theme.border}
        interval={0}
      />
      <YAxis
        type="number"
        domain={UNIT}
        ticks={Y_TICKS}
        scale="linear"
        allowDataOverflow
        width={Y_AXIS_WIDTH}
        tick={axisTick('y', tickFormatter('percent', 0.25), theme.fgMuted)}
        stroke={theme.border}
      />
      <StackLayer model={model} input={input} logX={props.logX} stroke={theme.surface} />
    </ComposedChart>
  );
});

/** The stack as one closed polygon per expert and unbroken stretch of rows (a row missing a value breaks it), drawn
 *  with the chart's own axis maps like the line charts' series. */
function StackLayer(p: { model: StackedModel; input: StackedInput; logX: boolean; stroke: string }) {
  const area = usePlotArea();
  if (!area) return null;
  const { rows } = p.model;
  const sx = mapFn({
    d0: p.model.x.domain[0],
    d1: p.model.x.domain[1],
    r0: area.x,
    r1: area.x + area.width,
    log: p.logX,
  });
  const sy = mapFn({ d0: 0, d1: 1, r0: area.y + area.height, r1: area.y, log: false });
  const r1 = (v: number) => Math.round(v * 10) / 10;
  const base = new Float64Array(rows.length); // the running bottom of the stack at each row
  const whole = rows.map((r) => p.input.layers.every((l) => r[l.key] !== null));
  const paths = p.input.layers.map((l) => {
    let d = '';
    let i = 0;
    while (i < rows.length) {
      if (!whole[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < rows.length && whole[j]) j++;
      if (j - i === 1) {
        // a lone row (the first report): a narrow stacked bar, so it is seen
        const x = sx(rows[i].x as number),
          y0 = r1(sy(base[i])),
          y1 = r1(sy(base[i] + (rows[i][l.key] as number)));
        d += `M${r1(x - 3)},${y1}L${r1(x + 3)},${y1}L${r1(x + 3)},${y0}L${r1(x - 3)},${y0}Z`;
        i = j;
        continue;
      }
      // rows [i, j): top edge forward, bottom edge back
      let top = '',
        bottom = '';
      for (let k = i; k < j; k++) {
        const x = r1(sx(rows[k].x as number));
        top += (k === i ? 'M' : 'L') + x + ',' + r1(sy(base[k] + (rows[k][l.key] as number)));
      }
      for (let k = j - 1; k >= i; k--) bottom += 'L' + r1(sx(rows[k].x as number)) + ',' + r1(sy(base[k]));
      d += top + bottom + 'Z';
      i = j;
    }
    for (let k = 0; k < rows.length; k++) if (whole[k]) base[k] += rows[k][l.key] as number;
    return { key: l.key, color: l.color, d };
  });
  return (
    <g className="swc-series">
      {paths.map((q) => (
        <path
          key={q.key}
          className="swc-stack"
          d={q.d}
          fill={q.color}
          fillOpacity={0.85}
          stroke={p.stroke}
          strokeWidth={0.5}
        />
      ))}
    </g>
  );
}

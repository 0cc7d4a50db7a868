// The plot of a metric chart: recharts lays out the surface, the grid and the axes (our nice ticks, our tick labels);
// the series are drawn inside it by SeriesLayer with the axes' own maps, as paths built from the downsampled typed
// arrays (series-paths.ts): never more than ~one row per pixel column per line, no dots on long lines, no animation.
// Feeding the same rows to recharts' <Line>/<Area> cost ~40 ms of main thread per redraw with three 100k-point runs
// (its per-point pipeline, store and remounts: tools/bench-ui.ts). The series layer reads the latest model from a
// small store, so a redraw that moves no tick by half a pixel re-renders only the paths, not recharts around them.
import { memo, useId, useMemo, useSyncExternalStore } from 'react';
import { CartesianGrid, ComposedChart, XAxis, YAxis, usePlotArea } from 'recharts';
import { axisTick } from './axis-tick';
import type { ChartModel } from './chart-model';
import { tickFormatter, type ValueKind } from './format';
import { PLOT_MARGIN, X_AXIS_HEIGHT, Y_AXIS_WIDTH } from './plot-geometry';
import { bandPath, dotPositions, linePath, mapFn, type AxisMap } from './series-paths';
import type { ChartTheme } from './theme';

export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** What recharts is given: the axes (domain and ticks) and their scale kinds. */
export interface PlotAxes {
  x: ChartModel['x'];
  y: ChartModel['y'];
  logX: boolean;
  logY: boolean;
}

/** The same ticks at (almost) the same pixels: nothing on the axes would visibly change. */
export function axesClose(
  a: PlotAxes,
  b: PlotAxes,
  rect: { left: number; top: number; width: number; height: number },
): boolean {
  if (a.logX !== b.logX || a.logY !== b.logY) return false;
  if (!sameNumbers(a.x.ticks, b.x.ticks) || !sameNumbers(a.y.ticks, b.y.ticks)) return false;
  const px = (ax: AxisMap, bx: AxisMap, ticks: readonly number[]) => {
    const fa = mapFn(ax),
      fb = mapFn(bx);
    return ticks.every((t) => Math.abs(fa(t) - fb(t)) < 0.5);
  };
  const xm = (d: [number, number], log: boolean): AxisMap => ({
    d0: d[0],
    d1: d[1],
    r0: rect.left,
    r1: rect.left + rect.width,
    log,
  });
  const ym = (d: [number, number], log: boolean): AxisMap => ({
    d0: d[0],
    d1: d[1],
    r0: rect.top + rect.height,
    r1: rect.top,
    log,
  });
  return (
    px(xm(a.x.domain, a.logX), xm(b.x.domain, b.logX), a.x.ticks) &&
    px(ym(a.y.domain, a.logY), ym(b.y.domain, b.logY), a.y.ticks)
  );
}

/** The latest model, for the series layer: it redraws without recharts re-rendering around it. */
export class ModelStore {
  model: ChartModel | null = null;
  private listeners = new Set<() => void>();
  readonly subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  };
  readonly get = () => this.model;
  notify(): void {
    for (const l of this.listeners) l();
  }
}

interface PlotProps {
  axes: PlotAxes;
  store: ModelStore;
  width: number;
  height: number;
  theme: ChartTheme;
  smoothing: boolean;
  xKind: ValueKind;
  yKind: ValueKind;
}

export const Plot = memo(function Plot({ axes, store, width, height, theme, smoothing, xKind, yKind }: PlotProps) {
  const xTick = useMemo(
    () => axisTick('x', tickFormatter(xKind, axes.x.step), theme.fgMuted),
    [xKind, axes.x.step, theme],
  );
  const yTick = useMemo(
    () => axisTick('y', tickFormatter(yKind, axes.y.step), theme.fgMuted),
    [yKind, axes.y.step, theme],
  );
  return (
    <ComposedChart width={width} height={height} margin={PLOT_MARGIN} accessibilityLayer={false}>
      <CartesianGrid stroke={theme.grid} vertical={false} />
      <XAxis
        type="number"
        dataKey="x"
        domain={axes.x.domain}
        ticks={axes.x.ticks}
        scale={axes.logX ? 'log' : 'linear'}
        allowDataOverflow
        height={X_AXIS_HEIGHT}
        tick={xTick}
        stroke={theme.border}
        interval={0}
      />
      <YAxis
        type="number"
        domain={axes.y.domain}
        ticks={axes.y.ticks}
        scale={axes.logY ? 'log' : 'linear'}
        allowDataOverflow
        width={Y_AXIS_WIDTH}
        tick={yTick}
        stroke={theme.border}
      />
      <SeriesLayer
        store={store}
        smoothing={smoothing}
        logX={axes.logX}
        logY={axes.logY}
        rawOpacity={theme.rawOpacity}
      />
    </ComposedChart>
  );
});

/**
 * The series, drawn inside the recharts chart with its own axis scales: band, raw line, smoothed line, dots for short
 * series. Paths are built straight from the downsampled typed arrays (series-paths.ts), clipped to the plot area.
 */
function SeriesLayer(p: { store: ModelStore; smoothing: boolean; logX: boolean; logY: boolean; rawOpacity: number }) {
  const { smoothing, logX, logY } = p;
  const model = useSyncExternalStore(p.store.subscribe, p.store.get);
  const area = usePlotArea();
  const clipId = useId().replace(/[^A-Za-z0-9_-]/g, '');
  if (!area || !model) return null;
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

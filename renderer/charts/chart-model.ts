// What a line chart draws, computed from typed-array series without a DOM: the x and y axes (domain, nice ticks),
// and per series the downsampled rows of the raw line (through each pixel column's last value, with its min-max
// band) and of the smoothed line. Never more than ~2 points per pixel column per line, whatever the series length. The caches keep
// smoothing incremental (only new points are smoothed) and reuse the downsampling buffers between frames.
import { allocDownsampled, downsample, xExtent, yExtent, type Downsampled } from './downsample';
import { ChunkIndex } from './chunk-index';
import { SmoothingCache } from './smoothing';
import { axisTicks, type AxisTicks } from './ticks';
import type { XAxisKind } from './x-axis';

export interface ChartView {
  xAxis: XAxisKind;
  logX: boolean;
  logY: boolean;
  smoothing: number; // 0..0.99
}

export const DEFAULT_VIEW: ChartView = { xAxis: 'step', logX: false, logY: false, smoothing: 0.6 };

export interface SeriesInput {
  key: string; // stable and unique in the chart: `${runId}/${split}/${metric}`
  label: string; // legend and readout: "sh-k2 train"
  color: string;
  dash?: string; // SVG stroke-dasharray (validation lines, runs past the palette)
  x: ArrayLike<number>; // the x-axis column (ascending)
  xScale?: number; // x = x[i] * xScale (attention MACs per step); default 1
  y: ArrayLike<number>;
  steps: ArrayLike<number> | null; // the decay variable of smoothing (the step column); null: the index
  smooth: boolean; // smoothing applies (training series); validation is already an average
  band: boolean; // draw the min-max band of each pixel column
  /** Full-resolution columns for export (step, tokens, time_s, ...). */
  exportColumns?: Record<string, ArrayLike<number>>;
  macsPerStep?: number; // adds an attention_macs column (step x this) to exports
}

export interface ModelSeries {
  key: string;
  label: string;
  color: string;
  dash?: string;
  raw: Downsampled; // rows of the raw series (a view into the chart's cache: valid until its next build)
  smoothed: Downsampled | null; // the smoothed series' rows; null when smoothing is off or does not apply
  hasBand: boolean; // some column holds more than one point
  dots: boolean; // few points: mark them
  points: number; // full-resolution points of the series
}

export interface ChartModel {
  x: AxisTicks;
  y: AxisTicks;
  series: ModelSeries[];
  notes: string[]; // what is not drawn and why ("3 values <= 0 not shown on the log y axis")
  empty: boolean; // no series has a drawable point
  maxRows: number; // the longest line handed to the renderer
}

/** Reused state of one chart between frames. */
export class ChartCache {
  readonly smoothing = new SmoothingCache();
  private buffers = new Map<string, Downsampled>();
  private indexes = new Map<string, { tag: number; ix: ChunkIndex }>();

  /** The chunk summary of a series, brought up to date (only new chunks are summarised). A new `tag` (the
   *  smoothing weight of a smoothed series) starts a new summary: the values changed everywhere. */
  index(key: string, xs: ArrayLike<number>, ys: ArrayLike<number>, tag = 0): ChunkIndex {
    let entry = this.indexes.get(key);
    if (!entry || entry.tag !== tag) this.indexes.set(key, (entry = { tag, ix: new ChunkIndex() }));
    entry.ix.update(xs, ys);
    return entry.ix;
  }

  buffer(key: string, buckets: number): Downsampled {
    let b = this.buffers.get(key);
    if (!b || b.x.length < 2 * buckets + 4) this.buffers.set(key, (b = allocDownsampled(buckets)));
    return b;
  }

  retain(keys: Set<string>): void {
    this.smoothing.retain(keys);
    for (const k of this.buffers.keys()) if (!keys.has(k.split('#')[0])) this.buffers.delete(k);
    for (const k of this.indexes.keys()) if (!keys.has(k.split('#')[0])) this.indexes.delete(k);
  }
}

export interface ModelOptions {
  width: number; // plot width in px (buckets = width / pxPerBucket)
  height: number; // plot height in px (for the tick count)
  xRange?: [number, number] | null; // zoom; null = everything
  pxPerBucket?: number; // default 1
}

function plural(n: number, one: string, many = one + 's'): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function buildChartModel(
  inputs: readonly SeriesInput[],
  view: ChartView,
  opts: ModelOptions,
  cache: ChartCache = new ChartCache(),
): ChartModel {
  const buckets = Math.max(8, Math.floor(opts.width / (opts.pxPerBucket ?? 1)));
  const logX = view.logX,
    logY = view.logY;
  cache.retain(new Set(inputs.map((s) => s.key)));

  // x domain: the zoom, else everything drawable
  let ext: [number, number] | null = null;
  for (const s of inputs) {
    const e = xExtent(s.x, { logX, xScale: s.xScale });
    if (e) ext = ext ? [Math.min(ext[0], e[0]), Math.max(ext[1], e[1])] : e;
  }
  const xr = opts.xRange ?? ext;
  const xTicks = axisTicks(xr, {
    log: logX,
    count: Math.max(2, Math.round(opts.width / 70)),
    integer: view.xAxis !== 'time', // steps, tokens, MACs are counts
  });
  const [x0, x1] = xTicks.domain; // the range itself, widened when it is a single point

  let nonFinite = 0,
    nonPositive = 0,
    maxRows = 0,
    yExt: [number, number] | null = null;
  const series: ModelSeries[] = inputs.map((s) => {
    const dsOpts = { x0, x1, buckets, logX, logY, xScale: s.xScale };
    const raw = downsample(s.x, s.y, dsOpts, cache.buffer(s.key, buckets), cache.index(s.key, s.x, s.y));
    nonFinite += raw.nonFinite;
    nonPositive += raw.nonPositive;
    const grow = (e: [number, number] | null) => {
      if (e) yExt = yExt ? [Math.min(yExt[0], e[0]), Math.max(yExt[1], e[1])] : e;
    };
    grow(yExtent(raw, x0, x1, true)); // the lines set the y range; a band may reach past it (clipped)
    let hasBand = false;
    for (let i = 0; i < raw.n && !hasBand; i++) hasBand = raw.count[i] > 1;
    let smoothed: Downsampled | null = null;
    if (s.smooth && view.smoothing > 0 && s.y.length > 1) {
      const sm = cache.smoothing.get(s.key, s.y, s.steps, view.smoothing);
      const k = `${s.key}#smooth`;
      smoothed = downsample(s.x, sm, dsOpts, cache.buffer(k, buckets), cache.index(k, s.x, sm, view.smoothing));
      grow(yExtent(smoothed, x0, x1, true));
    }
    maxRows = Math.max(maxRows, raw.n, smoothed?.n ?? 0);
    return {
      key: s.key,
      label: s.label,
      color: s.color,
      dash: s.dash,
      raw,
      smoothed,
      hasBand: s.band && hasBand,
      dots: raw.n <= 40,
      points: s.y.length,
    };
  });

  const yTicks = axisTicks(yExt, { log: logY, count: Math.max(2, Math.round(opts.height / 35)), pad: 0.04 });
  const notes: string[] = [];
  if (nonPositive > 0)
    notes.push(
      `${plural(nonPositive, 'value')} ≤ 0 not shown on the log ${logX && logY ? 'axes' : logX ? 'x axis' : 'y axis'}`,
    );
  if (nonFinite > 0) notes.push(`${plural(nonFinite, 'NaN/∞ value')} shown as gaps`);
  return {
    x: xTicks,
    y: yTicks,
    series,
    notes,
    empty: yExt === null,
    maxRows,
  };
}

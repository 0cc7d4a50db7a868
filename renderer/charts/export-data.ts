// A chart's data as CSV and JSON: every point at full resolution (not the downsampled view), the raw value and the
// smoothed one side by side (with the smoothing weight named), plus the x columns (step, tokens, time, MACs). Pure.
import { emaSmooth } from './smoothing';
import type { SeriesInput } from './chart-model';

export interface ExportMeta {
  title: string; // the chart ("loss")
  xAxis: string;
  smoothing: number;
}

export interface ExportedSeries {
  key: string;
  label: string;
  columns: Record<string, (number | null)[]>; // x columns, then "value" and "smoothed"
}

export interface ExportedChart extends ExportMeta {
  format: 'switchhead-chart-data';
  version: 1;
  series: ExportedSeries[];
}

const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** The series as plain columns (NaN and ±Infinity become null). */
export function exportSeries(inputs: readonly SeriesInput[], smoothing: number): ExportedSeries[] {
  return inputs.map((s) => {
    const n = s.y.length;
    const columns: Record<string, (number | null)[]> = {};
    for (const [name, col] of Object.entries(s.exportColumns ?? { x: s.x })) columns[name] = Array.from(col, num);
    const step = s.exportColumns?.step;
    if (step && s.macsPerStep) columns.attention_macs = Array.from(step, (v) => num(v * s.macsPerStep!));
    columns.value = Array.from(s.y, num);
    const sm = s.smooth && smoothing > 0 ? emaSmooth(s.y, smoothing, s.steps) : null;
    columns.smoothed = sm ? Array.from(sm, num) : new Array<number | null>(n).fill(null);
    return { key: s.key, label: s.label, columns };
  });
}

export function chartToJson(inputs: readonly SeriesInput[], meta: ExportMeta): string {
  const doc: ExportedChart = {
    format: 'switchhead-chart-data',
    version: 1,
    ...meta,
    series: exportSeries(inputs, meta.smoothing),
  };
  return JSON.stringify(doc);
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Long format: one row per point, `series,<x columns...>,value,smoothed`; missing values are empty cells. */
export function chartToCsv(inputs: readonly SeriesInput[], meta: ExportMeta): string {
  const series = exportSeries(inputs, meta.smoothing);
  const names: string[] = [];
  for (const s of series) for (const c of Object.keys(s.columns)) if (!names.includes(c)) names.push(c);
  const cols = [...names.filter((c) => c !== 'value' && c !== 'smoothed'), 'value', 'smoothed'];
  const lines = [['series', ...cols].join(',')];
  for (const s of series) {
    const n = s.columns.value.length;
    const label = field(s.label);
    for (let i = 0; i < n; i++) {
      let line = label;
      for (const c of cols) {
        const v = s.columns[c]?.[i];
        line += ',' + (v === null || v === undefined ? '' : String(v));
      }
      lines.push(line);
    }
  }
  return lines.join('\n') + '\n';
}

/** A file name from a chart title: "loss (3 runs)" -> "loss-3-runs". */
export function exportFileName(title: string, ext: string): string {
  const base =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'chart';
  return `${base}.${ext}`;
}

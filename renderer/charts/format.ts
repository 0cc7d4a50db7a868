// Number formatting for axes, readouts and tooltips: SI suffixes (1.06M), grouped counts (2,015 tok/s), durations
// (1m32s), and tick labels with just enough decimals for the tick spacing. Pure; no locale surprises (en-US).

const SI = [
  { p: 1e12, s: 'T' },
  { p: 1e9, s: 'G' },
  { p: 1e6, s: 'M' },
  { p: 1e3, s: 'k' },
];

/** Up to `digits` significant digits, trailing zeros dropped: 1.06, 12.3, 0.000123. */
export function formatSignificant(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return formatNonFinite(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-2 && a < 1e6) return String(Number(x.toPrecision(digits)));
  return Number(x.toPrecision(digits))
    .toExponential()
    .replace(/\.?0+e/, 'e')
    .replace('e+', 'e');
}

/** 1.06M, 9.8G, 1.5k, 950, 0.25 (three significant digits; SI prefixes from k upwards). */
export function formatSI(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return formatNonFinite(x);
  const a = Math.abs(x);
  for (const { p, s } of SI) {
    if (a >= p * 0.9995) {
      // the 0.9995 threshold sends 999,600 to "1M", never "1000k"
      return `${Number((x / p).toPrecision(digits))}${s}`;
    }
  }
  return formatSignificant(x, digits);
}

/** Grouped integer: 2,015. */
export function formatCount(x: number): string {
  if (!Number.isFinite(x)) return formatNonFinite(x);
  return Math.round(x).toLocaleString('en-US');
}

/** Seconds as 4.5s, 45s, 1m32s, 1h05m, 2d03h. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatNonFinite(seconds);
  const neg = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  if (s < 10) return `${neg}${Number(s.toFixed(s < 1 ? 2 : 1))}s`;
  s = Math.round(s);
  if (s < 60) return `${neg}${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const m = Math.floor(s / 60);
  if (m < 60) return `${neg}${m}m${pad(s % 60)}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${neg}${h}h${pad(m % 60)}m`;
  return `${neg}${Math.floor(h / 24)}d${pad(h % 24)}h`;
}

function formatNonFinite(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : '-∞';
}

/** Decimals needed to tell ticks `step` apart (0.25 -> 2, 0.5 -> 1, 5 -> 0). */
export function decimalsFor(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) return 0;
  let d = 0;
  while (d < 12 && Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) > 1e-6 * 10 ** d * step) d++;
  return d;
}

/** What a number on an axis is: picks the formatter. */
export type ValueKind = 'count' | 'si' | 'duration' | 'plain' | 'percent';

/** A tick label formatter for ticks spaced `step` apart. */
export function tickFormatter(kind: ValueKind, step: number): (v: number) => string {
  switch (kind) {
    case 'duration':
      return formatDuration;
    case 'percent':
      return (v) => `${(v * 100).toFixed(Math.max(0, decimalsFor(step * 100)))}%`;
    case 'count':
      return (v) => (Math.abs(v) >= 1e4 ? formatSI(v) : formatCount(v));
    case 'si':
      return (v) => (Math.abs(v) >= 1e3 ? formatSI(v) : formatPlain(v, step));
    case 'plain':
      return (v) => formatPlain(v, step);
  }
}

function formatPlain(v: number, step: number): string {
  const a = Math.abs(v);
  if (a === 0 && step < 1e-2) return '0'; // beside 2.5e-4, 5e-4: not 0.00000
  if (a !== 0 && (a >= 1e6 || a < 1e-2)) return formatSignificant(v, 3); // 1e-3, 7.5e-4: learning rates
  return v.toFixed(Math.min(decimalsFor(step), 8));
}

/** A readout value (hover, legend): significant digits by default, the axis kind's own format otherwise. */
export function formatValue(v: number | null | undefined, kind: ValueKind = 'plain'): string {
  if (v === null || v === undefined) return '–';
  if (!Number.isFinite(v)) return formatNonFinite(v);
  switch (kind) {
    case 'duration':
      return formatDuration(v);
    case 'count':
      return formatCount(v);
    case 'si':
      return formatSI(v);
    case 'percent':
      return `${Number((v * 100).toPrecision(3))}%`;
    case 'plain':
      return formatSignificant(v, 4);
  }
}

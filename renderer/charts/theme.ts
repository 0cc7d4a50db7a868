// Chart colours from the app's theme: CSS custom properties on <html data-theme="light|dark"> (renderer/styles/
// theme.css: --text, --text-2, --surface, --border, --chart-grid, --chart-axis, --chart-raw-opacity, ...). SVG attributes cannot use var(), and exported files must stand alone, so charts resolve the variables to
// plain colours here, with sensible defaults when one is missing. `useChartTheme` re-renders on a theme switch
// (the data-theme attribute, the class or style of <html>, or the system setting when following it).
import { useSyncExternalStore } from 'react';
import type { ThemeMode } from './palette';

export interface ChartTheme {
  mode: ThemeMode;
  fg: string; // text
  fgMuted: string; // axis labels, secondary text
  bg: string; // page background
  surface: string; // card / chart background
  border: string; // frames
  grid: string; // grid lines
  accent: string; // focus, selection
  fontFamily: string;
  monoFamily: string;
  rawOpacity: number; // the raw line under a smoothed one
}

const SANS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const MONO = 'ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace';

export const DEFAULT_THEMES: Record<ThemeMode, ChartTheme> = {
  light: {
    mode: 'light',
    fg: '#1d2129',
    fgMuted: '#5b6270',
    bg: '#f6f7f9',
    surface: '#ffffff',
    border: '#d9dce2',
    grid: '#eceef2',
    accent: '#2f6fde',
    fontFamily: SANS,
    monoFamily: MONO,
    rawOpacity: 0.3,
  },
  dark: {
    mode: 'dark',
    fg: '#e4e7ec',
    fgMuted: '#9aa2b1',
    bg: '#121418',
    surface: '#1a1d23',
    border: '#343a45',
    grid: '#272b33',
    accent: '#6ea2ff',
    fontFamily: SANS,
    monoFamily: MONO,
    rawOpacity: 0.3,
  },
};

/** Relative luminance of a CSS colour in #rgb / #rrggbb / rgb() form (null when it cannot tell). */
export function luminance(color: string): number | null {
  const c = color.trim();
  let rgb: number[] | null = null;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((x) => x + x).join('') : hex[1];
    rgb = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else {
    const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
    if (m) rgb = [m[1], m[2], m[3]].map(Number);
  }
  if (!rgb) return null;
  const lin = rgb.map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/** Light or dark from <html data-theme>, else from the system preference. */
function declaredMode(): ThemeMode {
  const attr = document.documentElement.dataset.theme;
  if (attr === 'light' || attr === 'dark') return attr;
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Resolve the theme now (reads computed styles: call on changes, not per frame). */
export function readChartTheme(): ChartTheme {
  if (typeof document === 'undefined') return DEFAULT_THEMES.light;
  const style = getComputedStyle(document.documentElement);
  const v = (name: string) => style.getPropertyValue(name).trim();
  const bgVar = v('--bg');
  const bgLum = bgVar ? luminance(bgVar) : null;
  const mode: ThemeMode = bgLum !== null ? (bgLum < 0.2 ? 'dark' : 'light') : declaredMode();
  const d = DEFAULT_THEMES[mode];
  return {
    mode,
    fg: v('--fg') || v('--text') || d.fg,
    fgMuted: v('--fg-muted') || v('--chart-axis') || v('--text-2') || d.fgMuted,
    bg: bgVar || d.bg,
    surface: v('--surface') || d.surface,
    border: v('--border-strong') || v('--border') || d.border,
    grid: v('--chart-grid') || v('--grid') || d.grid,
    accent: v('--accent') || d.accent,
    fontFamily: v('--font-sans') || v('--font-ui') || d.fontFamily,
    monoFamily: v('--font-mono') || d.monoFamily,
    rawOpacity: Number(v('--chart-raw-opacity')) || d.rawOpacity,
  };
}

// ---- one shared subscription for every chart ----

let current: ChartTheme | null = null;
const listeners = new Set<() => void>();
let stop: (() => void) | null = null;

function refresh(): void {
  const next = readChartTheme();
  if (current && JSON.stringify(next) === JSON.stringify(current)) return;
  current = next;
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (!stop && typeof document !== 'undefined') {
    const mo = new MutationObserver(refresh);
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
    const mq = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;
    mq?.addEventListener('change', refresh);
    stop = () => {
      mo.disconnect();
      mq?.removeEventListener('change', refresh);
    };
    refresh(); // the theme may have changed while nobody was watching
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && stop) {
      stop();
      stop = null;
    }
  };
}

function snapshot(): ChartTheme {
  return (current ??= readChartTheme()); // the same object until `refresh` sees a change
}

/** The resolved chart theme; components re-render when it changes. */
export function useChartTheme(): ChartTheme {
  return useSyncExternalStore(subscribe, snapshot, () => DEFAULT_THEMES.light);
}

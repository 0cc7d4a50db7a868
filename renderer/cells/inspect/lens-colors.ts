// The lens's colours, from the app theme: one sequential scale for gates (blues), another hue for attention weights
// (oranges, square-root transfer so small weights stay visible), outlines in the text colour with a surface-coloured
// inner line (visible on light and dark cells). Tables are built once per theme mode.
import { buildLut } from '../../canvas/color-lut';
import type { Transfer } from '../../canvas/matrix-image';
import { sequentialColor, type ThemeMode } from '../../charts/palette';
import type { ChartTheme } from '../../charts/theme';

export interface LensColors {
  gate: Uint8ClampedArray;
  attention: Uint8ClampedArray;
  gateTransfer: Transfer;
  attentionTransfer: Transfer;
  outline: string;
  outlineInner: string;
  text: string;
  muted: string;
  surface: string;
  font: string;
  mono: string;
}

const luts = new Map<ThemeMode, { gate: Uint8ClampedArray; attention: Uint8ClampedArray }>();

function tables(mode: ThemeMode) {
  let t = luts.get(mode);
  if (!t) {
    t = { gate: buildLut(sequentialColor('gate', mode)), attention: buildLut(sequentialColor('attention', mode)) };
    luts.set(mode, t);
  }
  return t;
}

const cache = new WeakMap<ChartTheme, LensColors>();

/** The lens colours of a resolved chart theme (the same object for the same theme: memo-friendly). */
export function lensColors(theme: ChartTheme): LensColors {
  let c = cache.get(theme);
  if (!c) {
    c = {
      ...tables(theme.mode),
      gateTransfer: 'linear',
      attentionTransfer: 'sqrt',
      outline: theme.mode === 'light' ? '#111318' : '#ffffff',
      outlineInner: theme.mode === 'light' ? '#ffffff' : '#111318',
      text: theme.fg,
      muted: theme.fgMuted,
      surface: theme.surface,
      font: theme.fontFamily,
      mono: theme.monoFamily,
    };
    cache.set(theme, c);
  }
  return c;
}

export const GATE_TICKS = [0, 0.25, 0.5, 0.75, 1] as const;
export const ATTENTION_TICKS = [0, 0.05, 0.25, 0.5, 1] as const;

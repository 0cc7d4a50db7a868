// Colours that carry meaning. Runs: the Okabe-Ito qualitative palette (designed to stay distinct for the common
// colour-vision deficiencies; test/renderer/charts-palette.test.ts checks it under simulated protan-, deutan- and
// tritanopia and against both theme backgrounds), ordered so run i keeps its hue family in both themes. Experts:
// one colour per expert id, kept across time and charts. Gates and usage: sequential scales from d3-scale-chromatic,
// light = 0 and strong = 1 in the light theme, dark = 0 and bright = 1 in the dark one.
import { interpolateBlues, interpolateOranges, interpolateTurbo } from 'd3-scale-chromatic';

export type ThemeMode = 'light' | 'dark';

/** Okabe & Ito (2008), "Color Universal Design"; the light theme replaces yellow (too faint on white) with a grey. */
export const RUN_PALETTE: Record<ThemeMode, readonly string[]> = {
  light: ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#404040'],
  dark: ['#56B4E9', '#E69F00', '#009E73', '#CC79A7', '#F0E442', '#D55E00', '#0072B2'],
};

/** The colour of the i-th run of a chart (cycles after seven; `override` wins: a user-chosen colour). */
export function runColor(i: number, mode: ThemeMode, override?: string | null): string {
  if (override) return override;
  const p = RUN_PALETTE[mode];
  return p[((i % p.length) + p.length) % p.length];
}

/** A dash pattern for runs past the palette's length, so the eighth run is not the first one again. */
export function runDash(i: number): string | undefined {
  const cycle = Math.floor(i / RUN_PALETTE.light.length);
  return cycle === 0 ? undefined : ['6 3', '2 3', '8 3 2 3'][(cycle - 1) % 3];
}

/** Colour of expert `e` of `nExperts` (identity: the same expert has the same colour in every chart and step). */
export function expertColor(e: number, nExperts: number, mode: ThemeMode): string {
  if (nExperts <= RUN_PALETTE[mode].length) return runColor(e, mode);
  // many experts: evenly spaced along turbo (ordered hues; neighbours in the stack are neighbours in hue)
  const t = nExperts > 1 ? e / (nExperts - 1) : 0.5;
  return interpolateTurbo(0.08 + 0.84 * t);
}

export type SequentialName = 'gate' | 'attention';

/** A sequential scale on [0, 1] for gates / usage ('gate', blues) or attention weights ('attention', oranges). */
export function sequentialColor(name: SequentialName, mode: ThemeMode): (v: number) => string {
  const interp = name === 'gate' ? interpolateBlues : interpolateOranges;
  return (v: number) => {
    const t = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
    return mode === 'light' ? interp(0.04 + 0.96 * t) : interp(1 - (0.04 + 0.92 * t));
  };
}

/** "#RRGGBB" -> [r, g, b] in 0..255 (for canvas ImageData and alpha blends). */
export function parseHex(hex: string): [number, number, number] {
  const h = hex.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const n = parseInt(full.slice(0, 6), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

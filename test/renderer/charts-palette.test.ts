// The run palette stays distinct for the common colour-vision deficiencies and readable on both theme backgrounds.
// Simulation: Machado, Oliveira & Fernandes (2009) matrices at severity 1, applied in linear RGB; distance: CIEDE2000.
import { describe, expect, it } from 'vitest';
import { RUN_PALETTE, expertColor, parseHex, runColor, runDash, sequentialColor } from '../../renderer/charts/palette';
import { DEFAULT_THEMES, luminance } from '../../renderer/charts/theme';

type Vec = [number, number, number];
const MACHADO: Record<string, number[][] | null> = {
  normal: null,
  protanopia: [
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
  ],
  deuteranopia: [
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.01182, 0.04294, 0.968881],
  ],
  tritanopia: [
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.3039],
  ],
};

const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

function simulate(hex: string, kind: string): Vec {
  const c = parseHex(hex).map((v) => toLinear(v / 255)) as Vec;
  const m = MACHADO[kind];
  if (!m) return c;
  return m.map((r) => Math.min(1, Math.max(0, r[0] * c[0] + r[1] * c[1] + r[2] * c[2]))) as Vec;
}

function lab([r, g, b]: Vec): Vec {
  const X = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  const Y = 0.2126729 * r + 0.7151522 * g + 0.072175 * b;
  const Z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(Y) - 16, 500 * (f(X) - f(Y)), 200 * (f(Y) - f(Z))];
}

/** CIEDE2000 (Sharma, Wu & Dalal 2005). */
function deltaE2000([L1, a1, b1]: Vec, [L2, a2, b2]: Vec): number {
  const rad = Math.PI / 180;
  const Cb = (Math.hypot(a1, b1) + Math.hypot(a2, b2)) / 2;
  const G = 0.5 * (1 - Math.sqrt(Cb ** 7 / (Cb ** 7 + 25 ** 7)));
  const a1p = (1 + G) * a1,
    a2p = (1 + G) * a2;
  const C1 = Math.hypot(a1p, b1),
    C2 = Math.hypot(a2p, b2);
  const hue = (b: number, a: number) => (a === 0 && b === 0 ? 0 : (Math.atan2(b, a) / rad + 360) % 360);
  const h1 = hue(b1, a1p),
    h2 = hue(b2, a2p);
  const dh = C1 * C2 === 0 ? 0 : Math.abs(h2 - h1) <= 180 ? h2 - h1 : h2 - h1 > 180 ? h2 - h1 - 360 : h2 - h1 + 360;
  const dH = 2 * Math.sqrt(C1 * C2) * Math.sin((dh * rad) / 2);
  const Lb = (L1 + L2) / 2,
    Cbp = (C1 + C2) / 2;
  const hb =
    C1 * C2 === 0 ? h1 + h2 : Math.abs(h1 - h2) <= 180 ? (h1 + h2) / 2 : (h1 + h2 + (h1 + h2 < 360 ? 360 : -360)) / 2;
  const T =
    1 -
    0.17 * Math.cos((hb - 30) * rad) +
    0.24 * Math.cos(2 * hb * rad) +
    0.32 * Math.cos((3 * hb + 6) * rad) -
    0.2 * Math.cos((4 * hb - 63) * rad);
  const SL = 1 + (0.015 * (Lb - 50) ** 2) / Math.sqrt(20 + (Lb - 50) ** 2),
    SC = 1 + 0.045 * Cbp,
    SH = 1 + 0.015 * Cbp * T;
  const RT =
    -Math.sin(2 * 30 * Math.exp(-(((hb - 275) / 25) ** 2)) * rad) * 2 * Math.sqrt(Cbp ** 7 / (Cbp ** 7 + 25 ** 7));
  const l = (L2 - L1) / SL,
    c = (C2 - C1) / SC,
    h = dH / SH;
  return Math.sqrt(l * l + c * c + h * h + RT * c * h);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a)!, luminance(b)!].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('run palette', () => {
  it('CIEDE2000 matches a published test pair (Sharma et al., pair 1: 2.0425)', () => {
    expect(deltaE2000([50, 2.6772, -79.7751], [50, 0, -82.7485])).toBeCloseTo(2.0425, 4);
  });

  for (const mode of ['light', 'dark'] as const) {
    it(`${mode}: every pair of run colours stays apart (ΔE2000 ≥ 10) for normal, protan, deutan and tritan vision`, () => {
      const pal = RUN_PALETTE[mode];
      expect(new Set(pal).size).toBe(pal.length);
      for (const kind of Object.keys(MACHADO)) {
        let min = Infinity;
        for (let i = 0; i < pal.length; i++)
          for (let j = i + 1; j < pal.length; j++)
            min = Math.min(min, deltaE2000(lab(simulate(pal[i], kind)), lab(simulate(pal[j], kind))));
        expect(min, `${mode} ${kind}`).toBeGreaterThanOrEqual(10);
      }
    });

    it(`${mode}: the first four run colours have 3:1 contrast with the chart surface, all have 2:1 on the page`, () => {
      const { surface, bg } = DEFAULT_THEMES[mode];
      RUN_PALETTE[mode].forEach((c, i) => {
        expect(contrast(c, surface), `${c} on ${surface}`).toBeGreaterThanOrEqual(i < 4 ? 3 : 2);
        expect(contrast(c, bg), `${c} on ${bg}`).toBeGreaterThanOrEqual(2);
      });
    });
  }

  it('cycles with dashes after the palette, and honours a chosen colour', () => {
    expect(runColor(0, 'light')).toBe(RUN_PALETTE.light[0]);
    expect(runColor(7, 'light')).toBe(RUN_PALETTE.light[0]);
    expect(runDash(0)).toBeUndefined();
    expect(runDash(7)).toBeDefined();
    expect(runColor(2, 'dark', '#123456')).toBe('#123456');
  });

  it('gives experts stable, distinct colours and sequential scales run light-to-strong', () => {
    const many = Array.from({ length: 16 }, (_, e) => expertColor(e, 16, 'dark'));
    expect(new Set(many).size).toBe(16);
    expect(expertColor(3, 5, 'light')).toBe(RUN_PALETTE.light[3]);
    const rgbLum = (s: string) => luminance(s)!;
    const light = sequentialColor('gate', 'light'),
      dark = sequentialColor('gate', 'dark');
    expect(rgbLum(light(0))).toBeGreaterThan(rgbLum(light(1)));
    expect(rgbLum(dark(0))).toBeLessThan(rgbLum(dark(1)));
    expect(light(NaN)).toBe(light(0));
  });
});

// Colour lookup tables for canvas heatmaps: 256 RGBA entries sampled from a colour scale on [0, 1] (a
// d3-scale-chromatic interpolator answers "rgb(r, g, b)" strings, a palette "#rrggbb"), so filling an ImageData is one
// table read per cell. Pure (no DOM): colour strings are parsed here.

export const LUT_SIZE = 256;

/** "#rgb", "#rrggbb", "rgb(r, g, b)" or "rgba(r, g, b, a)" -> [r, g, b, a] in 0..255 (null: not understood). */
export function parseColor(css: string): [number, number, number, number] | null {
  const c = css.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((x) => x + x).join('') : hex[1];
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), 255];
  }
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:[\s,/]+([\d.]+))?\s*\)$/i.exec(c);
  if (!m) return null;
  const a = m[4] === undefined ? 1 : Number(m[4]);
  return [Number(m[1]), Number(m[2]), Number(m[3]), Math.round(a * 255)].map((v) => Math.round(v)) as [
    number,
    number,
    number,
    number,
  ];
}

/** A 256-entry RGBA table of `scale` at t = i / 255. */
export function buildLut(scale: (t: number) => string): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(LUT_SIZE * 4);
  for (let i = 0; i < LUT_SIZE; i++) {
    const rgba = parseColor(scale(i / (LUT_SIZE - 1)));
    if (!rgba) throw new Error(`colour scale gave "${scale(i / (LUT_SIZE - 1))}", not a colour`);
    lut.set(rgba, i * 4);
  }
  return lut;
}

/** "#rrggbb" of entry i of a table (for SVG export and legends). */
export function lutHex(lut: Uint8ClampedArray, i: number): string {
  const o = Math.max(0, Math.min(LUT_SIZE - 1, i)) * 4;
  return '#' + [lut[o], lut[o + 1], lut[o + 2]].map((v) => v.toString(16).padStart(2, '0')).join('');
}

// A matrix as pixels: one pixel per cell (row-major [rows, cols]), the value mapped through a transfer function
// onto a colour table. NaN means "no value" (e.g. the causal half of an attention matrix): transparent, so the
// surface shows through. Pure: fills a plain Uint8ClampedArray that becomes an ImageData.
import { LUT_SIZE } from './color-lut';

/** How a value becomes a position on the colour scale: linear on [0, 1], or square root (small weights stay visible). */
export type Transfer = 'linear' | 'sqrt';

/** Position on the colour scale (0..1) of a value in [0, 1] under a transfer. */
export function transferOf(kind: Transfer): (v: number) => number {
  return kind === 'sqrt' ? (v) => Math.sqrt(Math.max(0, v)) : (v) => v;
}

/** The table index of a value: clamped to [0, 1] after the transfer. */
export function lutIndex(v: number, kind: Transfer): number {
  const t = kind === 'sqrt' ? Math.sqrt(Math.max(0, v)) : v;
  return Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1));
}

/** RGBA pixels [rows * cols * 4] of `values` [rows * cols]; NaN cells transparent. */
export function fillMatrixPixels(
  values: Float32Array,
  lut: Uint8ClampedArray,
  transfer: Transfer,
  out: Uint8ClampedArray = new Uint8ClampedArray(values.length * 4),
): Uint8ClampedArray {
  if (out.length !== values.length * 4)
    throw new Error(`pixel buffer holds ${out.length / 4} cells, not ${values.length}`);
  const sqrt = transfer === 'sqrt';
  const top = LUT_SIZE - 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * 4;
    if (v !== v) {
      out[o + 3] = 0; // NaN: no value
      continue;
    }
    let t = sqrt ? Math.sqrt(v > 0 ? v : 0) : v;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const l = ((t * top + 0.5) | 0) * 4;
    out[o] = lut[l];
    out[o + 1] = lut[l + 1];
    out[o + 2] = lut[l + 2];
    out[o + 3] = lut[l + 3];
  }
  return out;
}

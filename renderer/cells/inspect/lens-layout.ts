// The lens's geometry from the width it has: one cell size for the token axes (the attention matrix's rows and
// columns, the destination/MLP heatmaps' rows, the source heatmap's columns share it, so they line up) and one for
// the expert axes; label margins that fit the longest token. Pure.
import { labelFontPx } from '../../canvas/axis-labels';

export const CELL_MIN = 2;
export const CELL_MAX = 28;
export const GAP = 12;

export interface LensGeometry {
  T: number;
  cell: number; // px per token (matrix cells are cell x cell)
  expertCell: number; // px per expert
  labelDepth: number; // px of token labels left of the matrix and above it
  right: number[]; // E of each heatmap right of the matrix (destination side, MLP)
  bottom: number | null; // E of the heatmap under the matrix (source side)
  width: number; // total px
  height: number;
}

/** px a label of `chars` characters takes at the font size of `cell`-sized slots (with its margin). */
export function labelDepthFor(chars: number, cell: number): number {
  const px = labelFontPx(cell);
  return Math.ceil(Math.min(110, Math.max(44, 8 + chars * px * 0.62)));
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/**
 * The largest token cell that fits `width`: label margin + T cells + for each right heatmap a gap and E expert
 * cells. `maxChars` is the longest displayed token.
 */
export function lensGeometry(
  width: number,
  T: number,
  right: number[],
  bottom: number | null,
  maxChars: number,
): LensGeometry {
  const experts = right.reduce((a, b) => a + b, 0);
  const gaps = right.length * GAP;
  let expertCell = 16;
  let cell = CELL_MIN;
  let labelDepth = labelDepthFor(maxChars, CELL_MAX);
  for (let pass = 0; pass < 3; pass++) {
    const free = width - labelDepth - gaps - experts * expertCell - 2;
    cell = clamp(Math.floor(free / Math.max(1, T)), CELL_MIN, CELL_MAX);
    expertCell = clamp(cell, 14, 22);
    labelDepth = labelDepthFor(maxChars, cell);
  }
  const height = labelDepth + T * cell + (bottom ? GAP + bottom * expertCell : 0);
  return {
    T,
    cell,
    expertCell,
    labelDepth,
    right,
    bottom,
    width: labelDepth + T * cell + gaps + experts * expertCell,
    height,
  };
}

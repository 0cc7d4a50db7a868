// Which cell of a grid a pointer is over: arithmetic on the element's rectangle, O(1) however many cells (vitessce's
// heatmap does this; nivo's cells.find() does not). Pure.

export interface GridCell {
  row: number;
  col: number;
}

/** The cell under (x, y), in CSS pixels relative to the grid's top-left corner; null outside the grid. */
export function cellAt(
  x: number,
  y: number,
  width: number,
  height: number,
  rows: number,
  cols: number,
): GridCell | null {
  if (!(width > 0 && height > 0) || rows <= 0 || cols <= 0) return null;
  if (x < 0 || y < 0 || x >= width || y >= height) return null;
  return {
    row: Math.min(rows - 1, Math.floor((y / height) * rows)),
    col: Math.min(cols - 1, Math.floor((x / width) * cols)),
  };
}

/** A grid index moved by `delta`, kept inside 0..n-1 (keyboard navigation). */
export function stepIndex(i: number | null, delta: number, n: number): number {
  if (n <= 0) return 0;
  if (i === null) return delta >= 0 ? 0 : n - 1;
  return Math.max(0, Math.min(n - 1, i + delta));
}

// The heatmap primitive (UI-ANCHORS §6, rules 5-8): the matrix drawn once into a data-resolution canvas (one pixel per
// cell, ImageData) and scaled by CSS with `image-rendering: pixelated`; outlines (e.g. the chosen top-k) on a separate
// overlay canvas sized for the device pixel ratio; the hovered row/column as two positioned boxes that follow a
// pointer store (only they re-render on hover). Hit-testing is arithmetic (O(1)). The image is redrawn only when the
// values, colour table or transfer change; the overlay only when the outlines, cell size or ratio change.
import './heatmap.css';
import { memo, useLayoutEffect, useRef, type CSSProperties, type PointerEvent } from 'react';
import { prepareCanvas, useDevicePixelRatio } from './dpr';
import type { PointerStore } from './highlight';
import { usePointer } from './highlight';
import { cellAt, type GridCell } from './hit-test';
import { fillMatrixPixels, type Transfer } from './matrix-image';

export interface Band {
  row: number | null;
  col: number | null;
}

export interface HeatmapHighlight<T> {
  store: PointerStore<T>;
  /** Which row and column of this heatmap the store's value points at (a stable function). */
  select: (v: T) => Band;
}

export interface HeatmapProps<T = unknown> {
  label: string; // accessible name
  rows: number;
  cols: number;
  values: Float32Array; // [rows * cols] row-major; NaN = no value
  lut: Uint8ClampedArray;
  transfer: Transfer;
  cellW: number; // CSS px per column
  cellH: number; // CSS px per row
  /** [rows * cols]: 1 = outline the cell (e.g. a chosen expert). */
  outlines?: Uint8Array | null;
  /** [rows * cols]: 1 = a dashed outline (e.g. chosen before an intervention moved it). */
  ghosts?: Uint8Array | null;
  outlineColor: string;
  outlineInner: string;
  highlight?: HeatmapHighlight<T>;
  onHover?: (cell: GridCell | null) => void;
  onPick?: (cell: GridCell, at: { x: number; y: number }) => void;
  /** data-* attributes for tests and tools (e.g. the outline count). */
  data?: Record<string, string | number>;
}

function countOf(mask: Uint8Array | null | undefined): number {
  let n = 0;
  if (mask) for (let i = 0; i < mask.length; i++) n += mask[i] ? 1 : 0;
  return n;
}

function drawOutlines(ctx: CanvasRenderingContext2D, p: HeatmapProps, cols: number): void {
  const { cellW: w, cellH: h } = p;
  const small = Math.min(w, h) < 7;
  const strokeMask = (mask: Uint8Array, color: string, inset: number, width: number, dash: number[]) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.setLineDash(dash);
    ctx.beginPath();
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      const x = (i % cols) * w,
        y = Math.floor(i / cols) * h;
      ctx.rect(x + inset, y + inset, Math.max(0.5, w - 2 * inset), Math.max(0.5, h - 2 * inset));
    }
    ctx.stroke();
  };
  if (p.ghosts) strokeMask(p.ghosts, p.outlineColor, small ? 0.5 : 1.5, 1, small ? [] : [2, 2]);
  if (p.outlines) {
    strokeMask(p.outlines, p.outlineColor, small ? 0.5 : 1, small ? 1 : 2, []);
    if (!small) strokeMask(p.outlines, p.outlineInner, 2.5, 1, []); // two tones: visible on light and dark cells
  }
  ctx.setLineDash([]);
}

function Bands<T>({ highlight, cellW, cellH }: { highlight: HeatmapHighlight<T>; cellW: number; cellH: number }) {
  const row = usePointer(highlight.store, (v) => highlight.select(v).row);
  const col = usePointer(highlight.store, (v) => highlight.select(v).col);
  const rowStyle: CSSProperties = { left: 0, right: 0, top: (row ?? 0) * cellH, height: cellH };
  const colStyle: CSSProperties = { top: 0, bottom: 0, left: (col ?? 0) * cellW, width: cellW };
  return (
    <>
      {row !== null && <div className="hm-band" style={rowStyle} />}
      {col !== null && <div className="hm-band" style={colStyle} />}
    </>
  );
}

function HeatmapImpl<T>(p: HeatmapProps<T>) {
  const { rows, cols, values, lut, transfer, cellW, cellH } = p;
  const data = useRef<HTMLCanvasElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const last = useRef<string>('');
  const dpr = useDevicePixelRatio();
  const width = cols * cellW,
    height = rows * cellH;

  useLayoutEffect(() => {
    const c = data.current;
    if (!c || rows === 0 || cols === 0) return;
    if (c.width !== cols) c.width = cols;
    if (c.height !== rows) c.height = rows;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(cols, rows);
    fillMatrixPixels(values, lut, transfer, img.data);
    ctx.putImageData(img, 0, 0);
  }, [values, lut, transfer, rows, cols]);

  useLayoutEffect(() => {
    const c = overlay.current;
    if (!c) return;
    const ctx = prepareCanvas(c, width, height, dpr);
    if (ctx) drawOutlines(ctx, p as HeatmapProps, cols);
    // redraw only when the outlines or the geometry change (not on hover, not on a new `values`)
  }, [p.outlines, p.ghosts, p.outlineColor, p.outlineInner, width, height, dpr, cols]);

  const pick = (e: PointerEvent<HTMLDivElement>): GridCell | null => {
    const r = e.currentTarget.getBoundingClientRect();
    return cellAt(e.clientX - r.left, e.clientY - r.top, r.width, r.height, rows, cols);
  };
  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!p.onHover) return;
    const cell = pick(e);
    const key = cell ? `${cell.row},${cell.col}` : '';
    if (key === last.current) return;
    last.current = key;
    p.onHover(cell);
  };
  const onUp = (e: PointerEvent<HTMLDivElement>) => {
    const cell = pick(e);
    if (cell && p.onPick) p.onPick(cell, { x: e.clientX, y: e.clientY });
  };
  const attrs = Object.fromEntries(Object.entries(p.data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]));
  return (
    <div
      className="hm"
      style={{ width, height }}
      onPointerMove={onMove}
      onPointerUp={onUp}
      data-rows={rows}
      data-cols={cols}
      data-outlined={countOf(p.outlines)}
      {...attrs}
    >
      <canvas ref={data} className="hm-data" role="img" aria-label={p.label} />
      <canvas ref={overlay} className="hm-overlay" aria-hidden="true" />
      {p.highlight && <Bands highlight={p.highlight} cellW={cellW} cellH={cellH} />}
    </div>
  );
}

export const Heatmap = memo(HeatmapImpl) as typeof HeatmapImpl;

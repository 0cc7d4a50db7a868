// Text labels along one axis of a heatmap (tokens, expert names), drawn on a canvas sized for the device pixel ratio:
// 256 labels cost one canvas, not 256 elements. When the cells are smaller than the text, every n-th label is drawn
// (the hover readout names every token). 'left': one label per row, right-aligned against the grid; 'top': one label
// per column, written upwards and ending at the grid.
import { memo, useLayoutEffect, useRef } from 'react';
import { prepareCanvas, useDevicePixelRatio } from './dpr';

export interface AxisLabelsProps {
  labels: readonly string[];
  side: 'left' | 'top';
  cell: number; // CSS px per label slot (a row's height or a column's width)
  depth: number; // CSS px the labels may take away from the grid
  color: string;
  font: string; // a font family
}

/** Font size for slots of `cell` px: as large as fits, between 8 and 12 px. */
export const labelFontPx = (cell: number): number => Math.max(8, Math.min(12, Math.floor(cell) - 1));

/** Draw every n-th label so neighbours do not overlap (n >= 1). */
export const labelStride = (cell: number, fontPx: number): number => Math.max(1, Math.ceil((fontPx + 1) / cell));

export const AxisLabels = memo(function AxisLabels(p: AxisLabelsProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const dpr = useDevicePixelRatio();
  const length = p.labels.length * p.cell;
  const w = p.side === 'left' ? p.depth : length;
  const h = p.side === 'left' ? length : p.depth;
  useLayoutEffect(() => {
    const c = ref.current;
    if (!c) return;
    const ctx = prepareCanvas(c, w, h, dpr);
    if (!ctx) return;
    const px = labelFontPx(p.cell);
    const stride = labelStride(p.cell, px);
    ctx.font = `${px}px ${p.font}`;
    ctx.fillStyle = p.color;
    ctx.textBaseline = 'middle';
    ctx.textAlign = p.side === 'left' ? 'right' : 'left'; // 'top': rotated, the text starts at the grid and goes up
    const max = p.depth - 4;
    for (let i = 0; i < p.labels.length; i += stride) {
      const text = fit(ctx, p.labels[i], max);
      const mid = (i + 0.5) * p.cell;
      if (p.side === 'left') ctx.fillText(text, p.depth - 4, mid);
      else {
        ctx.save();
        ctx.translate(mid, p.depth - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(text, 0, 0);
        ctx.restore();
      }
    }
  }, [p.labels, p.side, p.cell, p.depth, p.color, p.font, w, h, dpr]);
  return <canvas ref={ref} aria-hidden="true" style={{ display: 'block', flex: 'none' }} />;
});

/** The label, cut with an ellipsis to `max` px. */
function fit(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(s + '…').width > max) s = s.slice(0, -1);
  return s + '…';
}

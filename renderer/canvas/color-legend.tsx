// A colour legend with numbers: the scale's table as a gradient bar (one pixel per entry, stretched) and tick values
// placed where the transfer puts them (a square-root scale has 0.25 in the middle).
import { memo, useLayoutEffect, useRef } from 'react';
import { LUT_SIZE } from './color-lut';
import { transferOf, type Transfer } from './matrix-image';

export interface ColorLegendProps {
  title: string;
  lut: Uint8ClampedArray;
  transfer: Transfer;
  ticks: readonly number[];
  width?: number;
}

export const ColorLegend = memo(function ColorLegend({ title, lut, transfer, ticks, width = 160 }: ColorLegendProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useLayoutEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    c.width = LUT_SIZE;
    c.height = 1;
    const img = ctx.createImageData(LUT_SIZE, 1);
    img.data.set(lut);
    ctx.putImageData(img, 0, 0);
  }, [lut]);
  const at = transferOf(transfer);
  return (
    <figure className="legend" aria-label={`${title} colour scale`}>
      <figcaption className="legend-title">{title}</figcaption>
      <div className="legend-bar" style={{ width }}>
        <canvas ref={ref} aria-hidden="true" style={{ width, height: 10, imageRendering: 'pixelated' }} />
        <div className="legend-ticks" style={{ width }}>
          {ticks.map((t) => (
            <span key={t} style={{ left: `${at(t) * 100}%` }}>
              {t}
            </span>
          ))}
        </div>
      </div>
    </figure>
  );
});

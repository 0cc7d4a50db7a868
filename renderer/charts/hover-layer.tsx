// The pointer layer over a chart's plot: a cursor line and a readout of every series at the nearest point, drag to
// zoom into an x-range, double-click to reset. Its state lives here only (the chart under it never re-renders on
// hover), and pointer moves are handled at most once per animation frame.
import { memo, useCallback, useEffect, useRef, useState, type PointerEvent } from 'react';
import type { PlotRect, XScale } from './plot-geometry';

export interface ReadoutItem {
  key: string;
  label: string;
  color: string;
  value: string;
  area?: boolean; // a filled swatch (stacked areas) instead of a line
}

export interface Readout {
  x: number; // the data x the readout is for (the cursor snaps to it)
  xText: string;
  items: ReadoutItem[];
}

interface HoverProps {
  rect: PlotRect;
  width: number;
  scale: XScale;
  lookup: (x: number) => Readout | null;
  onZoom: (range: [number, number]) => void;
  onResetZoom: () => void;
}

export const HoverLayer = memo(function HoverLayer({ rect, width, scale, lookup, onZoom, onResetZoom }: HoverProps) {
  const [px, setPx] = useState<number | null>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const pending = useRef<number | null>(null);
  const frame = useRef(0);
  const host = useRef<HTMLDivElement>(null);

  const localX = (e: { clientX: number }) => e.clientX - (host.current?.getBoundingClientRect().left ?? 0);
  const onMove = useCallback((e: PointerEvent) => {
    pending.current = localX(e);
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      const x = pending.current;
      setPx(x);
      setDrag((d) => (d && x !== null ? { ...d, to: x } : d));
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const onDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const x = localX(e);
    host.current?.setPointerCapture?.(e.pointerId);
    setDrag({ from: x, to: x });
  };
  const onUp = () => {
    if (drag && Math.abs(drag.to - drag.from) >= 6) {
      const a = scale.fromPx(Math.min(drag.from, drag.to)),
        b = scale.fromPx(Math.max(drag.from, drag.to));
      if (b > a) onZoom([a, b]);
    }
    setDrag(null);
  };

  const readout = px !== null && px >= rect.left && px <= rect.left + rect.width ? lookup(scale.fromPx(px)) : null;
  const cursorPx = readout ? scale.toPx(readout.x) : null;
  const flip = cursorPx !== null && cursorPx > width * 0.55;
  return (
    <div
      ref={host}
      className="swc-hover"
      onPointerMove={onMove}
      onPointerLeave={() => (setPx(null), setDrag(null))}
      onPointerDown={onDown}
      onPointerUp={onUp}
      onDoubleClick={onResetZoom}
      aria-hidden="true"
    >
      {drag && Math.abs(drag.to - drag.from) >= 2 && (
        <div
          className="swc-zoom"
          style={{
            left: Math.min(drag.from, drag.to),
            width: Math.abs(drag.to - drag.from),
            height: rect.top + rect.height,
          }}
        />
      )}
      {readout && cursorPx !== null && (
        <>
          <div className="swc-cursor" style={{ left: cursorPx, top: rect.top, height: rect.height }} />
          <div
            className="swc-readout"
            style={{ top: rect.top + 4, ...(flip ? { right: width - cursorPx + 10 } : { left: cursorPx + 10 }) }}
          >
            <div className="swc-rx">{readout.xText}</div>
            {readout.items.map((it) => (
              <div key={it.key}>
                <span
                  className={it.area ? 'swc-swatch swc-area' : 'swc-swatch'}
                  style={it.area ? { background: it.color } : { borderColor: it.color }}
                />
                {it.label} <span className="swc-rv">{it.value}</span>
              </div>
            ))}
          </div>
        </>
      )}
    </div>
  );
});

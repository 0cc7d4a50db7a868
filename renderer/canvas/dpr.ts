// The device pixel ratio as React state: it changes when the window moves to another screen or the page is zoomed
// (a matchMedia query on the current ratio fires then). Canvases that draw lines and text size their backing store
// with it (width = cssWidth * ratio; excalidraw, nivo); data canvases do not need it (one pixel per cell, scaled).
import { useSyncExternalStore } from 'react';

const ratio = () => (typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1);

function subscribe(onChange: () => void): () => void {
  if (typeof matchMedia !== 'function') return () => {};
  let mq: MediaQueryList | null = null;
  const watch = () => {
    mq?.removeEventListener('change', changed);
    mq = matchMedia(`(resolution: ${ratio()}dppx)`);
    mq.addEventListener('change', changed);
  };
  const changed = () => {
    watch();
    onChange();
  };
  watch();
  return () => mq?.removeEventListener('change', changed);
}

export const useDevicePixelRatio = (): number => useSyncExternalStore(subscribe, ratio, () => 1);

/** Size a canvas's backing store for crisp lines at `dpr` and return its 2D context, scaled to CSS pixels. */
export function prepareCanvas(
  canvas: HTMLCanvasElement,
  cssWidth: number,
  cssHeight: number,
  dpr: number,
): CanvasRenderingContext2D | null {
  const w = Math.max(1, Math.round(cssWidth * dpr));
  const h = Math.max(1, Math.round(cssHeight * dpr));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  canvas.style.width = `${cssWidth}px`;
  canvas.style.height = `${cssHeight}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  return ctx;
}

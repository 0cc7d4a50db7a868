// The size of an element, from a ResizeObserver, at most one update per animation frame.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Size {
  width: number;
  height: number;
}

export function useElementSize<E extends HTMLElement>(): [(el: E | null) => void, Size] {
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  const observer = useRef<ResizeObserver | null>(null);
  const frame = useRef(0);
  const ref = useCallback((el: E | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!el) return;
    const measure = () => {
      frame.current = 0;
      const r = el.getBoundingClientRect();
      const w = Math.floor(r.width),
        h = Math.floor(r.height);
      setSize((s) => (s.width === w && s.height === h ? s : { width: w, height: h }));
    };
    measure();
    observer.current = new ResizeObserver(() => {
      if (!frame.current) frame.current = requestAnimationFrame(measure);
    });
    observer.current.observe(el);
  }, []);
  useEffect(
    () => () => {
      observer.current?.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
    },
    [],
  );
  return [ref, size];
}

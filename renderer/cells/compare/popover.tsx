// A button that opens a small panel under it (the run picker, a colour chip's swatches): closed by Escape (focus goes
// back to the button), a click outside, scrolling, or the panel's own choice; the panel's first control takes focus.
// The panel is placed with fixed coordinates, so a scrolling table around the button never clips it.
import { useEffect, useId, useRef, useState, type CSSProperties, type ReactNode } from 'react';

export interface PopoverProps {
  label: string; // the button's accessible name
  title?: string;
  className?: string;
  disabled?: boolean;
  button: ReactNode; // the button's content
  panelLabel: string; // the panel's accessible name
  role?: 'dialog' | 'menu';
  children: (close: () => void) => ReactNode;
}

export function Popover(p: PopoverProps) {
  const [open, setOpen] = useState(false);
  const [place, setPlace] = useState<CSSProperties>({});
  const box = useRef<HTMLSpanElement>(null);
  const btn = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => box.current && !box.current.contains(e.target as Node) && setOpen(false);
    const esc = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.stopPropagation();
      setOpen(false);
      btn.current?.focus();
    };
    const moved = (e: Event) => !box.current?.querySelector('.cmp-pop')?.contains(e.target as Node) && setOpen(false);
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', esc, true);
    window.addEventListener('scroll', moved, true);
    window.addEventListener('resize', moved);
    box.current?.querySelector<HTMLElement>('.cmp-pop :is(input, button, select)')?.focus({ preventScroll: true });
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', esc, true);
      window.removeEventListener('scroll', moved, true);
      window.removeEventListener('resize', moved);
    };
  }, [open]);
  return (
    <span className="cmp-pop-anchor" ref={box}>
      <button
        ref={btn}
        type="button"
        className={p.className ?? 'btn btn-small'}
        aria-label={p.label}
        title={p.title ?? p.label}
        aria-haspopup={p.role ?? 'dialog'}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        disabled={p.disabled}
        onClick={() => {
          const r = btn.current!.getBoundingClientRect();
          setPlace({ position: 'fixed', top: r.bottom + 4, left: Math.min(r.left, window.innerWidth - 360) });
          setOpen((o) => !o);
        }}
      >
        {p.button}
      </button>
      {open && (
        <div className="cmp-pop" style={place} id={panelId} role={p.role ?? 'dialog'} aria-label={p.panelLabel}>
          {p.children(() => {
            setOpen(false);
            btn.current?.focus();
          })}
        </div>
      )}
    </span>
  );
}

// A cell's "More actions" menu in its header, for the actions a kind adds in the registry (an Experiment cell:
// Export to PyTorch). Escape or a click elsewhere closes it; arrow keys move between the items.
import './cell-menu.css';
import { useEffect, useId, useRef, useState } from 'react';
import { Icon } from '../app/icons';

export interface CellMenuItem {
  label: string;
  title?: string;
  run(): void;
}

export function CellMenu({ label, items }: { label: string; items: CellMenuItem[] }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLSpanElement>(null);
  const menuId = useId();
  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => box.current && !box.current.contains(e.target as Node) && setOpen(false);
    const keys = (e: KeyboardEvent) => {
      const list = Array.from(box.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]') ?? []);
      const i = list.indexOf(document.activeElement as HTMLButtonElement);
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
        box.current?.querySelector<HTMLButtonElement>('button')?.focus();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        list[(i + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length]?.focus();
      }
    };
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', keys, true);
    box.current?.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus();
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', keys, true);
    };
  }, [open]);
  return (
    <span className="cell-menu" ref={box}>
      <button
        type="button"
        className="icon-btn icon-btn-small"
        aria-label={`More ${label} cell actions`}
        title="More actions"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <Icon name="more" size={15} />
      </button>
      {open && (
        <span className="cell-menu-list" role="menu" id={menuId} aria-label={`${label} cell actions`}>
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              title={item.title}
              onClick={() => {
                setOpen(false);
                item.run();
              }}
            >
              {item.label}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}

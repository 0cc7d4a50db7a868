// Menus, after the WAI-ARIA menu button pattern: `MenuButton` (a button that opens a list of actions under it),
// `MenuList` (the list, role "menu", one button per item) and `useMenu` (what an open menu does, for a list opened
// some other way, e.g. at the pointer). An open menu puts focus on its first item; ArrowDown and ArrowUp move between
// the items (wrapping), Home and End go to the first and the last; Escape closes it and gives focus back (to the
// trigger, else to what had it before); a pointer-down outside or Tab away closes it; Enter or a click on an item
// closes it and runs the item. Styles: menu.css.
import './menu.css';
import {
  useEffect,
  useEffectEvent,
  useId,
  useRef,
  useState,
  type CSSProperties,
  type ReactNode,
  type Ref,
} from 'react';

export interface MenuItem {
  label: string;
  title?: string;
  run(): void;
}

const ITEMS = '[role=menuitem]:not(:disabled)';
const MOVES = new Set(['ArrowDown', 'ArrowUp', 'Home', 'End']);

/** The item a move key goes to from the focused one (none focused: ArrowDown the first, ArrowUp the last). */
function target(items: HTMLElement[], key: string): HTMLElement | undefined {
  const n = items.length;
  const i = items.indexOf(document.activeElement as HTMLElement);
  if (key === 'Home' || (key === 'ArrowDown' && i < 0)) return items[0];
  if (key === 'End' || (key === 'ArrowUp' && i < 0)) return items[n - 1];
  return items[(i + (key === 'ArrowDown' ? 1 : n - 1)) % n];
}

/**
 * What an open menu does: `box` holds the menu (and its trigger, if any: a pointer-down there does not count as
 * outside). `close` is called on Escape, a pointer-down outside, or focus moving outside; on Escape, focus goes to
 * `trigger`, or to what had it when the menu opened.
 */
export function useMenu<T extends HTMLElement>(open: boolean, close: () => void, trigger?: () => HTMLElement | null) {
  const box = useRef<T>(null);
  const opener = useRef<Element | null>(null); // what had focus when the menu opened
  const onClose = useEffectEvent(close);
  const triggerOf = useEffectEvent(() => trigger?.() ?? null);
  useEffect(() => {
    if (!open) return;
    const inside = (n: unknown) => n instanceof Node && !!box.current?.contains(n);
    const items = () => Array.from(box.current?.querySelectorAll<HTMLElement>(ITEMS) ?? []);
    const away = (e: PointerEvent) => !inside(e.target) && onClose();
    const left = (e: FocusEvent) => e.relatedTarget instanceof Node && !inside(e.relatedTarget) && onClose();
    const keys = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        onClose();
        const back = triggerOf() ?? opener.current;
        if (back instanceof HTMLElement) back.focus();
      } else if (MOVES.has(e.key) && inside(document.activeElement)) {
        target(items(), e.key)?.focus();
      } else return;
      e.preventDefault();
      e.stopPropagation(); // the cell's and the notebook's keys (Escape leaves a cell, arrows move between cells)
    };
    document.addEventListener('pointerdown', away);
    document.addEventListener('focusout', left);
    document.addEventListener('keydown', keys, true);
    // an effect run again (React may do so with the menu still open) keeps the opener and the focused item
    if (!items().includes(document.activeElement as HTMLElement)) {
      opener.current = document.activeElement;
      items()[0]?.focus();
    }
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('focusout', left);
      document.removeEventListener('keydown', keys, true);
    };
  }, [open]);
  return box;
}

interface MenuListProps {
  label: string; // the menu's accessible name
  items: readonly MenuItem[];
  onChoose: (item: MenuItem) => void; // closes the menu and runs the item
  id?: string;
  className?: string;
  style?: CSSProperties;
  ref?: Ref<HTMLDivElement>;
  children?: ReactNode; // a heading above the items
}

export function MenuList({ label, items, onChoose, id, className, style, ref, children }: MenuListProps) {
  return (
    <div
      ref={ref}
      className={className ? `menu-list ${className}` : 'menu-list'}
      style={style}
      role="menu"
      id={id}
      aria-label={label}
    >
      {children}
      {items.map((item) => (
        <button key={item.label} type="button" role="menuitem" title={item.title} onClick={() => onChoose(item)}>
          {item.label}
        </button>
      ))}
    </div>
  );
}

interface MenuButtonProps {
  label: string; // the menu's accessible name
  items: readonly MenuItem[];
  title: string; // the button's tooltip
  children: ReactNode; // the button's content
  buttonLabel?: string; // the button's accessible name, where its content is not (an icon)
  buttonClass?: string;
  disabled?: boolean;
  className?: string; // of the box around the button and the list
  align?: 'start' | 'end'; // the button's edge the list lines up with (default 'end': the list opens leftwards)
}

export function MenuButton(p: MenuButtonProps) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const box = useMenu<HTMLDivElement>(
    open,
    () => setOpen(false),
    () => button.current,
  );
  const menuId = useId();
  const choose = (item: MenuItem) => {
    setOpen(false);
    button.current?.focus();
    item.run();
  };
  return (
    <div className={p.className ? `menu ${p.className}` : 'menu'} ref={box}>
      <button
        ref={button}
        type="button"
        className={p.buttonClass}
        aria-label={p.buttonLabel}
        title={p.title}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        disabled={p.disabled}
        onClick={() => setOpen((o) => !o)}
      >
        {p.children}
      </button>
      {open && (
        <MenuList
          id={menuId}
          label={p.label}
          items={p.items}
          onChoose={choose}
          className={p.align === 'start' ? 'menu-list-start' : 'menu-list-end'}
        />
      )}
    </div>
  );
}

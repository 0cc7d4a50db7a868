// The top bar's Notebook menu: export the open notebook as one HTML report, or its runs' data as a zip (with or
// without checkpoints). Escape or a click elsewhere closes it; arrow keys move between the items.
import './export.css';
import { useEffect, useId, useRef, useState } from 'react';
import { useFiles } from '../state/notebook-files';
import { exportReport, exportRunsZip } from './notebook-export';

const ITEMS: { label: string; title: string; run: () => Promise<void> }[] = [
  {
    label: 'Export report (HTML)',
    title: 'The notebook as one HTML file: notes, figures as SVG, run tables; opens offline, runs no scripts',
    run: exportReport,
  },
  {
    label: 'Export runs (zip)',
    title: "The notebook's runs: spec, metrics, routing, summary and probes of each",
    run: () => exportRunsZip(false),
  },
  {
    label: 'Export runs with checkpoints (zip)',
    title: 'The same, with every checkpoint of each run (can be large)',
    run: () => exportRunsZip(true),
  },
];

export function NotebookMenu() {
  const open = useFiles((s) => s.current !== null);
  const [shown, setShown] = useState(false);
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const menuId = useId();
  useEffect(() => {
    if (!shown) return;
    const away = (e: Event) => box.current && !box.current.contains(e.target as Node) && setShown(false);
    const keys = (e: KeyboardEvent) => {
      const items = Array.from(box.current?.querySelectorAll<HTMLButtonElement>('[role=menuitem]') ?? []);
      const i = items.indexOf(document.activeElement as HTMLButtonElement);
      if (e.key === 'Escape') {
        setShown(false);
        box.current?.querySelector<HTMLButtonElement>('.nb-menu-btn')?.focus();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
      }
    };
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', keys);
    box.current?.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus();
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', keys);
    };
  }, [shown]);
  if (!open) return null;
  return (
    <div className="nb-menu" ref={box}>
      <button
        type="button"
        className="btn btn-quiet btn-small nb-menu-btn"
        aria-haspopup="menu"
        aria-expanded={shown}
        aria-controls={shown ? menuId : undefined}
        disabled={busy}
        title="Export this notebook: an HTML report, or its runs as a zip"
        onClick={() => setShown((s) => !s)}
      >
        {busy ? 'Exporting…' : 'Notebook'}
      </button>
      {shown && (
        <div className="nb-menu-list" role="menu" id={menuId} aria-label="Notebook">
          {ITEMS.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              title={item.title}
              onClick={() => {
                setShown(false);
                setBusy(true);
                void item.run().finally(() => setBusy(false));
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

// The export menu of one lens figure: SVG, PNG (2x), CSV and JSON through the Platform (a download on the web, a
// save dialog in Electron), using the charts' save target and PNG rasteriser.
import { useEffect, useId, useRef, useState } from 'react';
import { svgToPng } from '../../charts/export-image';
import { saveExport } from '../../charts/save';
import { viewActions } from '../../state/view';
import { gridCsv, gridJson, gridSvg, type GridFigure } from './lens-export';

type Kind = 'svg' | 'png' | 'csv' | 'json';

const ITEMS: { kind: Kind; label: string }[] = [
  { kind: 'svg', label: 'SVG' },
  { kind: 'png', label: 'PNG (2×)' },
  { kind: 'csv', label: 'CSV data' },
  { kind: 'json', label: 'JSON data' },
];

export async function exportFigure(f: GridFigure, kind: Kind): Promise<void> {
  const name = `${f.fileBase}.${kind}`;
  if (kind === 'csv') await saveExport(name, gridCsv(f), 'text/csv');
  else if (kind === 'json') await saveExport(name, gridJson(f), 'application/json');
  else {
    const svg = gridSvg(f);
    if (kind === 'svg') await saveExport(name, svg.markup, 'image/svg+xml');
    else await saveExport(name, await svgToPng(svg.markup, svg.width, svg.height, 2), 'image/png');
  }
}

export function ExportMenu({ what, figure }: { what: string; figure: () => GridFigure | null }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLSpanElement>(null);
  const menuId = useId();
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    box.current?.querySelector<HTMLButtonElement>('[role=menuitem]')?.focus();
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  const run = (kind: Kind) => {
    setOpen(false);
    const f = figure();
    if (!f) return;
    exportFigure(f, kind).catch((e: Error) =>
      viewActions.toast(`Export of the ${what}: ${e.message}`, { tone: 'error' }),
    );
  };
  return (
    <span className="lens-export" ref={box}>
      <button
        type="button"
        className="btn btn-small btn-quiet"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={`Export ${what}`}
        title={`Export the ${what} (SVG, PNG) or its data (CSV, JSON)`}
        onClick={() => setOpen((o) => !o)}
      >
        ⤓ {what}
      </button>
      {open && (
        <span className="lens-menu" role="menu" id={menuId} aria-label={`Export ${what}`}>
          {ITEMS.map((i) => (
            <button key={i.kind} type="button" role="menuitem" onClick={() => run(i.kind)}>
              {i.label}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}

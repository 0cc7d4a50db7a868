// The top bar's Notebook menu: export the open notebook as one HTML report, or its runs' data as a zip (with or
// without checkpoints). The button reads "Exporting…" until the export is done.
import './export.css';
import { useState } from 'react';
import { MenuButton } from '../app/menu';
import { useFiles } from '../state/notebook-files';
import { exportReport, exportRunsZip } from './notebook-export';

const EXPORTS: { label: string; title: string; run: () => Promise<void> }[] = [
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
  const [busy, setBusy] = useState(false);
  if (!open) return null;
  const items = EXPORTS.map((e) => ({
    ...e,
    run: () => {
      setBusy(true);
      void e.run().finally(() => setBusy(false));
    },
  }));
  return (
    <MenuButton
      className="nb-menu"
      label="Notebook"
      items={items}
      buttonClass="btn btn-quiet btn-small"
      disabled={busy}
      title="Export this notebook: an HTML report, or its runs as a zip"
    >
      {busy ? 'Exporting…' : 'Notebook'}
    </MenuButton>
  );
}

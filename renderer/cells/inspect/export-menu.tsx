// The export menu of one lens figure: SVG, PNG (2x), CSV and JSON through the Platform (a download on the web, a
// save dialog in Electron), through the charts' saveFigure.
import { MenuButton } from '../../app/menu';
import { EXPORT_FORMATS, type ExportKind } from '../../charts/chart-toolbar';
import { saveFigure } from '../../charts/save';
import { viewActions } from '../../state/view';
import { gridCsv, gridJson, gridSvg, type GridFigure } from './lens-export';

export function exportFigure(f: GridFigure, kind: ExportKind): Promise<void> {
  return saveFigure(
    kind,
    (k) => `${f.fileBase}.${k}`,
    (k) => (k === 'csv' ? gridCsv(f) : gridJson(f)),
    () => gridSvg(f),
  );
}

export function ExportMenu({ what, figure }: { what: string; figure: () => GridFigure | null }) {
  const run = (kind: ExportKind) => {
    const f = figure();
    if (!f) return;
    exportFigure(f, kind).catch((e: Error) =>
      viewActions.toast(`Export of the ${what}: ${e.message}`, { tone: 'error' }),
    );
  };
  return (
    <MenuButton
      label={`Export ${what}`}
      items={EXPORT_FORMATS.map((f) => ({ label: f.label, run: () => run(f.kind) }))}
      buttonLabel={`Export ${what}`}
      buttonClass="btn btn-small btn-quiet"
      title={`Export the ${what} (SVG, PNG) or its data (CSV, JSON)`}
      align="start"
    >
      ⤓ {what}
    </MenuButton>
  );
}

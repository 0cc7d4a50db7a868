// The export menu of one lens figure: SVG, PNG (2x), CSV and JSON through the Platform (a download on the web, a
// save dialog in Electron), using the charts' save target and PNG rasteriser.
import { MenuButton } from '../../app/menu';
import { EXPORT_FORMATS, type ExportKind } from '../../charts/chart-toolbar';
import { svgToPng } from '../../charts/export-image';
import { saveExport } from '../../charts/save';
import { viewActions } from '../../state/view';
import { gridCsv, gridJson, gridSvg, type GridFigure } from './lens-export';

export async function exportFigure(f: GridFigure, kind: ExportKind): Promise<void> {
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

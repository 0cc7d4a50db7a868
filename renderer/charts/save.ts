// Where chart exports go: the page's Platform (a download on the web, a save dialog in Electron). One function, so
// tests and the standalone chart page can route exports elsewhere.
import type { PlatformApi } from '../../engine/contracts/platform';
import { getPlatform } from '../platform/context';
import type { ExportKind } from './chart-toolbar';
import { svgToPng } from './export-image';

type SaveExport = PlatformApi['saveExport'];

let override: SaveExport | null = null;

/** Send exports to `fn` instead of the Platform (null: back to the Platform). */
export function setExportTarget(fn: SaveExport | null): void {
  override = fn;
}

export function saveExport(name: string, data: string | Uint8Array, mime: string): ReturnType<SaveExport> {
  return override ? override(name, data, mime) : getPlatform().saveExport(name, data, mime);
}

export interface FigurePicture {
  markup: string; // a standalone SVG document
  width: number;
  height: number;
}

/** Save one figure in the format picked in an Export menu: its data (CSV, JSON) or its picture (SVG, PNG at 2x). */
export async function saveFigure(
  kind: ExportKind,
  name: (kind: ExportKind) => string,
  data: (kind: 'csv' | 'json') => string,
  picture: () => FigurePicture,
): Promise<void> {
  if (kind === 'csv' || kind === 'json') {
    await saveExport(name(kind), data(kind), kind === 'csv' ? 'text/csv' : 'application/json');
    return;
  }
  const fig = picture();
  if (kind === 'svg') await saveExport(name(kind), fig.markup, 'image/svg+xml');
  else await saveExport(name(kind), await svgToPng(fig.markup, fig.width, fig.height, 2), 'image/png');
}

// Where chart exports go: the page's Platform (a download on the web, a save dialog in Electron). One function, so
// tests and the standalone chart page can route exports elsewhere.
import type { PlatformApi } from '../../engine/contracts/platform';
import { getPlatform } from '../platform/context';

type SaveExport = PlatformApi['saveExport'];

let override: SaveExport | null = null;

/** Send exports to `fn` instead of the Platform (null: back to the Platform). */
export function setExportTarget(fn: SaveExport | null): void {
  override = fn;
}

export function saveExport(name: string, data: string | Uint8Array, mime: string): ReturnType<SaveExport> {
  return override ? override(name, data, mime) : getPlatform().saveExport(name, data, mime);
}

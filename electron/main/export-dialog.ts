// saveExport in the desktop app: a native save dialog (opening where the last export went, else Documents) with the
// suggested file name, then the file written atomically where the user chose. The page names the file, never the
// folder: only the user, in the dialog, picks where it goes. Cancelling saves nothing ({saved: false}).
import * as path from 'node:path';
import type { BrowserWindow, Dialog, FileFilter } from 'electron';
import type { PlatformResults } from '../../engine/contracts/platform';
import { writeFileAtomic } from './json-file';

const KINDS: Record<string, string> = {
  svg: 'SVG image',
  png: 'PNG image',
  csv: 'CSV table',
  json: 'JSON',
  html: 'HTML report',
  md: 'Markdown',
  zip: 'Zip archive',
  py: 'Python script',
  txt: 'Text',
  safetensors: 'Safetensors weights',
};

/** The dialog's file type filter for `fileName` (by extension), then "All files". */
export function exportFilters(fileName: string): FileFilter[] {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  const all = { name: 'All files', extensions: ['*'] };
  return ext ? [{ name: KINDS[ext] ?? `.${ext} file`, extensions: [ext] }, all] : [all];
}

export interface ExportDeps {
  dialog: Pick<Dialog, 'showSaveDialog'>;
  window(): BrowserWindow | null;
  /** Where the dialog opens: the last export folder, else Documents. */
  startDir(): string;
  /** Remember the folder the user chose. */
  remember(dir: string): void;
}

export async function saveExportWithDialog(
  deps: ExportDeps,
  fileName: string,
  data: string | Uint8Array,
): Promise<PlatformResults['saveExport']> {
  const options = {
    title: 'Export',
    defaultPath: path.join(deps.startDir(), fileName),
    filters: exportFilters(fileName),
    properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[],
  };
  const win = deps.window();
  const choice = win ? await deps.dialog.showSaveDialog(win, options) : await deps.dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return { saved: false, path: null };
  const file = path.resolve(choice.filePath);
  writeFileAtomic(file, data);
  deps.remember(path.dirname(file));
  return { saved: true, path: file };
}

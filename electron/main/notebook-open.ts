// File > Open Notebook…: a native open dialog for `.swhnb.json` files. A notebook of the workspace opens as it is;
// one from elsewhere (a colleague's file, a download) is copied into the workspace's notebooks/ under a free name,
// through the workspace store (createNotebook: atomic, never overwriting), and then opened. The original file is
// only read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserWindow, Dialog } from 'electron';
import { NotebookNameSchema } from '../../engine/contracts/platform';
import { NOTEBOOK_EXT, isWithin } from '../host/workspace-paths';
import type { Workspace } from '../host/workspace';

export const MAX_NOTEBOOK_BYTES = 16 << 20; // the contract's limit on a notebook file

/** A valid notebook name made from a file name: disallowed characters become '-', at most 70 characters. */
export function notebookNameFrom(fileName: string): string {
  const base = fileName.endsWith(NOTEBOOK_EXT)
    ? fileName.slice(0, -NOTEBOOK_EXT.length)
    : path.basename(fileName, path.extname(fileName));
  const cleaned = base
    .replace(/[^A-Za-z0-9 ._()-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 70)
    .replace(/[ .]+$/, '');
  return NotebookNameSchema.safeParse(cleaned).success ? cleaned : 'Imported notebook';
}

/** `name`, or `name (2)`, `name (3)`, ... whichever the workspace does not have yet. */
export function freeName(taken: ReadonlySet<string>, name: string): string {
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) if (!taken.has(`${name} (${i})`)) return `${name} (${i})`;
}

/** Open (or import, then open) the notebook file at `file`; returns the workspace notebook's name. */
export async function openNotebookFile(ws: Workspace, file: string): Promise<string> {
  const dir = ws.paths.notebooksDir;
  if (isWithin(dir, file) && path.dirname(file) === dir && file.endsWith(NOTEBOOK_EXT))
    return path.basename(file).slice(0, -NOTEBOOK_EXT.length);
  const st = fs.statSync(file);
  if (!st.isFile()) throw new Error(`${file} is not a file`);
  if (st.size > MAX_NOTEBOOK_BYTES) throw new Error(`${path.basename(file)} is larger than 16 MiB`);
  const text = fs.readFileSync(file, 'utf8');
  const taken = new Set(ws.notebooks.list().map((n) => n.name));
  const name = freeName(taken, notebookNameFrom(path.basename(file)));
  await ws.call('createNotebook', [name, text], { clientId: 'electron-main' });
  return name;
}

/** The open dialog; null when the user cancelled. */
export async function pickNotebookFile(
  dialog: Pick<Dialog, 'showOpenDialog'>,
  win: BrowserWindow | null,
  startDir: string,
): Promise<string | null> {
  const options = {
    title: 'Open Notebook',
    defaultPath: startDir,
    filters: [
      { name: 'SwitchHead notebooks', extensions: ['swhnb.json', 'json'] },
      { name: 'All files', extensions: ['*'] },
    ],
    properties: ['openFile'] as 'openFile'[],
  };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled || r.filePaths.length === 0 ? null : path.resolve(r.filePaths[0]);
}

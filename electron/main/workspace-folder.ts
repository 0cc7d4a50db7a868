// Which folder is the workspace (notebooks/, runs/, trash/, data/): `--workspace DIR` on the command line (this
// launch only), else the one remembered in settings.json, else, on the first start, the user's choice: a folder in
// their Documents, or another one picked in a native dialog. File > Change Workspace Folder picks another later.
import * as path from 'node:path';
import type { BrowserWindow, Dialog } from 'electron';

export const DEFAULT_FOLDER_NAME = 'SwitchHead Workbench';

/** `--workspace DIR` or `--workspace=DIR` among the process arguments (resolved against `cwd`), else null. */
export function workspaceArg(argv: readonly string[], cwd: string): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--workspace' && argv[i + 1]) return path.resolve(cwd, argv[i + 1]);
    if (a.startsWith('--workspace=') && a.length > '--workspace='.length)
      return path.resolve(cwd, a.slice('--workspace='.length));
  }
  return null;
}

export const defaultWorkspace = (documents: string): string => path.join(documents, DEFAULT_FOLDER_NAME);

type FolderDialog = Pick<Dialog, 'showMessageBox' | 'showOpenDialog'>;

/** A folder picked in the native dialog, or null when the user cancelled. */
export async function pickFolder(dialog: FolderDialog, win: BrowserWindow | null, startAt: string) {
  const options = {
    title: 'Choose the workspace folder',
    buttonLabel: 'Use this folder',
    defaultPath: startAt,
    properties: ['openDirectory', 'createDirectory', 'promptToCreate'] as (
      'openDirectory' | 'createDirectory' | 'promptToCreate'
    )[],
  };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled || r.filePaths.length === 0 ? null : path.resolve(r.filePaths[0]);
}

/** First start: ask where the workspace goes (Documents by default). Always returns a folder. */
export async function chooseFirstWorkspace(dialog: FolderDialog, documents: string): Promise<string> {
  const suggested = defaultWorkspace(documents);
  const r = await dialog.showMessageBox({
    type: 'question',
    title: 'SwitchHead Workbench',
    message: 'Where should the workbench keep your notebooks and runs?',
    detail:
      `Suggested: ${suggested}\n\nThe folder holds notebooks/, runs/ (the CLI writes there too), data/ and trash/. ` +
      'You can change it later with File > Change Workspace Folder.',
    buttons: ['Use the suggested folder', 'Choose another folder…'],
    defaultId: 0,
    cancelId: 0,
    noLink: true,
  });
  if (r.response !== 1) return suggested;
  return (await pickFolder(dialog, null, documents)) ?? suggested;
}

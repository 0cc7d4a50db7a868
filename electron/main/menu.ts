// The native menus. Items that act on the notebook send a `{type: 'menu', command}` WorkspaceEvent to the page (the
// renderer owns the document, undo history and runs); the rest are done here (dialogs, the workspace folder,
// zoom, developer tools, About). Shortcuts the page already handles itself (undo, redo, run cell) are shown but not
// registered (`registerAccelerator: false`), so a text field keeps its own undo and the page decides.
// The commands (electron/README.md lists them for the renderer):
//   new-notebook, open-notebook:<name>, save-as, export-report, undo, redo, theme:system|light|dark,
//   run-cell, pause, stop, shortcuts
import type { MenuItemConstructorOptions } from 'electron';

export const MENU_COMMANDS = [
  'new-notebook',
  'save-as',
  'export-report',
  'undo',
  'redo',
  'theme:system',
  'theme:light',
  'theme:dark',
  'run-cell',
  'pause',
  'stop',
  'shortcuts',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number] | `open-notebook:${string}`;

export interface MenuActions {
  /** Send a command to the page. */
  send(command: MenuCommand): void;
  /** File > Open…: a native open dialog for a notebook file (in the workspace or elsewhere: then it is imported). */
  openNotebookFile(): void;
  openWorkspaceFolder(): void;
  changeWorkspaceFolder(): void;
  /** A theme was chosen (the main process follows it for native dialogs and menus). */
  setTheme(theme: 'system' | 'light' | 'dark'): void;
  about(): void;
  openExternal(url: string): void;
}

export interface MenuState {
  platform: string; // process.platform
  appName: string;
  recent: readonly string[]; // notebook names, most recent first
}

export const PAPER_URL = 'https://arxiv.org/abs/2312.07987';

/** The menu template (Menu.buildFromTemplate builds it). */
export function menuTemplate(s: MenuState, a: MenuActions): MenuItemConstructorOptions[] {
  const mac = s.platform === 'darwin';
  const pageKey = (label: string, accelerator: string, command: MenuCommand): MenuItemConstructorOptions => ({
    label,
    accelerator,
    registerAccelerator: false, // the page's own keyboard handling does it
    click: () => a.send(command),
  });
  const recent: MenuItemConstructorOptions[] = s.recent.length
    ? s.recent.map((name) => ({ label: name, click: () => a.send(`open-notebook:${name}`) }))
    : [{ label: 'No recent notebooks', enabled: false }];
  const theme = (label: string, value: 'system' | 'light' | 'dark'): MenuItemConstructorOptions => ({
    label,
    click: () => {
      a.setTheme(value);
      a.send(`theme:${value}`);
    },
  });

  const file: MenuItemConstructorOptions[] = [
    { label: 'New Notebook', accelerator: 'CmdOrCtrl+N', click: () => a.send('new-notebook') },
    { label: 'Open Notebook…', accelerator: 'CmdOrCtrl+O', click: () => a.openNotebookFile() },
    { label: 'Open Recent', submenu: recent },
    { type: 'separator' },
    { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => a.send('save-as') },
    { label: 'Export Report…', accelerator: 'CmdOrCtrl+E', click: () => a.send('export-report') },
    { type: 'separator' },
    { label: 'Open Workspace Folder', click: () => a.openWorkspaceFolder() },
    { label: 'Change Workspace Folder…', click: () => a.changeWorkspaceFolder() },
    ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
  ];
  const edit: MenuItemConstructorOptions[] = [
    pageKey('Undo', 'CmdOrCtrl+Z', 'undo'),
    pageKey('Redo', mac ? 'Cmd+Shift+Z' : 'Ctrl+Y', 'redo'),
    { type: 'separator' },
    { role: 'cut' },
    { role: 'copy' },
    { role: 'paste' },
    { role: 'selectAll' },
  ];
  const view: MenuItemConstructorOptions[] = [
    {
      label: 'Theme',
      submenu: [theme('Follow the System', 'system'), theme('Light', 'light'), theme('Dark', 'dark')],
    },
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
    { role: 'toggleDevTools' },
  ];
  const run: MenuItemConstructorOptions[] = [
    pageKey('Run Cell', 'Shift+Enter', 'run-cell'),
    { label: 'Pause', click: () => a.send('pause') },
    { label: 'Stop', click: () => a.send('stop') },
  ];
  const help: MenuItemConstructorOptions[] = [
    { label: 'Keyboard Shortcuts', accelerator: '?', registerAccelerator: false, click: () => a.send('shortcuts') },
    { label: 'The SwitchHead Paper (arXiv 2312.07987)', click: () => a.openExternal(PAPER_URL) },
    ...(mac ? [] : [{ type: 'separator' } as const, { label: `About ${s.appName}`, click: () => a.about() }]),
  ];

  return [
    ...(mac
      ? [
          {
            label: s.appName,
            submenu: [
              { label: `About ${s.appName}`, click: () => a.about() },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ] as MenuItemConstructorOptions[],
          },
        ]
      : []),
    { label: '&File', submenu: file },
    { label: '&Edit', submenu: edit },
    { label: '&View', submenu: view },
    { label: '&Run', submenu: run },
    { label: '&Help', role: 'help', submenu: help },
  ];
}

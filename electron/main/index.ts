// The Electron main process (DESIGN §5): one window showing the renderer bundle from app://workbench, the
// workspace store of electron/host behind one IPC handler per Platform operation, workspace events forwarded to the
// page, native menus and dialogs. Read top to bottom: what happens before the app is ready, at start, per window.
// Built by electron-vite into dist/electron/main/index.cjs; `npm start` launches it (launcher.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrowserWindow, Menu, app, dialog, ipcMain, nativeTheme, protocol, screen, session, shell } from 'electron';
import type { WorkspaceEvent } from '../../engine/contracts/platform';
import { WorkspaceWatcher } from '../host/watcher';
import { Workspace } from '../host/workspace';
import { showAbout, pageBackend } from './about';
import { APP_INDEX_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, createAppHandler } from './app-protocol';
import { saveExportWithDialog } from './export-dialog';
import { applyGpuSwitches } from './gpu-switches';
import { EVENT_CHANNEL, registerPlatformIpc } from './ipc';
import { menuTemplate, type MenuCommand } from './menu';
import { openNotebookFile, pickNotebookFile } from './notebook-open';
import { PageClients } from './page-clients';
import { SettingsStore } from './settings';
import { boundsOf, denyPermissions, guardContents, isExternalLink, windowOptions } from './window';
import { loadWindowState, saveWindowState } from './window-state';
import { chooseFirstWorkspace, pickFolder, workspaceArg } from './workspace-folder';

const APP_NAME = 'SwitchHead Workbench';
const ROOT = path.resolve(__dirname, '../../..'); // dist/electron/main -> the repository (or app.asar)
const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');
const PRELOAD = path.join(__dirname, '../preload/index.cjs');

// ---- before the app is ready ----

app.setName(APP_NAME);
app.setPath('userData', process.env.WORKBENCH_USER_DATA || path.join(app.getPath('appData'), APP_NAME));
applyGpuSwitches(app.commandLine, process.platform);
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
// Every web contents the app ever creates (the window, devtools) gets the navigation and new-window rules.
app.on('web-contents-created', (_event, contents) => guardContents(contents, openExternal));

let settings: SettingsStore;
let workspace: Workspace;
let watcher: WorkspaceWatcher | null = null;
let stopWatching: () => void = () => {};
let win: BrowserWindow | null = null;
const clients = new PageClients(() => workspace.claims);

if (!app.requestSingleInstanceLock()) {
  app.quit(); // another instance has the workspace open: it is focused instead (second-instance below)
} else {
  app.on('second-instance', () => {
    if (!win) return void (started() && createWindow());
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // macOS keeps the app running with no window; elsewhere closing the window quits.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (started() && BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('before-quit', () => stopWatching());
  app.whenReady().then(start, fatal);
}

// ---- at start ----

async function start(): Promise<void> {
  settings = new SettingsStore(path.join(app.getPath('userData'), 'settings.json'));
  let root = workspaceArg(process.argv.slice(1), process.cwd()) ?? settings.get().workspace;
  if (!root) {
    root = await chooseFirstWorkspace(dialog, app.getPath('documents'));
    settings.update({ workspace: root });
  }
  await useWorkspace(root);

  denyPermissions(session.defaultSession);
  protocol.handle(APP_SCHEME, createAppHandler(RENDERER_DIR));
  registerPlatformIpc(ipcMain, {
    workspace: () => workspace,
    trusted: () => (win && !win.isDestroyed() ? win.webContents : null),
    clientId: (event) => clients.idOf(event.sender),
    saveExport: (name, data) =>
      saveExportWithDialog(
        {
          dialog,
          window: () => win,
          startDir: () => settings.get().lastExportDir ?? app.getPath('documents'),
          remember: (dir) => settings.update({ lastExportDir: dir }),
        },
        name,
        data,
      ),
    onDone: (op, args) => {
      if (!isRemembered()) return; // a --workspace of this launch only: its notebooks are not remembered
      const [a, b] = args as [string, string];
      const changed =
        op === 'readNotebook' || op === 'createNotebook'
          ? settings.noteOpened(a)
          : op === 'renameNotebook'
            ? settings.noteRenamed(a, b)
            : op === 'trashNotebook' && settings.noteRenamed(a, null);
      if (changed) buildMenu();
    },
  });
  buildMenu();
  createWindow();
}

/** Open `root` as the workspace (created if missing); on failure, ask for another folder or quit. */
async function useWorkspace(root: string): Promise<void> {
  let next: Workspace;
  try {
    next = new Workspace({ root, host: 'electron' });
  } catch (e) {
    const r = await dialog.showMessageBox({
      type: 'error',
      message: `The workspace folder cannot be used: ${root}`,
      detail: (e as Error).message,
      buttons: ['Choose Another Folder…', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    const other = r.response === 0 ? await pickFolder(dialog, null, app.getPath('documents')) : null;
    if (!other) return void app.exit(1);
    settings.update({ workspace: other, recent: [] });
    return useWorkspace(other);
  }
  stopWatching();
  watcher?.close();
  workspace = next;
  clients.reopenAll();
  watcher = new WorkspaceWatcher(workspace, 400, (e) => log(`workspace watcher: ${String(e)}`));
  stopWatching = watcher.subscribe(send);
}

// ---- the window ----

function createWindow(): void {
  const stateFile = path.join(app.getPath('userData'), 'window-state.json');
  const state = loadWindowState(
    stateFile,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const w = new BrowserWindow(windowOptions(PRELOAD, state, nativeTheme.shouldUseDarkColors));
  win = w;
  if (state.maximized) w.maximize();
  clients.attach(w.webContents);
  w.once('ready-to-show', () => w.show());
  w.on('close', () => {
    const { bounds, maximized } = boundsOf(w);
    try {
      saveWindowState(stateFile, bounds, maximized);
    } catch (e) {
      log(`cannot remember the window size: ${(e as Error).message}`);
    }
  });
  w.on('closed', () => {
    if (win === w) win = null;
  });
  // A fresh page gets the current listings at once (the preload keeps them for the page's first watch()).
  w.webContents.on('did-finish-load', () => {
    for (const ev of watcher?.snapshot() ?? []) send(ev);
  });
  w.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason !== 'clean-exit') void offerReload(w, details.reason);
  });
  void w.loadURL(APP_INDEX_URL);
}

function send(ev: WorkspaceEvent): void {
  if (win && !win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, ev);
}

const sendMenu = (command: MenuCommand) => send({ type: 'menu', command });

/** The page crashed or was killed: saved work is on disk; its runs turn "interrupted" and can be resumed. */
async function offerReload(w: BrowserWindow, reason: string): Promise<void> {
  const r = await dialog.showMessageBox(w, {
    type: 'warning',
    message: `The workbench window stopped (${reason}).`,
    detail:
      'Notebooks are saved up to their last autosave. Runs that were training are marked interrupted; ' +
      'reload to resume them from their last checkpoint.',
    buttons: ['Reload', 'Quit'],
    defaultId: 0,
    cancelId: 1,
  });
  if (r.response === 0 && !w.isDestroyed()) w.webContents.reload();
  else app.quit();
}

// ---- menus ----

function buildMenu(): void {
  const template = menuTemplate(
    { platform: process.platform, appName: APP_NAME, recent: isRemembered() ? settings.get().recent : [] },
    {
      send: sendMenu,
      openNotebookFile: () => void openFromDialog(),
      openWorkspaceFolder: () => void shell.openPath(workspace.paths.root),
      changeWorkspaceFolder: () => void changeWorkspace(),
      setTheme: (theme) => (nativeTheme.themeSource = theme),
      about: () => void about(),
      openExternal,
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function openFromDialog(): Promise<void> {
  const file = await pickNotebookFile(dialog, win, workspace.paths.notebooksDir);
  if (!file) return;
  try {
    sendMenu(`open-notebook:${await openNotebookFile(workspace, file)}`);
  } catch (e) {
    dialog.showErrorBox('Cannot open the notebook', (e as Error).message);
  }
}

async function changeWorkspace(): Promise<void> {
  const root = await pickFolder(dialog, win, workspace.paths.root);
  if (!root || path.resolve(root) === workspace.paths.root) return;
  const running = workspace.runs.list().filter((r) => r.status === 'running' && r.writer === 'app');
  if (running.length > 0) {
    const r = await dialog.showMessageBox({
      type: 'warning',
      message: `${running.length} run(s) are training in this workspace.`,
      detail: 'Switching stops them; they can be resumed from their last checkpoint when you come back.',
      buttons: ['Switch Anyway', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
    });
    if (r.response !== 0) return;
  }
  settings.update({ workspace: root, recent: [] });
  await useWorkspace(root);
  buildMenu();
  win?.webContents.reload(); // the page reads the new workspace from scratch
}

async function about(): Promise<void> {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version?: string };
  const info = workspace.handlers.workspaceInfo([], { clientId: 'electron-main' }) as { engineVersion: string };
  await showAbout(dialog, win, {
    appName: APP_NAME,
    appVersion: pkg.version ?? app.getVersion(),
    engineVersion: info.engineVersion,
    versions: process.versions,
    webgpu: String((app.getGPUFeatureStatus() as unknown as Record<string, unknown>).webgpu ?? 'unknown'),
    backend: await pageBackend(win),
    workspace: workspace.paths.root,
  });
}

// ---- helpers ----

/** Has start() opened a workspace (so a window can be made)? */
function started(): boolean {
  return workspace !== undefined;
}

/** Is the open workspace the remembered one (settings.json), not a `--workspace` of this launch? */
function isRemembered(): boolean {
  return settings.get().workspace === workspace.paths.root;
}

function openExternal(url: string): void {
  if (isExternalLink(url)) shell.openExternal(url).catch((e) => log(`cannot open ${url}: ${(e as Error).message}`));
}

function log(message: string): void {
  process.stderr.write(message + '\n');
}

function fatal(e: unknown): void {
  const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
  log(`SwitchHead Workbench could not start: ${message}`);
  dialog.showErrorBox('SwitchHead Workbench could not start', message);
  app.exit(1);
}

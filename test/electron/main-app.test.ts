// The built main process as an app, with a fake `electron`: the first start asks for the workspace folder and
// remembers it; workspace events reach the page; the menus send their commands (recent notebooks included); About
// names the engine and backend; exports go through the save dialog; the window's bounds survive a restart; a second
// instance quits; after a crashed page or a killed app, the runs it was writing are listed as interrupted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specFile, until } from '../host/helpers';
import { MENU_COMMANDS } from '../../electron/main/menu';
import { presets } from '../../experiments/index';
import { findMenuItem } from './fake-electron';
import { appFolder, snapshot, startMain, type MainApp } from './main-app';

let m: MainApp;
const sentOf = (app: MainApp, type: string) =>
  app.fake.window.webContents.sent
    .filter((s) => s.channel === 'workbench:event' && (s.args[0] as { type: string }).type === type)
    .map((s) => s.args[0]);
const menu = (app: MainApp, label: string) => {
  const item = findMenuItem(app.fake.menu!.template, label);
  if (!item) throw new Error(`no menu item "${label}"`);
  return item;
};

beforeAll(async () => {
  m = await startMain();
}, 180_000);
afterAll(() => m?.stop());

describe('the first start', () => {
  it('asks where the workspace goes, suggests Documents, and remembers the choice', () => {
    const asked = m.fake.dialogs.find((d) => d.kind === 'message');
    expect((asked?.options as { message: string }).message).toMatch(/Where should the workbench keep/);
    expect(m.workspace).toBe(path.join(m.documents, 'SwitchHead Workbench'));
    for (const d of ['notebooks', 'runs', 'trash', 'data']) expect(fs.existsSync(path.join(m.workspace, d))).toBe(true);
    const settings = JSON.parse(fs.readFileSync(path.join(m.userData, 'settings.json'), 'utf8'));
    expect(settings.workspace).toBe(m.workspace);
  });
});

describe('workspace events', () => {
  it('sends the listings when the page has loaded, and changes on disk as they happen', async () => {
    expect(sentOf(m, 'runs').length).toBeGreaterThan(0);
    expect(sentOf(m, 'notebooks').length).toBeGreaterThan(0);
    fs.writeFileSync(path.join(m.workspace, 'notebooks', 'From disk.swhnb.json'), '{}');
    await until(
      () => sentOf(m, 'notebooks').some((e) => JSON.stringify(e).includes('From disk')),
      10_000,
      'a notebooks event naming the new file',
    );
  });
});

describe('menus', () => {
  it('has the File, Edit, View, Run and Help items, and sends the page its commands', () => {
    for (const label of ['New Notebook', 'Open Notebook…', 'Open Recent', 'Save As…', 'Export Report…'])
      expect(menu(m, label), label).toBeTruthy();
    for (const label of ['Open Workspace Folder', 'Undo', 'Redo', 'Theme', 'Run Cell', 'Pause', 'Stop'])
      expect(menu(m, label), label).toBeTruthy();
    expect(menu(m, 'Keyboard Shortcuts')).toBeTruthy();
    const roles = JSON.stringify(m.fake.menu!.template);
    for (const role of ['zoomIn', 'zoomOut', 'resetZoom', 'toggleDevTools']) expect(roles).toContain(role);
    const commands: [string, string][] = [
      ['New Notebook', 'new-notebook'],
      ['Save As…', 'save-as'],
      ['Export Report…', 'export-report'],
      ['Undo', 'undo'],
      ['Redo', 'redo'],
      ['Run Cell', 'run-cell'],
      ['Pause', 'pause'],
      ['Stop', 'stop'],
      ['Keyboard Shortcuts', 'shortcuts'],
      ['Follow the System', 'theme:system'],
      ['Light', 'theme:light'],
      ['Dark', 'theme:dark'],
    ];
    for (const [label, command] of commands) {
      menu(m, label).click();
      expect(sentOf(m, 'menu').at(-1), label).toEqual({ type: 'menu', command });
    }
    expect(commands.map(([, c]) => c).sort()).toEqual([...MENU_COMMANDS].sort()); // every command has its item
    expect(m.fake.themeSource).toBe('dark'); // native dialogs follow the chosen theme
    expect(menu(m, 'Undo').registerAccelerator).toBe(false); // the page's own Ctrl+Z (text fields keep theirs)
  });

  it('lists notebooks the page opened under Open Recent, newest first', async () => {
    await m.call('createNotebook', 'Alpha', '{}');
    await m.call('createNotebook', 'Beta', '{}');
    await m.call('readNotebook', 'Alpha');
    const recent = menu(m, 'Open Recent').submenu as unknown as { label: string; click(): void }[];
    expect(recent.map((r) => r.label)).toEqual(['Alpha', 'Beta']);
    recent[1].click();
    expect(sentOf(m, 'menu').at(-1)).toEqual({ type: 'menu', command: 'open-notebook:Beta' });
    await m.call('renameNotebook', 'Beta', 'Gamma');
    const after = menu(m, 'Open Recent').submenu as unknown as { label: string }[];
    expect(after.map((r) => r.label)).toEqual(['Alpha', 'Gamma']);
  });

  it('opens a notebook file from elsewhere by copying it into the workspace', async () => {
    const outside = path.join(m.dir, 'shared notebook.swhnb.json');
    fs.writeFileSync(outside, '{"format":"switchhead-notebook","version":1,"title":"From a colleague","cells":[]}');
    m.fake.answers.open = outside;
    menu(m, 'Open Notebook…').click();
    await until(() => sentOf(m, 'menu').some((e) => JSON.stringify(e).includes('open-notebook:shared notebook')));
    const copy = path.join(m.workspace, 'notebooks', 'shared notebook.swhnb.json');
    expect(fs.readFileSync(copy, 'utf8')).toContain('From a colleague');
    expect(fs.existsSync(outside)).toBe(true);
    m.fake.answers.open = null;
  });

  it('opens the workspace folder, and About names the engine version and the backend', async () => {
    menu(m, 'Open Workspace Folder').click();
    expect(m.fake.openedPaths).toEqual([m.workspace]);
    m.fake.window.webContents.pageValue = 'wasm (2 threads)';
    menu(m, 'About SwitchHead Workbench').click();
    const box = await until(() =>
      m.fake.dialogs.find((d) => (d.options as { title?: string }).title?.startsWith('About')),
    );
    const { message, detail } = box.options as { message: string; detail: string };
    expect(message).toBe('SwitchHead Workbench 9.8.7');
    expect(detail).toMatch(/Engine \d+\.\d+/);
    expect(detail).toContain('Compute backend: wasm (2 threads)');
    expect(detail).toContain('WebGPU in Chromium: enabled');
  });
});

describe('exports', () => {
  it('saves where the user chose in the save dialog, and nothing when they cancel', async () => {
    const target = path.join(m.dir, 'exports', 'report.html');
    fs.mkdirSync(path.dirname(target));
    m.fake.answers.save = target;
    const r = await m.call('saveExport', 'report.html', '<h1>Report</h1>', 'text/html');
    expect(r).toEqual({ ok: true, result: { saved: true, path: target } });
    expect(fs.readFileSync(target, 'utf8')).toBe('<h1>Report</h1>');
    const dialogOptions = m.fake.dialogs.filter((d) => d.kind === 'save').at(-1)!.options as { defaultPath: string };
    expect(path.basename(dialogOptions.defaultPath)).toBe('report.html');
    const bytes = await m.call('saveExport', 'curve.png', new Uint8Array([137, 80, 78, 71]), 'image/png');
    expect(bytes.result.saved).toBe(true);
    expect([...fs.readFileSync(target)].length).toBeGreaterThan(0);
    m.fake.answers.save = null;
    expect(await m.call('saveExport', 'report.html', 'x', 'text/html')).toEqual({
      ok: true,
      result: { saved: false, path: null },
    });
    const dialogs = m.fake.dialogs.length;
    const bad = await m.call('saveExport', '../escape.html', 'x', 'text/html');
    expect(bad.error?.name).toBe('InvalidRequest');
    expect(m.fake.dialogs.length).toBe(dialogs); // refused before any dialog
  });

  it('exports a spec to PyTorch with the Python sources shipped next to the main bundle', async () => {
    const r = await m.call('exportPyTorch', { spec: presets['teach-copy'].spec }, 'copy-export');
    expect(r.error).toBeUndefined();
    const dir = path.join(m.workspace, 'exports', r.result.name);
    for (const f of ['train.py', 'prepare_data.py', 'switchhead/model/attention.py', 'switchhead/training/loop.py'])
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
  });
});

describe('restarts', () => {
  it('remembers the window bounds and the workspace across a restart', async () => {
    const dir = appFolder();
    const first = await startMain({ dir });
    first.fake.window.bounds = { x: 200, y: 120, width: 1111, height: 777 };
    first.fake.window.close();
    first.stop();
    expect(first.fake.quitCalls).toBe(1); // closing the window quits (not on macOS)
    const state = JSON.parse(fs.readFileSync(path.join(first.userData, 'window-state.json'), 'utf8'));
    expect(state).toEqual({ x: 200, y: 120, width: 1111, height: 777, maximized: false });
    const again = await startMain({ dir });
    expect(again.fake.window.options).toMatchObject({ x: 200, y: 120, width: 1111, height: 777 });
    expect(again.workspace).toBe(first.workspace);
    expect(again.fake.dialogs.filter((d) => d.kind === 'message')).toEqual([]); // not asked again
    again.stop();
  });

  it('uses a --workspace of one launch without remembering it', async () => {
    const dir = appFolder({ workspace: path.join(m.dir, 'remembered') });
    const once = path.join(dir, 'just this once');
    process.argv.push('--workspace', once);
    let app: MainApp;
    try {
      app = await startMain({ dir });
    } finally {
      process.argv.splice(process.argv.indexOf('--workspace'), 2);
    }
    expect(app.workspace).toBe(once);
    await app.call('createNotebook', 'Scratch', '{}');
    await app.call('readNotebook', 'Scratch');
    const settings = JSON.parse(fs.readFileSync(path.join(app.userData, 'settings.json'), 'utf8'));
    expect(settings).toEqual({ workspace: path.join(m.dir, 'remembered') }); // untouched: no recents recorded
    expect(app.fake.dialogs).toEqual([]);
    app.stop();
  });

  it('quits at once when another instance holds the lock', async () => {
    const second = await startMain({ singleInstance: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(second.fake.quitCalls).toBe(1);
    expect(second.fake.windows).toEqual([]);
    expect(second.fake.ipcHandlers.size).toBe(0);
  });

  it('after a crashed page, offers a reload; its runs, and a killed app’s, come back as interrupted', async () => {
    const dir = appFolder();
    const a = await startMain({ dir });
    const { result } = await a.call('createRun', 'crash test', specFile());
    const id = result.id as string;
    const status = async (app: MainApp) =>
      ((await app.call('listRuns')).result as { id: string; status: string }[]).find((r) => r.id === id)?.status;
    expect(await status(a)).toBe('running');
    a.fake.answers.messageBox = 0; // Reload
    a.fake.window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
    await until(() => a.fake.window.webContents.reloads === 1, 5_000, 'the reload');
    await until(async () => (await status(a)) === 'interrupted', 10_000, 'the run to turn interrupted');
    // A killed app: a new main process over the same workspace finds the run interrupted, files intact.
    const { result: id2 } = await a.call('createRun', 'killed', specFile());
    const before = snapshot(path.join(a.workspace, 'runs', id2.id));
    const b = await startMain({ dir });
    const runs = (await b.call('listRuns')).result as { id: string; status: string }[];
    expect(runs.find((r) => r.id === id2.id)?.status).toBe('interrupted');
    expect(snapshot(path.join(b.workspace, 'runs', id2.id))).toEqual(before);
    expect((await b.call('claimRun', id2.id)).ok).toBe(true); // resumable
    a.stop();
    b.stop();
  }, 60_000);
});

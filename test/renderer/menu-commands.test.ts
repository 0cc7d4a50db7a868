// The desktop menu's commands in the page (renderer/app/menu-commands.ts), driven through a fake Platform that emits
// the `{type: 'menu', command}` events the Electron main process sends: every command electron/main/menu.ts can
// send reaches its action (open-notebook with its name), unknown ones are ignored, other events too; the page's own
// actions change the theme, open the shortcut sheet, undo and redo the notebook, save a copy under a free name, and
// say so when there is no run to pause or stop; <html data-backend> follows the run the page trains.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NotebookInfo, PlatformApi, WorkspaceEvent } from '../../engine/contracts/platform';
import { MENU_COMMANDS } from '../../electron/main/menu';
import {
  installMenuCommands,
  PAGE_MENU_ACTIONS,
  performMenuCommand,
  saveAs,
  syncBackendAttribute,
  type MenuActions,
} from '../../renderer/app/menu-commands';
import { setPlatform } from '../../renderer/platform/context';
import { getDoc, notebookActions } from '../../renderer/state/notebook';
import { openNotebook, useFiles } from '../../renderer/state/notebook-files';
import { emptyDoc, parseNotebook, serializeNotebook } from '../../renderer/state/notebook-schema';
import { flushTouches, patch, removeRun } from '../../renderer/state/runs';
import { useView } from '../../renderer/state/view';

function recorder(): { calls: string[]; actions: MenuActions } {
  const calls: string[] = [];
  const rec =
    (name: string) =>
    (...args: unknown[]) =>
      void calls.push(args.length ? `${name}(${args.join(',')})` : name);
  const actions = {
    newNotebook: rec('newNotebook'),
    openNotebook: rec('openNotebook'),
    saveAs: rec('saveAs'),
    exportReport: rec('exportReport'),
    undo: rec('undo'),
    redo: rec('redo'),
    setTheme: rec('setTheme'),
    runCell: rec('runCell'),
    pause: rec('pause'),
    stop: rec('stop'),
    shortcuts: rec('shortcuts'),
  } as MenuActions;
  return { calls, actions };
}

/** A Platform holding notebooks in memory, with an event stream the test drives. */
function fakePlatform() {
  const files = new Map<string, string>();
  const handlers = new Set<(ev: WorkspaceEvent) => void>();
  const info = (name: string): NotebookInfo => ({ name, updatedMs: 0, bytes: files.get(name)!.length });
  const p = {
    listNotebooks: async () => [...files.keys()].map(info),
    readNotebook: async (name: string) => {
      if (!files.has(name)) throw new Error(`notebook "${name}" does not exist`);
      return { name, text: files.get(name)!, version: String(files.get(name)!.length) };
    },
    createNotebook: async (name: string, text: string) => {
      if (files.has(name)) throw new Error('exists');
      files.set(name, text);
      return { version: '1', overwroteNewer: false };
    },
    writeNotebook: async (name: string, text: string) => {
      files.set(name, text);
      return { version: String(text.length), overwroteNewer: false };
    },
    watch: (h: (ev: WorkspaceEvent) => void) => {
      handlers.add(h);
      return () => handlers.delete(h);
    },
  };
  const emit = (ev: WorkspaceEvent) => handlers.forEach((h) => h(ev));
  return { platform: p as unknown as PlatformApi, files, emit, handlers };
}

const lastToast = () => useView.getState().toasts.at(-1)?.message ?? '';

describe('menu commands', () => {
  it('sends every command the Electron menu can send to its action', () => {
    const { calls, actions } = recorder();
    for (const c of MENU_COMMANDS) expect(performMenuCommand(c, actions), c).toBe(true);
    expect(performMenuCommand('open-notebook:Paper runs (2)', actions)).toBe(true);
    expect(calls).toEqual([
      'newNotebook',
      'saveAs',
      'exportReport',
      'undo',
      'redo',
      'setTheme(system)',
      'setTheme(light)',
      'setTheme(dark)',
      'runCell',
      'pause',
      'stop',
      'shortcuts',
      'openNotebook(Paper runs (2))',
    ]);
  });

  it('ignores commands it does not know', () => {
    const { calls, actions } = recorder();
    for (const c of ['open-notebook:', 'theme:blue', 'toString', 'constructor', 'quit', ''])
      expect(performMenuCommand(c, actions), c).toBe(false);
    expect(calls).toEqual([]);
  });

  it('follows the Platform’s menu events until uninstalled, and nothing else', () => {
    const { platform, emit, handlers } = fakePlatform();
    const { calls, actions } = recorder();
    const uninstall = installMenuCommands(platform, actions, null);
    emit({ type: 'menu', command: 'theme:dark' });
    emit({ type: 'runs', runs: [] });
    emit({ type: 'notebooks', notebooks: [] });
    emit({ type: 'menu', command: 'open-notebook:Notes' });
    emit({ type: 'menu', command: 'export-report' });
    expect(calls).toEqual(['setTheme(dark)', 'openNotebook(Notes)', 'exportReport']);
    uninstall();
    expect(handlers.size).toBe(0);
    emit({ type: 'menu', command: 'undo' });
    expect(calls).toHaveLength(3);
  });
});

describe("the page's actions", () => {
  let fake: ReturnType<typeof fakePlatform>;
  beforeEach(() => {
    fake = fakePlatform();
    setPlatform(fake.platform);
    notebookActions.load(emptyDoc('t'));
  });

  it('sets the theme and opens the shortcut sheet', () => {
    performMenuCommand('theme:dark', PAGE_MENU_ACTIONS);
    expect(useView.getState().theme).toBe('dark');
    performMenuCommand('theme:system', PAGE_MENU_ACTIONS);
    expect(useView.getState().theme).toBe('system');
    performMenuCommand('shortcuts', PAGE_MENU_ACTIONS);
    expect(useView.getState().sheetOpen).toBe(true);
  });

  it('undoes and redoes the notebook', () => {
    const id = notebookActions.add({ kind: 'note', source: 'x' })!;
    performMenuCommand('undo', PAGE_MENU_ACTIONS);
    expect(getDoc().cellOrder).toEqual([]);
    performMenuCommand('redo', PAGE_MENU_ACTIONS);
    expect(getDoc().cellOrder).toEqual([id]);
  });

  it('says so when there is no cell to run and no run to pause or stop', () => {
    useView.setState({ focusedCell: null });
    performMenuCommand('run-cell', PAGE_MENU_ACTIONS);
    expect(lastToast()).toMatch(/Click a cell first/);
    performMenuCommand('pause', PAGE_MENU_ACTIONS);
    expect(lastToast()).toMatch(/No run is training/);
    performMenuCommand('stop', PAGE_MENU_ACTIONS);
    expect(lastToast()).toMatch(/No run is training/);
  });

  it('saves a copy of the open notebook under a free name and opens it', async () => {
    const doc = {
      title: 'Paper',
      cellOrder: ['aaaaaaaa'],
      cells: { aaaaaaaa: { id: 'aaaaaaaa', kind: 'note', source: '# hi' } },
    };
    fake.files.set('Paper', serializeNotebook(doc as never, { tags: ['kept'] }));
    fake.files.set('Paper copy', serializeNotebook(emptyDoc('Paper copy')));
    await openNotebook('Paper');
    expect(useFiles.getState().current).toBe('Paper');
    expect(await saveAs()).toBe('Paper copy 2');
    expect(useFiles.getState().current).toBe('Paper copy 2');
    const copy = parseNotebook(fake.files.get('Paper copy 2')!);
    expect(copy.ok && copy.doc.title).toBe('Paper copy 2');
    expect(copy.ok && copy.doc.cells.aaaaaaaa).toEqual(doc.cells.aaaaaaaa);
    expect(copy.ok && copy.extra).toEqual({ tags: ['kept'] }); // unknown fields travel with the copy
    expect(parseNotebook(fake.files.get('Paper')!).ok).toBe(true); // the original is untouched
    expect(lastToast()).toMatch(/Saved a copy as “Paper copy 2”/);
  });

  it('tells that a notebook named by Open Recent is gone', async () => {
    PAGE_MENU_ACTIONS.openNotebook('Gone');
    await new Promise((r) => setTimeout(r, 20));
    expect(lastToast()).toMatch(/no notebook “Gone”/);
  });
});

describe('<html data-backend>', () => {
  afterEach(() => removeRun('live-run'));

  it('follows the backend of the run this page trains and keeps the last one', () => {
    const root = { dataset: {} as DOMStringMap };
    const stop = syncBackendAttribute(root);
    expect(root.dataset.backend).toBeUndefined();
    patch('live-run', { live: { state: 'running', backend: { name: 'wasm', adapter: '', fallbacks: [] } } });
    flushTouches();
    expect(root.dataset.backend).toBe('wasm');
    patch('live-run', { live: null });
    flushTouches();
    expect(root.dataset.backend).toBe('wasm'); // Help > About after the run still names it
    stop();
    patch('live-run', { live: { state: 'running', backend: { name: 'webgpu', adapter: 'x', fallbacks: [] } } });
    flushTouches();
    expect(root.dataset.backend).toBe('wasm'); // unsubscribed
  });
});

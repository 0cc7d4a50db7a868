// A fake `electron` module for loading the BUILT main and preload bundles in Node (no Electron binary here, see
// ../shared/ENV.md). It implements what the two bundles call and records it: window options, protocol handlers,
// IPC handlers, permission handlers, web-contents listeners, menus, dialogs (answered from a script), sends.
// `loadBundle` runs a CommonJS bundle with `require('electron')` answered by the fake.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as vm from 'node:vm';

type Fn = (...args: any[]) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Run the CommonJS file `file` with `electron` replaced; `as` is where it believes it lives (__filename). */
export function loadBundle(file: string, electron: object, as = file): unknown {
  const code = readFileSync(file, 'utf8');
  const real = createRequire(as);
  const require = Object.assign((id: string) => (id === 'electron' ? electron : real(id)), real);
  const module = { exports: {} as unknown };
  const wrapper = vm.runInThisContext(Module.wrap(code), { filename: as }) as Fn;
  wrapper(module.exports, require, module, as, dirname(as));
  return module.exports;
}

let nextId = 1;

export class FakeFrame {
  url = '';
  constructor(
    readonly processId: number,
    readonly routingId: number,
  ) {}
}

export class FakeWebContents extends EventEmitter {
  readonly id = nextId++;
  readonly mainFrame = new FakeFrame(100 + this.id, 1);
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: Fn | null = null;
  destroyed = false;
  reloads = 0;
  /** What executeJavaScript answers. */
  pageValue: unknown = null;
  /** Where sent messages go besides `sent` (a preload's ipcRenderer, in the round-trip tests). */
  onSend: ((channel: string, args: unknown[]) => void) | null = null;

  send(channel: string, ...args: unknown[]): void {
    const copy = structuredClone(args); // IPC copies like structured clone
    this.sent.push({ channel, args: copy });
    this.onSend?.(channel, copy);
  }
  setWindowOpenHandler(handler: Fn): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  reload(): void {
    this.reloads++;
    this.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: this.mainFrame.url });
    this.emit('did-finish-load');
  }
  async executeJavaScript(): Promise<unknown> {
    return this.pageValue;
  }
  /** Fire `name` with an event object (its preventDefault recorded, `fields` added) and `args`; was it prevented? */
  fire(name: string, fields: object, ...args: unknown[]): boolean {
    let prevented = false;
    this.emit(name, { ...fields, preventDefault: () => (prevented = true) }, ...args);
    return prevented;
  }
}

export class FakeElectron {
  readonly events = new EventEmitter();
  readonly switches: [string, string | undefined][] = [];
  readonly paths = new Map<string, string>();
  readonly privileged: unknown[] = [];
  readonly protocolHandlers = new Map<string, (req: Request) => Promise<Response>>();
  readonly ipcHandlers = new Map<string, Fn>();
  readonly windows: FakeBrowserWindow[] = [];
  readonly permission: { request: Fn | null; check: Fn | null; device: Fn | null } = {
    request: null,
    check: null,
    device: null,
  };
  readonly opened: string[] = []; // shell.openExternal
  readonly openedPaths: string[] = []; // shell.openPath
  readonly exposed: [string, unknown][] = []; // contextBridge.exposeInMainWorld
  readonly rendererListeners = new Map<string, Fn[]>(); // ipcRenderer.on
  readonly dialogs: { kind: string; options: unknown }[] = [];
  menu: { template: unknown[] } | null = null;
  quitCalls = 0;
  exitCode: number | null = null;
  themeSource = 'system';
  singleInstance = true;
  /** Scripted dialog answers: showMessageBox response, open/save dialog paths (null: cancelled). */
  answers: { messageBox: number; open: string | null; save: string | null } = { messageBox: 0, open: null, save: null };
  /** ipcRenderer.invoke goes here (the round-trip tests route it to a main handler). */
  invoke: (channel: string, args: unknown[]) => Promise<unknown> = async () => {
    throw new Error('no main process attached');
  };

  private readyResolve!: () => void;
  private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
  private isReadyFlag = false;

  constructor(dirs: { appData: string; documents: string }) {
    this.paths.set('appData', dirs.appData);
    this.paths.set('documents', dirs.documents);
  }

  /** Let app.whenReady() resolve. */
  makeReady(): void {
    this.isReadyFlag = true;
    this.readyResolve();
  }

  /** The module object the bundles get for `require('electron')`. */
  module(): Record<string, unknown> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const f = this;
    const app = {
      setName: (n: string) => f.paths.set('name', n),
      getName: () => f.paths.get('name'),
      getPath: (k: string) => {
        const p = f.paths.get(k);
        if (!p) throw new Error(`fake app.getPath: no path "${k}"`);
        return p;
      },
      setPath: (k: string, v: string) => f.paths.set(k, v),
      getVersion: () => '45.5.0',
      getGPUFeatureStatus: () => ({ webgpu: 'enabled' }),
      commandLine: { appendSwitch: (name: string, value?: string) => f.switches.push([name, value]) },
      on: (ev: string, fn: Fn) => (f.events.on(ev, fn), app),
      once: (ev: string, fn: Fn) => (f.events.once(ev, fn), app),
      requestSingleInstanceLock: () => f.singleInstance,
      quit: () => void f.quitCalls++,
      exit: (code = 0) => void (f.exitCode = code),
      whenReady: () => f.ready,
      isReady: () => f.isReadyFlag,
    };
    class BrowserWindow extends FakeBrowserWindow {
      constructor(options: Record<string, unknown>) {
        super(options, f);
      }
      static getAllWindows = () => f.windows.filter((w) => !w.destroyed);
    }
    const dialog = {
      showMessageBox: async (...a: unknown[]) => {
        f.dialogs.push({ kind: 'message', options: a[a.length - 1] });
        return { response: f.answers.messageBox, checkboxChecked: false };
      },
      showOpenDialog: async (...a: unknown[]) => {
        f.dialogs.push({ kind: 'open', options: a[a.length - 1] });
        const p = f.answers.open;
        return { canceled: p === null, filePaths: p === null ? [] : [p] };
      },
      showSaveDialog: async (...a: unknown[]) => {
        f.dialogs.push({ kind: 'save', options: a[a.length - 1] });
        const p = f.answers.save;
        return { canceled: p === null, filePath: p ?? '' };
      },
      showErrorBox: (title: string, content: string) => f.dialogs.push({ kind: 'error', options: { title, content } }),
    };
    return {
      app,
      BrowserWindow,
      dialog,
      protocol: {
        registerSchemesAsPrivileged: (schemes: unknown[]) => f.privileged.push(...schemes),
        handle: (scheme: string, handler: (req: Request) => Promise<Response>) =>
          f.protocolHandlers.set(scheme, handler),
      },
      ipcMain: {
        handle: (channel: string, fn: Fn) => {
          if (f.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
          f.ipcHandlers.set(channel, fn);
        },
      },
      Menu: {
        buildFromTemplate: (template: unknown[]) => ({ template }),
        setApplicationMenu: (menu: { template: unknown[] }) => (f.menu = menu),
      },
      nativeTheme: {
        shouldUseDarkColors: false,
        get themeSource() {
          return f.themeSource;
        },
        set themeSource(v: string) {
          f.themeSource = v;
        },
      },
      screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
      session: {
        defaultSession: {
          setPermissionRequestHandler: (fn: Fn) => (f.permission.request = fn),
          setPermissionCheckHandler: (fn: Fn) => (f.permission.check = fn),
          setDevicePermissionHandler: (fn: Fn) => (f.permission.device = fn),
        },
      },
      shell: {
        openExternal: async (url: string) => void f.opened.push(url),
        openPath: async (p: string) => (f.openedPaths.push(p), ''),
      },
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => f.exposed.push([key, api]) },
      ipcRenderer: {
        invoke: (channel: string, ...args: unknown[]) => f.invoke(channel, structuredClone(args)),
        on: (channel: string, listener: Fn) => {
          f.rendererListeners.set(channel, [...(f.rendererListeners.get(channel) ?? []), listener]);
        },
      },
    };
  }

  /** The main window (the first one created). */
  get window(): FakeBrowserWindow {
    const w = this.windows[0];
    if (!w) throw new Error('no window was created');
    return w;
  }

  /** Call the IPC handler of `channel` as the page would (sender = `contents`, from `frame`). */
  call(channel: string, args: unknown[], from: { contents?: FakeWebContents; frame?: FakeFrame | null } = {}) {
    const handler = this.ipcHandlers.get(channel);
    if (!handler) throw new Error(`no IPC handler for ${channel}`);
    const contents = from.contents ?? this.window.webContents;
    const frame = from.frame === undefined ? contents.mainFrame : from.frame;
    return handler({ sender: contents, senderFrame: frame }, ...structuredClone(args));
  }
}

export class FakeBrowserWindow extends EventEmitter {
  readonly webContents = new FakeWebContents();
  destroyed = false;
  shown = false;
  maximized = false;
  focused = 0;
  bounds: { x: number; y: number; width: number; height: number };

  constructor(
    readonly options: Record<string, unknown>,
    private readonly f: FakeElectron,
  ) {
    super();
    const o = options as { x?: number; y?: number; width: number; height: number };
    this.bounds = { x: o.x ?? 40, y: o.y ?? 30, width: o.width, height: o.height };
    f.windows.push(this);
    f.events.emit('web-contents-created', {}, this.webContents);
  }

  async loadURL(url: string): Promise<void> {
    this.webContents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url });
    this.webContents.mainFrame.url = url;
    this.emit('ready-to-show');
    this.webContents.emit('did-finish-load');
  }
  show(): void {
    this.shown = true;
  }
  maximize(): void {
    this.maximized = true;
  }
  isMaximized(): boolean {
    return this.maximized;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {
    this.focused++;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  getNormalBounds() {
    return { ...this.bounds };
  }
  /** The user closes the window. */
  close(): void {
    this.emit('close', { preventDefault() {} });
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.webContents.emit('destroyed');
    this.emit('closed');
    if (this.f.windows.every((w) => w.destroyed)) this.f.events.emit('window-all-closed');
  }
}

/** The menu item with this label, searched through every submenu. */
export function findMenuItem(template: unknown[], label: string): Record<string, Fn> | null {
  for (const item of template as Record<string, unknown>[]) {
    if (item.label === label) return item as Record<string, Fn>;
    if (Array.isArray(item.submenu)) {
      const found = findMenuItem(item.submenu, label);
      if (found) return found;
    }
  }
  return null;
}

export const bundleDir = (root: string, which: 'main' | 'preload') => join(root, 'dist', 'electron', which);

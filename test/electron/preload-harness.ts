// The browser end-to-end harness with the ELECTRON Platform: a drop-in for test/e2e/harness.ts (same exports; the
// e2e test files run unchanged, see e2e-electron.config.ts) that, instead of the web host, runs the BUILT desktop
// main process in this test process (fake `electron`, the real workspace store on the test's workspace folder) and
// gives each page in Debian's Chromium:
//   - the app:// responses of that main process (its protocol handler, so its CSP and COOP/COEP headers), served
//     over http://127.0.0.1 (Chromium cannot be handed a custom scheme here);
//   - the BUILT preload, run in the page before the app's scripts with a stand-in for `electron` whose
//     ipcRenderer.invoke is a Playwright binding into the main process's IPC handlers (sender = the window's main
//     frame) and whose listeners receive the window's webContents.send, so `window.workbench` is the real bridge
//     and renderer/platform/electron.ts is the Platform in use.
// The window has one page at a time in the app; here every page of a test shares it, and each page load starts a
// new client (as a reload does in the app), so runs a page was writing turn interrupted when another page loads.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DIST, ensureBuilt, launchBrowser, openPage as openWebPage, type App, type Host } from '../e2e/harness';
import { PRELOAD_BUNDLE, ensureElectronBuilt } from './build';
import { appFolder, startMain, type MainApp } from './main-app';

export * from '../e2e/harness';

interface AppHost {
  main: MainApp;
  pages: Set<Page>;
}
const apps = new Map<string, AppHost>(); // origin -> the app behind it

/** Bytes cannot cross a Playwright binding as they are: tagged base64 both ways. */
const BYTES = '__bytes_base64__';
function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o[BYTES] === 'string') return new Uint8Array(Buffer.from(o[BYTES], 'base64'));
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}
function encode(v: unknown): unknown {
  if (v instanceof Uint8Array) return { [BYTES]: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

/** The page-side stand-in for `electron` and the built preload, run before any script of the page. */
function initScript(preloadCode: string): string {
  return `(() => {
  const BYTES = ${JSON.stringify(BYTES)};
  const toB64 = (u8) => { let s = ''; for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000)); return btoa(s); };
  const fromB64 = (b) => { const s = atob(b); const u8 = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u8[i] = s.charCodeAt(i); return u8; };
  const encode = (v) => v instanceof Uint8Array ? { [BYTES]: toB64(v) } : Array.isArray(v) ? v.map(encode)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)])) : v;
  const decode = (v) => Array.isArray(v) ? v.map(decode) : v && typeof v === 'object'
    ? (typeof v[BYTES] === 'string' ? fromB64(v[BYTES]) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]))) : v;
  const invoke = window.__workbenchInvoke;
  delete window.__workbenchInvoke;
  const listeners = new Map();
  Object.defineProperty(window, '__workbenchDeliver', {
    value: (channel, payload) => { for (const f of listeners.get(channel) || []) f({}, ...decode(payload)); },
  });
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key, api) => Object.defineProperty(window, key, { value: api, enumerable: true }),
    },
    ipcRenderer: {
      invoke: (channel, ...args) => invoke(channel, encode(args)).then(decode),
      on: (channel, f) => listeners.set(channel, [...(listeners.get(channel) || []), f]),
    },
  };
  const require = (id) => { if (id === 'electron') return electron; throw new Error('the sandboxed preload cannot require ' + id); };
  const module = { exports: {} };
  (function (exports, require, module) {
${preloadCode}
  })(module.exports, require, module);
})();`;
}

/** Start the desktop app's main process on `workspace` (default: a fresh temporary folder), served over http. */
export async function startHost(workspace = mkdtempSync(join(tmpdir(), 'swhwb-e2e-electron-'))): Promise<Host> {
  await ensureBuilt();
  await ensureElectronBuilt();
  const main = await startMain({ dir: appFolder({ distDir: DIST, workspace }) });
  const handler = main.fake.protocolHandlers.get('app')!;
  const server = http.createServer((req, res) => {
    handler(new Request(`app://workbench${req.url ?? '/'}`, { method: req.method }))
      .then(async (r) => {
        const headers: Record<string, string> = {};
        r.headers.forEach((value, name) => (headers[name] = value));
        res.writeHead(r.status, headers);
        res.end(Buffer.from(await r.arrayBuffer()));
      })
      .catch((e) => (res.writeHead(500), res.end(String(e))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const app: AppHost = { main, pages: new Set() };
  apps.set(origin, app);
  // The window's webContents.send reaches every page's preload listeners.
  main.fake.window.webContents.onSend = (channel, args) => {
    for (const page of app.pages)
      page
        .evaluate(([c, p]) => (window as any).__workbenchDeliver?.(c, p), [channel, encode(args)] as const) // eslint-disable-line @typescript-eslint/no-explicit-any
        .catch(() => {});
  };
  return {
    url: `${origin}/`,
    origin,
    workspace: main.workspace,
    stop: async () => {
      apps.delete(origin);
      main.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Give the pages of `context` the built preload, talking to the main process behind `host`. */
export async function installPreload(context: BrowserContext, host: Host): Promise<void> {
  const app = apps.get(host.origin);
  if (!app) throw new Error(`no desktop app runs at ${host.origin}: start it with this harness's startHost`);
  const contents = app.main.fake.window.webContents;
  await context.exposeBinding('__workbenchInvoke', async (_source, channel: string, payload: unknown) =>
    encode(await app.main.fake.call(channel, decode(payload) as unknown[])),
  );
  await context.addInitScript(initScript(readFileSync(PRELOAD_BUNDLE, 'utf8')));
  context.on('page', (page) => {
    app.pages.add(page);
    page.on('close', () => app.pages.delete(page));
    page.on('request', (req) => {
      if (req.isNavigationRequest() && req.frame() === page.mainFrame())
        contents.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: req.url() });
    });
    page.on('load', () => contents.emit('did-finish-load'));
  });
}

/** As test/e2e/harness.ts's openPage, with the desktop app's preload in the page. */
export async function openPage(
  browser: Browser,
  host: Host,
  opts: { colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const opened = await openWebPage(browser, host, { ...opts, prepare: (context) => installPreload(context, host) });
  const bridged = await opened.page.evaluate(() => typeof (window as { workbench?: unknown }).workbench === 'object');
  if (!bridged) throw new Error('the preload did not expose window.workbench in the page');
  return opened;
}

/** As test/e2e/harness.ts's openApp, on this harness's host and pages (a local export wins over `export *`). */
export async function openApp(workspace?: string): Promise<App> {
  const host = await startHost(workspace);
  const browser = await launchBrowser();
  return { host, browser, ...(await openPage(browser, host)) };
}

/** As test/e2e/harness.ts's savedExport, in the desktop app: the native save dialog is answered with a file in a
 *  fresh folder, and its suggested name (the dialog's defaultPath) and the bytes the main process wrote come back. */
export async function savedExport(page: Page, trigger: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const app = apps.get(new URL(page.url()).origin);
  if (!app) throw new Error(`no desktop app behind ${page.url()}`);
  const { fake } = app.main;
  const dir = mkdtempSync(join(tmpdir(), 'swhwb-save-'));
  const file = join(dir, 'saved');
  const asked = fake.dialogs.length;
  fake.answers.save = file;
  try {
    await trigger();
    for (let waited = 0; !existsSync(file); waited += 100) {
      if (waited > 60_000) throw new Error('the desktop app saved nothing within 60 s of the export');
      await new Promise((r) => setTimeout(r, 100));
    }
    const dialog = fake.dialogs.slice(asked).find((d) => d.kind === 'save');
    const suggested = (dialog?.options as { defaultPath?: string } | undefined)?.defaultPath ?? '';
    return { name: basename(suggested), bytes: readFileSync(file) };
  } finally {
    fake.answers.save = null;
    rmSync(dir, { recursive: true, force: true });
  }
}

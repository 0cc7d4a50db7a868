// The built main process's security wiring, loaded with a fake `electron` (no Electron binary here): the window's
// web preferences, app:// with its CSP and cross-origin isolation, exactly one IPC channel per Platform operation,
// each refusing foreign senders, malformed and oversized payloads and paths outside the workspace (nothing written),
// navigation and new windows denied, https-only external links, every permission denied.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_OPS } from '../../engine/contracts/platform';
import { FakeFrame, FakeWebContents } from './fake-electron';
import { snapshot, startMain, type MainApp } from './main-app';

let m: MainApp;
const MiB = 1 << 20;

beforeAll(async () => {
  m = await startMain();
}, 180_000);
afterAll(() => m?.stop());

const contents = () => m.fake.window.webContents;

describe('before the app is ready', () => {
  it('registers app:// as a privileged, secure standard scheme and sets the WebGPU switches on Linux', () => {
    expect(m.fake.privileged).toEqual([
      {
        scheme: 'app',
        privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
      },
    ]);
    const names = m.fake.switches.map(([n, v]) => (v ? `${n}=${v}` : n));
    if (process.platform === 'linux') {
      expect(names).toContain('enable-unsafe-webgpu');
      expect(names.find((n) => n.startsWith('enable-features='))).toMatch(/Vulkan/);
    }
  });
});

describe('the window', () => {
  it('is sandboxed, context-isolated, without Node, with web security, and loads app://workbench', () => {
    const win = m.fake.window;
    const prefs = win.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(prefs.allowRunningInsecureContent).not.toBe(true);
    expect(prefs.experimentalFeatures).not.toBe(true);
    expect('enableBlinkFeatures' in prefs).toBe(false);
    expect(prefs.preload).toBe(path.join(m.appDir, 'dist/electron/preload/index.cjs'));
    expect(contents().mainFrame.url).toBe('app://workbench/index.html');
    expect(win.shown).toBe(true);
  });
});

describe('app:// responses', () => {
  const get = (url: string, method = 'GET') => m.fake.protocolHandlers.get('app')!(new Request(url, { method }));

  it('serve the bundle with a strict CSP and the web host cross-origin isolation headers', async () => {
    for (const [url, type] of [
      ['app://workbench/index.html', 'text/html; charset=utf-8'],
      ['app://workbench/assets/index-abc123.js', 'text/javascript; charset=utf-8'],
      ['app://workbench/wasm/tfjs-backend-wasm.wasm', 'application/wasm'],
      ['app://workbench/some/page', 'text/html; charset=utf-8'], // the app's own page paths: index.html
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      const csp = res.headers.get('content-security-policy') ?? '';
      const directive = (name: string) =>
        csp
          .split(';')
          .map((d) => d.trim())
          .find((d) => d.startsWith(name + ' '));
      expect(directive('default-src')).toBe("default-src 'none'");
      expect(directive('script-src')).toBe("script-src 'self' 'wasm-unsafe-eval' blob:");
      expect(directive('worker-src')).toBe("worker-src 'self' blob:");
      expect(directive('connect-src')).toBe("connect-src 'self'");
      expect(directive('object-src')).toBe("object-src 'none'");
      expect(csp).not.toMatch(/'unsafe-eval'/);
      expect(csp).not.toMatch(/https?:|\*/); // nothing remote, no wildcards
    }
    expect(await (await get('app://workbench/index.html')).text()).toContain('<title>Workbench</title>');
    expect((await get('app://workbench/index.html', 'HEAD')).status).toBe(200);
  });

  it('refuse traversal, other hosts, missing files and writes, still with the CSP', async () => {
    fs.writeFileSync(path.join(m.appDir, 'dist', 'secret.txt'), 'outside the bundle');
    for (const [url, status] of [
      ['app://workbench/%2e%2e/secret.txt', 404], // the URL parser makes this /secret.txt: inside, and missing
      ['app://workbench/%2E%2E%5Csecret.txt', 400], // an encoded backslash inside a segment
      ['app://workbench/assets/..%2f..%2fsecret.txt', 400],
      ['app://workbench/assets/missing.js', 404],
      ['app://elsewhere/index.html', 404],
    ] as const) {
      const res = await get(url);
      expect(res.status, url).toBe(status);
      expect(await res.text()).not.toContain('outside the bundle');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    expect((await get('app://workbench/index.html', 'POST')).status).toBe(405);
  });
});

describe('IPC', () => {
  it('registers exactly one channel per Platform operation', () => {
    expect([...m.fake.ipcHandlers.keys()].sort()).toEqual(Object.keys(PLATFORM_OPS).sort());
  });

  it('answers the window page through the workspace store', async () => {
    const info = await m.call('workspaceInfo');
    expect(info).toMatchObject({ ok: true, result: { host: 'electron', root: m.workspace } });
    expect(fs.existsSync(path.join(m.workspace, 'notebooks'))).toBe(true);
    const created = await m.call('createNotebook', 'First', '{"format":"switchhead-notebook"}');
    expect(created.ok).toBe(true);
    expect(fs.readFileSync(path.join(m.workspace, 'notebooks', 'First.swhnb.json'), 'utf8')).toContain('switchhead');
  });

  it('refuses a payload of the wrong shape, naming the operation and argument, and writes nothing', async () => {
    const before = snapshot(m.workspace);
    const r = await m.call('writeNotebook', 42, 'text', null);
    expect(r).toMatchObject({ ok: false, error: { name: 'InvalidRequest' } });
    expect(r.error!.message).toMatch(/^writeNotebook: argument 0: /);
    const r2 = await m.call('writeRun', 'run-1', { kind: 'metrics', rows: 'not rows' });
    expect(r2.error?.name).toBe('InvalidRequest');
    const r3 = await m.call('createNotebook', 'x'); // too few arguments
    expect(r3.error?.name).toBe('InvalidRequest');
    expect(snapshot(m.workspace)).toEqual(before);
  });

  it('refuses calls that do not come from the window page, and writes nothing', async () => {
    const before = snapshot(m.workspace);
    const args = ['Planted', '{}'];
    const other = new FakeWebContents();
    other.mainFrame.url = 'app://workbench/index.html';
    const subframe = new FakeFrame(contents().mainFrame.processId, 99);
    subframe.url = 'app://workbench/index.html';
    const elsewhere = new FakeFrame(contents().mainFrame.processId, contents().mainFrame.routingId);
    elsewhere.url = 'https://evil.example/page';
    const cases: [string, Parameters<typeof m.fake.call>[2], RegExp][] = [
      ['another web contents', { contents: other }, /another web contents/],
      ['a subframe', { frame: subframe }, /subframe/],
      ['a page elsewhere', { frame: elsewhere }, /https:\/\/evil\.example/],
      ['a frame that is gone', { frame: null }, /frame is gone/],
    ];
    for (const [what, from, why] of cases) {
      const r = await m.fake.call('createNotebook', args, from);
      expect(r.ok, what).toBe(false);
      expect(r.error.name, what).toBe('Unauthorized');
      expect(r.error.message, what).toMatch(/^createNotebook: refused: /);
      expect(r.error.message, what).toMatch(why);
    }
    expect(snapshot(m.workspace)).toEqual(before);
  });

  it('refuses an oversized payload before validating or writing it', async () => {
    const before = snapshot(m.workspace);
    const big = 'x'.repeat(33 * MiB);
    const r = await m.call('writeNotebook', 'Big', big, null);
    expect(r).toMatchObject({ ok: false, error: { name: 'TooLarge' } });
    expect(r.error!.message).toBe('writeNotebook: the payload is larger than the 32 MiB limit');
    const rows = Array.from({ length: 40 }, () => ({ step: 1, blob: 'y'.repeat(MiB) })); // nested, 40 MiB in all
    const r2 = await m.call('writeRun', 'some-run', { kind: 'metrics', rows });
    expect(r2.error?.name).toBe('TooLarge');
    expect(snapshot(m.workspace)).toEqual(before);
  });

  it('refuses paths outside the workspace', async () => {
    const before = snapshot(m.workspace);
    const spec = { name: 'x', data: { source: { kind: 'file', path: '../../../../etc/passwd' } } };
    const r = await m.call('loadDataSources', spec);
    expect(r.error?.name).toMatch(/OutsideWorkspace|InvalidRequest/);
    fs.symlinkSync('/etc', path.join(m.workspace, 'runs', 'escape'));
    const r2 = await m.call('readRun', 'escape', { metricsOffset: 0, routingOffset: 0 });
    expect(r2).toMatchObject({ ok: false, error: { name: 'OutsideWorkspace' } });
    expect((await m.call('readNotebook', '../settings')).error?.name).toBe('InvalidRequest');
    fs.rmSync(path.join(m.workspace, 'runs', 'escape'));
    expect(snapshot(m.workspace)).toEqual(before);
  });
});

describe('navigation, new windows, permissions', () => {
  it('denies every navigation; https links go to the browser, nothing else does', () => {
    const c = contents();
    for (const url of [
      'https://arxiv.org/abs/2312.07987',
      'http://example.com/',
      'file:///etc/passwd',
      'app://workbench/x',
    ])
      expect(c.fire('will-navigate', { url }, url), url).toBe(true);
    expect(c.fire('will-frame-navigate', { isMainFrame: false, url: 'app://workbench/' })).toBe(true);
    expect(c.fire('will-attach-webview', {}, {}, { src: 'https://example.com' })).toBe(true);
    expect(m.fake.opened).toEqual(['https://arxiv.org/abs/2312.07987']);
  });

  it('denies window.open, opening only https URLs in the browser', () => {
    const open = contents().windowOpenHandler!;
    m.fake.opened.length = 0;
    for (const url of ['https://example.com/docs', 'http://example.com/', 'javascript:alert(1)', 'app://workbench/'])
      expect(open({ url }), url).toEqual({ action: 'deny' });
    expect(m.fake.opened).toEqual(['https://example.com/docs']);
  });

  it('denies every permission request and check', () => {
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'midi', 'openExternal']) {
      let granted: boolean | null = null;
      m.fake.permission.request!(contents(), permission, (g: boolean) => (granted = g), {});
      expect(granted, permission).toBe(false);
      expect(m.fake.permission.check!(contents(), permission, 'app://workbench', {}), permission).toBe(false);
    }
    expect(m.fake.permission.device!({ deviceType: 'hid', origin: 'app://workbench' })).toBe(false);
  });
});

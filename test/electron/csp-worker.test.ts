// The app's Content-Security-Policy against what it must allow: the engine worker (a module worker) training on
// tfjs wasm in Debian's Chromium, every response carrying exactly the headers app:// sends (appHeaders: the CSP and
// the web host's COOP/COEP). The page is cross-origin isolated, the worker trains, and Chromium reports no CSP
// violation; eval stays refused.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize, resolve, sep } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appHeaders } from '../../electron/main/csp';
import { mimeType } from '../../electron/host/static-files';
import { bundle, CHROMIUM, launch, removeDir } from '../browser/harness';
import type { ScenarioResult } from '../browser/page';
import { tinySpec } from '../worker/fixtures';

const ROOT = resolve(import.meta.dirname, '../..');
const PAGE =
  '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="/page.js"></script>';
// A page script (page.evaluate's code is exempt from the CSP; a script the page loads is not).
const EVAL_PROBE = `const tries = { eval: () => (0, eval)('1 + 1'), fn: () => new Function('return 2')() };
globalThis.evalProbe = Object.fromEntries(Object.entries(tries).map(([k, f]) => {
  try { return [k, 'ran: ' + f()]; } catch (e) { return [k, e.name]; }
}));`;

let dir = '';
let server: Server;
let origin = '';
let browser: Browser;

/** `dir` at /, tfjs-backend-wasm's binaries at /wasm/, every response with the app:// headers. */
async function serveWithAppHeaders(): Promise<void> {
  const wasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') return void res.writeHead(200, appHeaders('text/html; charset=utf-8')).end(PAGE);
    if (path === '/eval-probe.js') return void res.writeHead(200, appHeaders('text/javascript')).end(EVAL_PROBE);
    const [base, rel] = path.startsWith('/wasm/') ? [wasmDir, path.slice(6)] : [dir, path.slice(1)];
    const file = normalize(join(base, rel));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile())
      return void res.writeHead(404, appHeaders('text/plain')).end('not found');
    res.writeHead(200, appHeaders(mimeType(file)));
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dir = await bundle({ page: 'test/browser/page.ts', worker: 'engine/worker.ts' });
  await serveWithAppHeaders();
  browser = await launch(false);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  server?.close();
  if (dir) removeDir(dir);
});

describe('the app CSP', () => {
  it('lets the engine worker train on wasm, cross-origin isolated, with no violation; eval stays refused', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(`console: ${m.text()}`);
    });
    page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && problems.push(`worker: ${m.text()}`)));
    await page.goto(origin + '/');
    await page.waitForFunction(() => document.title === 'worker-test-ready');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const r = await page.evaluate(
      (o) => (globalThis as unknown as { scenario(o: unknown): Promise<ScenarioResult> }).scenario(o),
      { spec: tinySpec({ steps: 30 }), pauseAt: 3, stopAt: 12 },
    );
    expect(r.failures).toEqual([]);
    expect(r.ready.backend).toBe('wasm');
    expect(r.stoppedAt).toBeGreaterThanOrEqual(12);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(r.loss.slice(-4))).toBeLessThan(mean(r.loss.slice(0, 4)));
    expect(problems).toEqual([]);
    await page.addScriptTag({ url: '/eval-probe.js' });
    expect(await page.evaluate(() => (globalThis as { evalProbe?: unknown }).evalProbe)).toEqual({
      eval: 'EvalError',
      fn: 'EvalError',
    });
    await page.close();
  }, 240_000);
});

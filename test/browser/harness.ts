// Browser test harness: esbuild bundles a test page and engine/worker.ts, a static server on 127.0.0.1 (random
// port) serves them plus tfjs-backend-wasm's .wasm files, and playwright-core drives Debian's Chromium.
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'; // npm test (tools/test.mjs) finds it
const ROOT = resolve(import.meta.dirname, '../..');
export const BASE_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Bundle `entries` ({ outName: sourcePath relative to the repo }) as ES modules for the browser. */
export async function bundle(entries: Record<string, string>): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'shwb-browser-'));
  await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, join(ROOT, v)])),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir,
    logLevel: 'error',
    sourcemap: 'inline',
  });
  return outdir;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain',
};
const PAGE =
  '<!doctype html><meta charset="utf-8"><title>loading</title><script type="module" src="/page.js"></script>';

/** Serve `dir` at / (index: the test page) and the wasm backend's dist folder at /wasm/, on 127.0.0.1:<random>. */
export async function serve(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const wasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    const [base, rel] = path.startsWith('/wasm/') ? [wasmDir, path.slice(6)] : [dir, path.slice(1)];
    const file = normalize(join(base, rel));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile())
      return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(() => ok())) };
}

export async function launch(webgpu: boolean): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: webgpu ? [...BASE_FLAGS, '--enable-unsafe-webgpu'] : BASE_FLAGS,
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

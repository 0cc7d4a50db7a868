// What the UI benchmarks share: headless Chromium (Debian's, or CHROMIUM_PATH, with the flags that work here:
// shared/ENV.md), and a test page (test/e2e/pages/*.tsx) bundled with esbuild and served on 127.0.0.1:<random>.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The median (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Two decimals, for printed figures. */
export const round = (x: number) => Math.round(x * 100) / 100;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface BundleOptions {
  production?: boolean; // React's production build (default), as the app ships
  minify?: boolean; // default: when production (off: readable profiles)
}

export interface PageSite {
  url: string;
  close(): Promise<void>;
}

/** Bundle the page at `entry` (a path from the repository root; tools import nothing from test/) with the CSS its
 *  components import, and serve it as `/` (a `#root` element, page.css, page.js). */
export async function servePage(entry: string, title: string, opts: BundleOptions = {}): Promise<PageSite> {
  const dir = mkdtempSync(join(tmpdir(), 'shwb-page-'));
  const production = opts.production ?? true;
  await esbuild.build({
    entryPoints: { page: join(ROOT, entry) },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: dir,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    minify: opts.minify ?? production,
    logLevel: 'error',
  });
  const files: Record<string, [string, Buffer]> = {
    '/page.js': ['text/javascript', readFileSync(join(dir, 'page.js'))],
    '/page.css': ['text/css', readFileSync(join(dir, 'page.css'))],
  };
  const html =
    `<!doctype html><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="/page.css">` +
    '<div id="root"></div><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    const f = files[path];
    if (f) return void res.writeHead(200, { 'content-type': f[0] }).end(f[1]);
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`,
    async close() {
      await new Promise((ok) => server.close(ok));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

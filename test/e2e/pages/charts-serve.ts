// Builds and serves the chart test page (esbuild, React in production mode like the app's bundle) and opens it in
// Debian's Chromium: shared by test/e2e/charts.test.ts and tools/bench-ui.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launch, removeDir, serve } from '../../browser/harness';

const ROOT = resolve(import.meta.dirname, '../../..');

export interface ChartsSite {
  url: string;
  browser: Browser;
  open(query: string, opts?: { width?: number; height?: number; dark?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export interface BundleOptions {
  production?: boolean; // React's production build (default), as the app ships
  minify?: boolean; // default: when production (off: readable profiles)
}

export async function bundleChartsPage(opts: BundleOptions = {}): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'shwb-charts-'));
  const production = opts.production ?? true;
  await esbuild.build({
    entryPoints: { page: join(ROOT, 'test/e2e/pages/charts-page.tsx') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': JSON.stringify(production ? 'production' : 'development') },
    minify: opts.minify ?? production,
    logLevel: 'error',
  });
  return outdir;
}

export async function openChartsSite(opts: BundleOptions = {}): Promise<ChartsSite> {
  const dir = await bundleChartsPage(opts);
  const server = await serve(dir);
  const browser = await launch(false);
  return {
    url: server.url,
    browser,
    async open(query, o = {}) {
      const page = await browser.newPage({
        viewport: { width: o.width ?? 1200, height: o.height ?? 900 },
        colorScheme: o.dark ? 'dark' : 'light',
      });
      await page.goto(`${server.url}?${query}`);
      await page.waitForFunction(() => window.__charts?.ready === true, null, { timeout: 60_000 });
      return page;
    },
    async close() {
      await browser.close();
      await server.close();
      removeDir(dir);
    },
  };
}

// The real renderer bundle (dist/renderer) as the desktop app shows it, in Debian's Chromium: app:// responses of the
// BUILT main process (CSP, COOP/COEP), the BUILT preload in the page, IPC into the real workspace store
// (test/electron/preload-harness.ts). The page uses the electron Platform (window.workbench), is cross-origin
// isolated, boots without a CSP violation, and what it does lands in the workspace folder. The whole browser e2e
// suite runs this way with `npx vitest run --config test/electron/e2e-electron.config.ts`.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, startHost, type Host } from './preload-harness';
import { PLATFORM_OPS } from '../../engine/contracts/platform';

let host: Host;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 20_000, interval: 50 });

beforeAll(async () => {
  host = await startHost();
  browser = await launchBrowser();
  ({ context, page, errors } = await openPage(browser, host));
  await context.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as { cspViolations?: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.reload();
}, 300_000);
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await host?.stop();
});

describe('the renderer in the desktop app', () => {
  it('talks to the main process through window.workbench, cross-origin isolated, with no CSP violation', async () => {
    const facts = await page.evaluate(async () => {
      const w = window as unknown as { workbench: Record<string, (...a: unknown[]) => Promise<unknown>> };
      return {
        keys: Object.keys(w.workbench).sort(),
        isolated: crossOriginIsolated,
        info: await w.workbench.workspaceInfo(),
      };
    });
    expect(facts.isolated).toBe(true);
    expect(facts.info).toMatchObject({ ok: true, result: { host: 'electron', root: host.workspace } });
    expect(facts.keys).toEqual([...Object.keys(PLATFORM_OPS), 'watch'].sort()); // one function per operation + watch
    await poll(() => page.getByText('No notebooks yet.').count()).toBe(1);
    expect(await page.evaluate(() => (globalThis as { cspViolations?: string[] }).cspViolations)).toEqual([]);
  });

  it('creates and edits a notebook: the file is written in the workspace through IPC', async () => {
    await page.getByRole('button', { name: 'New notebook' }).first().click();
    await poll(() => page.getByRole('heading', { level: 1, name: 'Untitled' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Add Note cell' }).click();
    await page.getByRole('textbox', { name: 'Note markdown' }).fill('Written in the desktop app, $k$ of $E$.');
    await page.getByRole('textbox', { name: 'Note markdown' }).press('Escape');
    await poll(() => page.getByRole('status').filter({ hasText: 'Saved ✓' }).count()).toBe(1);
    const file = join(host.workspace, 'notebooks', 'Untitled.swhnb.json');
    await poll(() => existsSync(file) && readFileSync(file, 'utf8').includes('Written in the desktop app')).toBe(true);
    await poll(() => page.locator('.katex').count()).toBe(2); // KaTeX renders under the CSP
    expect(await page.evaluate(() => (globalThis as { cspViolations?: string[] }).cspViolations)).toEqual([]);
  });

  it('keeps the notebook over a reload (the window reopening)', async () => {
    await page.reload();
    await poll(() => page.getByText('Written in the desktop app', { exact: false }).count()).toBeGreaterThan(0);
    expect(errors.filter((e) => !e.startsWith('http 404'))).toEqual([]);
  });
});

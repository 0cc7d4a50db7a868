// End-to-end harness: builds dist/renderer once (a lock keeps parallel test files from building at the same time),
// starts the web host as `npm run web` does (its package.json script, in a child process, on a free port, with a
// temporary workspace), launches Debian's Chromium through playwright-core, and saves screenshots to
// test-artifacts/screenshots/<test>-<view>.png.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { viteBuildEnv } from '../../electron/host/build';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist/renderer');
export const SHOTS = join(ROOT, 'test-artifacts/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'; // npm test (tools/test.mjs) finds it
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      if (name !== 'node_modules' && name !== 'node') newest = Math.max(newest, newestSource(p));
    } else newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  const index = join(DIST, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return ['renderer', 'engine', 'experiments'].some((d) => newestSource(join(ROOT, d)) > built);
}

/** `vite build` in a child process, awaited (never blocking this process: vitest's worker must keep answering). */
function buildRenderer(): Promise<void> {
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  const child = spawn(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts'], {
    cwd: ROOT,
    env: viteBuildEnv(), // production, not vitest's NODE_ENV=test
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  return new Promise((ok, fail) => {
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`vite build failed (exit ${code}):\n${log}`))));
  });
}

/** Build dist/renderer if it is missing or older than its sources; one builder at a time across processes. */
export async function ensureBuilt(): Promise<void> {
  const lock = join(ROOT, 'dist/.e2e-build-lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 600_000) throw new Error(`e2e: ${lock} held for 10 minutes; remove it if no build is running`);
      await sleep(500);
    }
  }
  try {
    if (!isStale()) return;
    await buildRenderer();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The command `npm run web` runs (package.json scripts.web), split into program and arguments. */
function webCommand(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const parts = pkg.scripts.web.split(/\s+/);
  return parts[0] === 'node' ? [process.execPath, ...parts.slice(1)] : parts;
}

export interface Host {
  url: string; // with ?token=
  origin: string;
  workspace: string;
  stop(): Promise<void>;
}

/** Start the web host on a free port with `workspace` (default: a fresh temporary folder). */
export async function startHost(workspace = mkdtempSync(join(tmpdir(), 'swhwb-e2e-'))): Promise<Host> {
  await ensureBuilt();
  const [cmd, ...args] = webCommand();
  const child: ChildProcess = spawn(cmd, [...args, '--port', '0', '--workspace', workspace, '--no-open'], {
    cwd: ROOT,
    env: { ...process.env, WORKBENCH_DIST_DIR: DIST },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`web host did not start in 60 s:\n${err}`)), 60_000);
    child.stdout?.on('data', (d) => {
      out += d;
      const m = /Workbench at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`web host exited (${code}) before printing its address:\n${err}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  return { url, origin: new URL(url).origin, workspace, stop };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A fresh browser context (own storage) with a page open at the host, errors from the page collected.
 *  `prepare` runs on the context before the page opens (the electron harness installs its preload there). */
export async function openPage(
  browser: Browser,
  host: Host,
  opts: { colorScheme?: 'light' | 'dark'; prepare?: (context: BrowserContext) => Promise<void> } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1360, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
  });
  await opts.prepare?.(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && errors.push(`http ${r.status()}: ${r.url()}`));
  await page.goto(host.url);
  return { context, page, errors };
}

/** Save a screenshot as test-artifacts/screenshots/<test>-<view>.png; returns its path. */
export async function screenshot(page: Page, test: string, view: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const file = join(SHOTS, `${test}-${view}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

export interface App {
  host: Host;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  errors: string[];
}

/** The web host on `workspace` (a fresh one by default), Chromium, and a page open at the workbench. */
export async function openApp(workspace?: string): Promise<App> {
  const host = await startHost(workspace);
  const browser = await launchBrowser();
  return { host, browser, ...(await openPage(browser, host)) };
}

/** Close what openApp opened (any part may be missing when beforeAll failed). */
export async function closeApp(app: Partial<App>): Promise<void> {
  await app.context?.close();
  await app.browser?.close();
  await app.host?.stop();
}

/** The first Experiment cell of the page. */
export function experimentCell(page: Page): Locator {
  return page.locator('section.cell[data-kind="experiment"]').first();
}

/** Set one field of an Experiment cell's spec form (opening the form when it is closed), as a person types it. */
export async function setSpecField(cell: Locator, label: string, value: string): Promise<void> {
  const edit = cell.getByRole('button', { name: 'Edit spec' });
  if ((await edit.getAttribute('aria-pressed')) !== 'true') await edit.click();
  const f = cell.getByLabel(label, { exact: true });
  await f.fill(value);
  await f.blur();
}

/** What the app saved when `trigger` exported something: in the browser a download (its suggested name and bytes).
 *  The electron harness answers the native save dialog instead (test/electron/preload-harness.ts). */
export async function savedExport(page: Page, trigger: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), trigger()]);
  return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
}

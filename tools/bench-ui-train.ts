// Training speed in the app against the CLI, for `npm run bench:ui` (tools/bench-ui.ts calls trainSpeed). Note: it
// reports `longest_task_ms` as the issue defines it (while a run trains); chart_redraw's own figure is
// `chart_longest_task_ms` (the longest task while the loss chart redraws).
//   app_tokens_per_s  the teach-copy preset trained by the page's engine worker (headless Chromium, the web host),
//   cli_tokens_per_s  the same preset and steps by `npm run experiment` (wasm, in-process), one after the other;
//                     medians of 3 runs each, alternating (the machine is shared: single runs vary by 2x here),
//   app_vs_cli        their ratio (target: within 15%, i.e. >= 0.85),
//   threaded_wasm     whether the page's worker runs tfjs-backend-wasm's threaded build (cross-origin isolated page),
//   wasm_threads      XNNPACK's thread pool size in the page's worker,
//   longest_task_ms   the longest main-thread task of the page while the run trains (PerformanceObserver
//                     'longtask': tasks over 50 ms; 0 when there was none), long_tasks_over_50ms how many.
// Tokens per second are measured from the run's metrics.jsonl (tokens and training wall time between the first
// row after the warm-up rows and the last), the same way for both, so evaluation time counts for neither.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { buildReason, VITE_CONFIG, viteBuildEnv } from '../electron/host/build';
import { startHost } from '../electron/host/server';
import { launchChromium } from './bench-page';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist/renderer');

export interface TrainSpeedOptions {
  preset?: string; // default teach-copy
  steps?: number; // default 150
  skip?: number; // rows left out at the start (JIT, first allocations); default 10
  repeats?: number; // runs of each, alternating; default 3 (medians: the machine is shared)
}

type Row = { step: number; tokens: number; time_s: number; split: string };

/** tokens/s of a run directory's training rows after the first `skip`. */
export function tokensPerSecond(runDir: string, skip: number): number {
  const rows = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row)
    .filter((r) => r.split === 'train');
  const a = rows[Math.min(skip, rows.length - 2)];
  const b = rows[rows.length - 1];
  return (b.tokens - a.tokens) / (b.time_s - a.time_s);
}

const round = (x: number) => Math.round(x * 100) / 100;

async function cliRun(preset: string, steps: number, out: string): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'engine/node/cli/experiment.ts', preset, '--steps', String(steps), '--out', out],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '',
    stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((ok) => child.on('exit', ok));
  if (code !== 0) throw new Error(`npm run experiment failed (${code}):\n${stderr}`);
  return stdout.trim().split('\n').at(-1)!;
}

/** vite build when dist/renderer is missing or older than its sources (by path: vite's package exports hide it). */
function buildIfStale(): void {
  const reason = buildReason(ROOT, DIST);
  if (!reason) return;
  process.stderr.write(`building the workbench UI (${reason}) ...\n`);
  const vite = join(ROOT, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', VITE_CONFIG], {
    cwd: ROOT,
    env: viteBuildEnv(),
    stdio: 'ignore',
  });
  if (r.status !== 0) throw new Error(`vite build failed (exit ${r.status})`);
}

interface AppRun {
  dir: string;
  backend: string; // the badge's accessible name: "Backend: wasm, SIMD, threaded build, 1 thread. Details"
  longTasks: number[];
}

/** One run of the preset in a fresh page of the app (a new notebook, one Experiment cell), to completion. */
async function appRun(browser: Browser, url: string, runs: string, preset: string, steps: number): Promise<AppRun> {
  const before = new Set(existsSync(runs) ? readdirSync(runs) : []);
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    await page.getByRole('button', { name: 'New notebook' }).first().click();
    await page.getByRole('button', { name: 'Add Experiment cell' }).click();
    const cell = page.locator('section.cell[data-kind="experiment"]').first();
    await cell.getByLabel('Preset').selectOption(preset);
    await cell.getByLabel('steps', { exact: true }).fill(String(steps));
    await cell.getByLabel('steps', { exact: true }).blur();
    await cell.getByRole('button', { name: 'Edit spec' }).click();
    await cell.getByRole('group', { name: 'Run controls' }).getByRole('button', { name: 'Run', exact: true }).click();
    const badge = cell.getByRole('button', { name: /^Backend: / });
    await badge.waitFor({ timeout: 120_000 });
    const backend = (await badge.getAttribute('aria-label')) ?? '';
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks.length = 0)); // training only
    // a plain CSS query, polled rarely: Playwright's role queries compute accessible names over the whole page on the
    // page's main thread, and would be the longest tasks measured
    await page.waitForFunction(
      () => !!document.querySelector('section.cell[data-kind="experiment"] button[aria-label^="Run 1: complete"]'),
      null,
      { timeout: 600_000, polling: 1000 },
    );
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const id = readdirSync(runs).find((r) => !before.has(r));
    if (!id) throw new Error('the app run left no run directory');
    return { dir: join(runs, id), backend, longTasks };
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** `repeats` pairs of runs, CLI then app, one after the other (never two at once); medians of each. */
export async function trainSpeed(o: TrainSpeedOptions = {}): Promise<Record<string, number | boolean | string>> {
  const preset = o.preset ?? 'teach-copy';
  const steps = o.steps ?? 150;
  const skip = o.skip ?? 10;
  const repeats = o.repeats ?? 3;
  const cliOut = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  const workspace = mkdtempSync(join(tmpdir(), 'bench-app-'));
  buildIfStale();
  const host = await startHost({ workspace, distDir: DIST, log: () => {} });
  const browser = await launchChromium();
  try {
    const cli: number[] = [],
      app: number[] = [],
      longTasks: number[] = [];
    let backend = '';
    for (let i = 0; i < repeats; i++) {
      cli.push(tokensPerSecond(await cliRun(preset, steps, cliOut), skip));
      const r = await appRun(browser, host.url, join(workspace, 'runs'), preset, steps);
      app.push(tokensPerSecond(r.dir, skip));
      longTasks.push(...r.longTasks);
      backend = r.backend;
    }
    const threads = /(\d+) threads?/.exec(backend)?.[1];
    return {
      app_tokens_per_s: round(median(app)),
      cli_tokens_per_s: round(median(cli)),
      app_vs_cli: round(median(app) / median(cli)),
      app_tokens_per_s_all: app.map(Math.round).join(' '),
      cli_tokens_per_s_all: cli.map(Math.round).join(' '),
      threaded_wasm: /threaded build/.test(backend),
      wasm_threads: threads ? Number(threads) : 'unknown',
      longest_task_ms: round(longTasks.length ? Math.max(...longTasks) : 0),
      long_tasks_over_50ms: longTasks.length,
      train_speed_preset: `${preset}, ${steps} steps, ${repeats} runs each`,
      train_load_average_1m: round(loadavg()[0]),
    };
  } finally {
    await browser.close();
    await host.close();
    rmSync(cliOut, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  }
}

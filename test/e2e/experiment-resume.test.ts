// End-to-end: runs that outlive a page, and runs from the CLI. A page closed mid-run leaves its run interrupted (at
// most the last second of metrics lost); a new page shows it as interrupted with Resume in its cell and in the
// sidebar, resumes it from its newest checkpoint, and metrics.jsonl then holds every step exactly once (no gap, no
// duplicate). A CLI run started while the page is open appears in the sidebar and grows until it completes.
// Screenshots: test-artifacts/screenshots/experiment-resume-*.png.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, experimentCell, type Host, openApp, openPage, ROOT, screenshot } from './harness';

let host: Host;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const poll = <T>(fn: () => T | Promise<T>, timeout = 60_000) => expect.poll(fn, { timeout, interval: 100 });
const exp = (): Locator => experimentCell(page);
const controls = () => exp().getByRole('group', { name: 'Run controls' });
const phase = () => exp().locator('.run-bar .run-phase').first().innerText();
async function shownStep(): Promise<number> {
  const m = /step ([\d,]+) \//.exec(await exp().getByLabel('Progress').innerText());
  return m ? Number(m[1].replace(/,/g, '')) : -1;
}
const rows = (id: string): { step: number; split: string; step_ms?: number }[] =>
  readFileSync(join(host.workspace, 'runs', id, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
const steps = (id: string, split: string) =>
  rows(id)
    .filter((r) => r.split === split)
    .map((r) => r.step);
const summary = (id: string) => {
  try {
    return JSON.parse(readFileSync(join(host.workspace, 'runs', id, 'summary.json'), 'utf8'));
  } catch {
    return null;
  }
};

async function shots(view: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(400); // past the theme's colour transitions
    await screenshot(page, 'experiment-resume', `${view}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

beforeAll(async () => {
  ({ host, browser, context, page } = await openApp());
}, 240_000);

afterAll(() => closeApp({ context, browser, host }));

describe('runs that outlive the page', () => {
  let runId = '';

  it('leaves a run interrupted when its page closes mid-run, losing at most the last second of metrics', async () => {
    await page.getByRole('button', { name: 'New notebook' }).first().click();
    await page.getByRole('button', { name: 'Add Experiment cell' }).click();
    await exp().getByLabel('Preset').selectOption('teach-copy');
    for (const [label, value] of [
      ['steps', '300'],
      ['checkpoint every', '10'],
      ['eval every', '10'],
    ]) {
      await exp().getByLabel(label, { exact: true }).fill(value);
      await exp().getByLabel(label, { exact: true }).blur();
    }
    await exp().getByRole('button', { name: 'Edit spec' }).click();
    await controls().getByRole('button', { name: 'Run', exact: true }).click();
    await poll(() => shownStep()).toBeGreaterThanOrEqual(24); // two checkpoints (10, 20) and some steps after
    const shown = await shownStep();
    runId = readdirSync(join(host.workspace, 'runs'))[0];
    await page.close({ runBeforeUnload: false }); // the tab closes: pagehide, the worker dies with the page
    await context.close();
    const onDisk = steps(runId, 'train');
    const stepMs = rows(runId).at(-1)?.step_ms ?? 100;
    expect(onDisk.at(-1)!).toBeGreaterThanOrEqual(shown - Math.ceil(1000 / stepMs)); // at most ~1 s lost
    expect(onDisk).toEqual(Array.from({ length: onDisk.length }, (_, i) => i + 1));
  });

  it('shows it as interrupted after a reload, resumes it from its checkpoint: no gap, no duplicate step', async () => {
    ({ context, page } = await openPage(browser, host));
    const sideItem = page
      .getByRole('navigation', { name: 'Workspace' })
      .getByRole('listitem', { name: /: interrupted/ });
    await poll(() => sideItem.count(), 30_000).toBe(1); // the host's grace period for a closed page is 3 s
    expect(await page.getByRole('button', { name: 'Resume teach-copy' }).count()).toBe(1);
    await poll(() => phase()).toBe('interrupted');
    await poll(() => exp().getByRole('figure', { name: 'loss' }).locator('path.swc-raw').count()).toBeGreaterThan(0);
    await shots('interrupted');
    const before = steps(runId, 'train').at(-1)!;
    const checkpoint = Math.max(
      ...readdirSync(join(host.workspace, 'runs', runId, 'checkpoints')).map((f) => parseInt(f, 10)),
    );
    await controls().getByRole('button', { name: 'Resume', exact: true }).click();
    await poll(() => phase()).toBe('running');
    await poll(() => shownStep()).toBeGreaterThan(before + 3);
    await shots('resumed');
    await controls().getByRole('button', { name: 'Stop', exact: true }).click();
    await poll(() => summary(runId)?.status).toBe('stopped');
    const train = steps(runId, 'train');
    expect(train).toEqual(Array.from({ length: train.length }, (_, i) => i + 1)); // 1..n, each once
    expect(train.length).toBeGreaterThan(before);
    const val = steps(runId, 'val');
    expect(new Set(val).size).toBe(val.length); // no evaluation twice
    expect(val.filter((s) => s <= checkpoint)).toEqual(Array.from({ length: checkpoint / 10 + 1 }, (_, i) => i * 10));
    await poll(() => phase()).toBe('stopped');
    // a run in the sidebar leads to the cell that owns it
    await page.locator('.main').evaluate((m) => m.scrollTo(0, 0));
    await page
      .getByRole('navigation', { name: 'Workspace' })
      .getByRole('listitem', { name: /: stopped/ })
      .click();
    await poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-kind'))).toBe('experiment');
  });

  it('shows a CLI run started while the page is open, growing live until it completes', async () => {
    const cli = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'engine/node/cli/experiment.ts',
        'teach-copy',
        '--steps',
        '40',
        '--out',
        join(host.workspace, 'runs'),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    cli.stderr.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((ok) => cli.on('exit', ok));
    try {
      const side = page.getByRole('navigation', { name: 'Workspace' });
      const item = side.getByRole('listitem', { name: /teach-copy: running, CLI/ });
      await poll(() => item.count()).toBe(1);
      const percent = async () => Number(/(\d+)%/.exec(await item.innerText())?.[1] ?? -1);
      await poll(() => percent()).toBeGreaterThan(0);
      const first = await percent();
      await poll(() => percent()).toBeGreaterThan(first); // it grows while the page watches
      await shots('cli-run');
      await poll(() => side.getByRole('listitem', { name: /teach-copy: complete, CLI/ }).count()).toBe(1);
      expect(await exited).toBe(0);
    } finally {
      if (cli.exitCode === null) cli.kill('SIGKILL');
    }
    expect(log).toMatch(/done: 40 steps/);
  });
});

// End-to-end: training from the notebook in Debian's Chromium against `npm run web`, driven by role and name.
// A notebook with a Note and an Experiment cell (the copy teaching preset, shortened) runs on wasm in the page's
// worker: loss points appear and keep growing, the routing panels fill, Pause / Step / Resume / Stop and the live
// learning rate work, a reload brings back the notebook, the run and its curves; a run that fails (a NaN injected
// through the worker's test hook) shows its error with its curves kept, and the next run works. Screenshots of each
// view in both themes: test-artifacts/screenshots/experiment-*.png.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, experimentCell, type Host, openApp, screenshot, setSpecField } from './harness';

let host: Host;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

const poll = <T>(fn: () => T | Promise<T>, timeout = 60_000) => expect.poll(fn, { timeout, interval: 100 });
const exp = (): Locator => experimentCell(page);
const button = (name: string) =>
  exp().getByRole('group', { name: 'Run controls' }).getByRole('button', { name, exact: true });
const phase = () => exp().locator('.run-bar .run-phase').first().innerText();
async function shownStep(): Promise<number> {
  const m = /step ([\d,]+) \//.exec(await exp().getByLabel('Progress').innerText());
  return m ? Number(m[1].replace(/,/g, '')) : -1;
}
const loss = () => exp().getByRole('figure', { name: 'loss' });
/** Points of the raw training loss line (its path's M/L commands). */
async function lossPoints(): Promise<number> {
  const d = await loss()
    .locator('path.swc-raw')
    .first()
    .getAttribute('d')
    .catch(() => null);
  return (d?.match(/[ML]/g) ?? []).length;
}
const runsDir = () => join(host.workspace, 'runs');
const runIdsOnDisk = (): string[] => {
  const nb = JSON.parse(readFileSync(join(host.workspace, 'notebooks', 'Untitled.swhnb.json'), 'utf8'));
  return nb.cells.find((c: { kind: string }) => c.kind === 'experiment').runIds;
};
const summary = (id: string) => {
  const f = join(runsDir(), id, 'summary.json');
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null;
};
const trainRows = (id: string): { step: number; lr: number }[] =>
  readFileSync(join(runsDir(), id, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.split === 'train');

async function shots(view: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(400); // past the theme's colour transitions
    await screenshot(page, 'experiment', `${view}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const setField = (label: string, value: string) => setSpecField(exp(), label, value);

beforeAll(async () => {
  ({ host, browser, context, page, errors } = await openApp());
}, 240_000);

afterAll(() => closeApp({ context, browser, host }));

describe('training from the notebook', () => {
  it('creates a notebook with a Note and an Experiment cell from the copy teaching preset', async () => {
    await page.getByRole('button', { name: 'New notebook' }).first().click();
    await page.getByRole('button', { name: 'Add Note cell' }).click();
    const editor = page.getByRole('textbox', { name: 'Note markdown' });
    await editor.fill('# Copy task\n\nA tiny SwitchHead learns to copy: watch $\\mathcal{L}$ fall.');
    await editor.press('Escape');
    await page.getByRole('button', { name: 'Add Experiment cell' }).click();
    await exp().getByLabel('Preset').selectOption('teach-copy');
    await setField('steps', '400'); // long enough to pause, step and stop it
    await setField('eval every', '10');
    await setField('routing every', '5');
    await setField('checkpoint every', '20');
    await exp().getByRole('button', { name: 'Edit spec' }).click(); // close the form: the summary line remains
    await poll(() => button('Run').isEnabled()).toBe(true);
    await poll(() =>
      exp()
        .getByText(/No runs yet/)
        .count(),
    ).toBe(1);
    await shots('ready');
  });

  it('runs it on wasm: loss points appear and keep growing, routing panels fill, the backend is named', async () => {
    await button('Run').click();
    await poll(() => phase()).toBe('running');
    await poll(() => lossPoints()).toBeGreaterThan(3);
    const first = await lossPoints();
    await poll(() => lossPoints()).toBeGreaterThan(first + 3); // it keeps growing
    expect(await exp().getByLabel('Progress').innerText()).toMatch(/step \d+ \/ 400 · [\d,.k]+ tok\/s · ETA \d/);
    const usage = exp().getByRole('figure', { name: /^expert usage/ });
    await poll(() => usage.locator('path.swc-stack').count()).toBeGreaterThan(0);
    expect(await usage.locator('path.swc-stack').first().getAttribute('d')).toMatch(/L/);
    const badge = exp().getByRole('button', { name: /^Backend: wasm/ });
    await badge.click();
    const details = page.getByRole('dialog', { name: 'Backend details' });
    await poll(() => details.isVisible()).toBe(true);
    expect(await details.innerText()).toMatch(/simd/i);
    expect(await exp().getByLabel('Tensor memory').innerText()).toMatch(/\d+ tensors · [\d.]+ (KB|MB)/);
    await shots('backend-popover');
    await page.keyboard.press('Escape');
    await exp().scrollIntoViewIfNeeded();
    await page.getByRole('region', { name: 'Run panels' }).scrollIntoViewIfNeeded();
    await shots('running');
  });

  it('pauses, steps one step, changes the learning rate, resumes and stops', async () => {
    await button('Pause').click();
    await poll(() => phase()).toBe('paused');
    const paused = await shownStep();
    await page.waitForTimeout(1200);
    expect(await shownStep()).toBe(paused); // nothing trains while paused
    await button('Step').click();
    await poll(() => shownStep()).toBe(paused + 1);
    expect(await phase()).toBe('paused');
    const lr = exp().getByRole('textbox', { name: 'Learning rate' });
    expect(Number(await lr.inputValue())).toBeCloseTo(0.003, 9);
    await lr.fill('0.0015');
    await exp().getByRole('button', { name: 'Set', exact: true }).click();
    await shots('paused');
    await button('Resume').click();
    await poll(() => phase()).toBe('running');
    await poll(() => shownStep()).toBeGreaterThan(paused + 4);
    await button('Stop').click();
    await poll(() => phase()).toBe('stopped');
    const [id] = runIdsOnDisk();
    await poll(() => summary(id)?.status).toBe('stopped');
    const rows = trainRows(id);
    const changed = rows.findIndex((r) => r.step > paused + 1);
    // after the change the schedule scales a base of 0.0015: the same step would have had twice the rate before
    expect(rows[changed].lr / rows[changed - 1].lr).toBeLessThan(0.6);
    expect(
      await exp()
        .getByRole('button', { name: /^Run 1: stopped/ })
        .count(),
    ).toBe(1);
    await shots('stopped');
  });

  it('keeps the notebook, the run, its curves and the panels’ view over a reload; the view is undoable', async () => {
    const points = await lossPoints();
    const step = await shownStep();
    const logY = loss().getByRole('checkbox', { name: 'log y' });
    const undo = page.getByRole('banner').getByRole('button', { name: 'Undo', exact: true });
    const redo = page.getByRole('banner').getByRole('button', { name: 'Redo', exact: true });
    await logY.check();
    await undo.click();
    await poll(() => logY.isChecked()).toBe(false);
    await redo.click();
    await poll(() => logY.isChecked()).toBe(true);
    await poll(() => page.getByRole('status').filter({ hasText: 'Saved ✓' }).count()).toBe(1);
    await page.reload();
    await poll(() =>
      exp()
        .getByRole('button', { name: /^Run 1: stopped/ })
        .count(),
    ).toBe(1);
    expect(await page.locator('section.cell[data-kind="note"] .katex').count()).toBe(1);
    await poll(() => lossPoints()).toBe(points);
    expect(await shownStep()).toBe(step);
    expect(await logY.isChecked()).toBe(true); // the cell's view is saved with the notebook
    await poll(() =>
      exp()
        .getByRole('figure', { name: /^expert usage/ })
        .locator('path.swc-stack')
        .count(),
    ).toBeGreaterThan(0);
    await shots('reloaded');
  });

  it('shows a failed run’s error in its cell, keeps its curves, and runs the next one', async () => {
    await setField('steps', '200');
    await exp().getByRole('button', { name: 'Edit spec' }).click();
    await button('Run').click();
    await poll(() =>
      exp()
        .getByRole('button', { name: /^Run 2: running/ })
        .count(),
    ).toBe(1);
    await button('Pause').click(); // then a NaN a few steps on, through the worker's test hook
    await poll(() => phase()).toBe('paused');
    const at = (await shownStep()) + 3;
    await poll(() => runIdsOnDisk().length).toBe(2); // autosaved
    const id = runIdsOnDisk()[1];
    await page.evaluate(
      ([runId, atStep]) =>
        (
          window as unknown as { __workbenchRuns: { injectFault(r: string, f: unknown): Promise<void> } }
        ).__workbenchRuns.injectFault(runId, { kind: 'nan', atStep }),
      [id, at] as const,
    );
    await button('Resume').click();
    await poll(() => exp().getByRole('alert').innerText()).toMatch(new RegExp(`Run failed:.*NaN at step ${at}\\b`));
    expect(await phase()).toBe('failed');
    expect(await lossPoints()).toBeGreaterThanOrEqual(Math.min(at - 1, 20)); // the curves up to the failure stay
    expect(summary(id)).toMatchObject({ status: 'failed', error: { reason: 'non-finite' } });
    await shots('failed');
    await setField('warm-up steps', '4'); // a warm-up longer than the run is a spec problem (Run disabled)
    await setField('steps', '12');
    await exp().getByRole('button', { name: 'Edit spec' }).click();
    await exp().focus();
    await page.keyboard.press('Shift+Enter'); // runs the focused cell
    await button('Run').click(); // a second run of the same spec waits in the queue
    const more = exp()
      .getByRole('status')
      .filter({ hasText: /1 more run of this spec queued/ });
    await poll(() => more.count()).toBe(1);
    await shots('queued');
    await more.getByRole('button', { name: 'Cancel queued' }).click();
    await poll(() => more.count()).toBe(0);
    await poll(() =>
      exp()
        .getByRole('button', { name: /^Run 3: complete/ })
        .count(),
    ).toBe(1);
    expect(summary(runIdsOnDisk()[2]).status).toBe('complete');
    expect(await exp().getByRole('alert').count()).toBe(0);
    // the older runs are listed; picking one shows it again
    await exp()
      .getByRole('button', { name: /^Run 2: failed/ })
      .click();
    await poll(() => phase()).toBe('failed');
    await shots('runs-list');
    expect(runIdsOnDisk()).toHaveLength(3); // the cancelled run never started: no run directory, no link
    // delete it, after confirming: its folder moves to the workspace's trash
    const failedId = runIdsOnDisk()[1];
    await exp().getByRole('button', { name: 'Delete Run 2' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Move to trash' }).click();
    await poll(() =>
      exp()
        .getByRole('button', { name: /^Run \d: failed/ })
        .count(),
    ).toBe(0);
    await poll(() => existsSync(join(runsDir(), failedId))).toBe(false);
    expect(existsSync(join(host.workspace, 'trash', 'runs', failedId))).toBe(true);
    await poll(() => runIdsOnDisk()).not.toContain(failedId);
    await poll(() => phase()).toBe('complete'); // the newest run is shown again
    expect(errors.filter((e) => !/http 409/.test(e))).toEqual([]);
  });
});

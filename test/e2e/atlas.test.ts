// End-to-end in Debian's Chromium against `npm run web`: a tiny SwitchHead (the teach-copy preset, 40 steps) trained
// from an Experiment cell; its routing-health panels show Jain fairness, the top-k margin and the flip rate after two
// saved probes; an Inspect cell's Atlas tab lists tokens for each used expert (from the run's newest checkpoint) and
// its Walkthrough tab shows every stage with the model's numbers, Next and Previous moving between them. Screenshots
// of every view in both themes: test-artifacts/screenshots/atlas-*.png.
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, experimentCell, type Host, openApp, setSpecField, SHOTS } from './harness';

let host: Host;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

const poll = <T>(fn: () => T | Promise<T>, timeout = 60_000) => expect.poll(fn, { timeout, interval: 150 });
const exp = (): Locator => experimentCell(page);
const inspect = (): Locator => page.locator('section.cell[data-kind="inspect"]').first();

async function shots(target: Locator, view: string): Promise<void> {
  // the notebook scrolls inside its own container: show the whole view in a tall viewport, then shoot its box
  await page.setViewportSize({ width: 1360, height: 2400 });
  await target.evaluate((el) => el.scrollIntoView({ block: 'start' }));
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(400); // past the theme's colour transitions
    const box = (await target.boundingBox())!;
    await page.screenshot({
      path: join(SHOTS, `atlas-${view}-${scheme}.png`),
      clip: {
        x: box.x,
        y: Math.max(0, box.y),
        width: box.width,
        height: Math.min(box.height, 2400 - Math.max(0, box.y)),
      },
    });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1360, height: 900 });
}

const setField = (label: string, value: string) => setSpecField(exp(), label, value);

beforeAll(async () => {
  ({ host, browser, context, page, errors } = await openApp());
}, 240_000);

afterAll(() => closeApp({ context, browser, host }));

describe('expert atlas, teaching walkthrough and routing health of a trained SwitchHead', () => {
  it('trains the teach-copy preset for 40 steps with probes and checkpoints', async () => {
    await page.getByRole('button', { name: 'New notebook' }).first().click();
    await page.getByRole('button', { name: 'Add Experiment cell' }).click();
    await exp().getByLabel('Preset').selectOption('teach-copy');
    await setField('steps', '40');
    await setField('eval every', '10');
    await setField('routing every', '5');
    await setField('probe every', '10');
    await setField('checkpoint every', '20');
    await exp().getByRole('button', { name: 'Edit spec' }).click();
    const run = exp().getByRole('group', { name: 'Run controls' }).getByRole('button', { name: 'Run', exact: true });
    await poll(() => run.isEnabled()).toBe(true);
    await run.click();
    await poll(
      () =>
        exp()
          .getByRole('button', { name: /^Run 1: complete/ })
          .count(),
      180_000,
    ).toBe(1);
  }, 240_000);

  it('shows Jain fairness, the margin band and the flip rate once two probes are saved', async () => {
    const grid = exp().getByRole('region', { name: 'Run panels' });
    const fig = (name: RegExp) => grid.getByRole('figure', { name });
    await poll(() =>
      fig(/^Jain fairness · L0 V/)
        .locator('.swc-series path')
        .count(),
    ).toBeGreaterThanOrEqual(2);
    const margin = fig(/^top-k margin · L0 V/);
    await poll(() => margin.locator('.swc-series path[fill-opacity]').count()).toBe(2); // a p10-p90 band per head
    const flip = fig(/^flip rate · L0 V/);
    await poll(() => flip.locator('.swc-series circle').count()).toBeGreaterThanOrEqual(2); // 2 heads x pairs
    expect(await flip.locator('.swc-empty').count()).toBe(0);
    expect(await grid.getByRole('list', { name: 'Collapse flags' }).innerText()).toMatch(/no head flagged|head \d/);
    await poll(() => grid.getByRole('figure', { name: /^V × O co-occurrence · L0 head 0/ }).count()).toBe(1);
    await grid.getByRole('group', { name: 'Routing health' }).scrollIntoViewIfNeeded();
    await shots(grid, 'health');
  });

  it('the Atlas tab lists tokens for each used expert, on both sides, from the newest checkpoint', async () => {
    await page.getByRole('button', { name: 'Add Inspect cell' }).click();
    await inspect().getByRole('tab', { name: 'Atlas' }).click();
    const atlas = inspect().getByRole('region', { name: 'Expert atlas' });
    await poll(() => atlas.locator('.at-card').count(), 120_000).toBe(4);
    expect(await atlas.getByText(/Read:.*validation rows? of 64 tokens/).count()).toBe(1);
    expect(
      await inspect()
        .getByText(/answers from its checkpoint at step 40/)
        .count(),
    ).toBe(1);
    for (const side of ['src', 'dst']) {
      await atlas.getByRole('combobox', { name: 'Atlas side' }).selectOption(side);
      let used = 0;
      for (let e = 0; e < 4; e++) {
        const card = atlas.getByRole('region', { name: `Expert ${e}` });
        if (/never chosen/.test(await card.innerText())) continue;
        used++;
        expect(
          await card
            .getByRole('list', { name: `Top tokens of expert ${e}` })
            .locator('li')
            .count(),
        ).toBeGreaterThan(0);
        expect(await card.locator('.at-contexts li').count()).toBeGreaterThan(0);
        expect(await card.locator('.at-contexts .at-mark').count()).toBe(await card.locator('.at-contexts li').count());
      }
      expect(used).toBeGreaterThanOrEqual(2); // k = 2: at least two experts are used
    }
    const sig = atlas.getByRole('figure', { name: /^routing signature per token type/ });
    expect(await sig.locator('svg rect').count()).toBeGreaterThan(4);
    await atlas.getByRole('combobox', { name: 'Atlas side' }).selectOption('src');
    await shots(inspect(), 'atlas');
  }, 180_000);

  it('the Walkthrough tab shows every stage with numbers; Next, Previous and predict-then-reveal work', async () => {
    await inspect().getByRole('tab', { name: 'Walkthrough' }).click();
    const wt = inspect().getByRole('region', { name: 'Teaching walkthrough' });
    const stage = wt.locator('article.wt-stage');
    await stage.waitFor({ timeout: 120_000 });
    const next = wt.getByRole('button', { name: 'Next →' });
    const prev = wt.getByRole('button', { name: '← Previous' });
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      seen.push((await stage.getAttribute('data-stage'))!);
      expect(await stage.getByRole('group', { name: 'Numbers' }).innerText()).toMatch(/-?\d\.\d{2}/);
      if (i === 4) await shots(inspect(), 'walkthrough-topk');
      if (i < 7) await next.click();
    }
    expect(seen).toEqual(['input', 'qk', 'router', 'sigmoid', 'topk', 'values', 'attention', 'output']);
    await shots(inspect(), 'walkthrough-output');
    await prev.click();
    await prev.click();
    expect(await stage.getAttribute('data-stage')).toBe('values');
    await wt.getByRole('checkbox', { name: 'Predict, then reveal' }).check();
    await next.click();
    expect(await stage.getByRole('group', { name: 'Numbers' }).count()).toBe(0);
    await shots(inspect(), 'walkthrough-predict');
    await stage.getByRole('button', { name: 'Reveal' }).click();
    expect(await stage.getByRole('group', { name: 'Numbers' }).innerText()).toMatch(/\d\.\d{2}/);
    expect(errors.filter((e) => !/http 409/.test(e))).toEqual([]);
  }, 180_000);
});

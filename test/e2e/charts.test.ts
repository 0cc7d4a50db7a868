// The charts and live panels in Debian's Chromium, on the standalone chart page (test/e2e/pages/charts-page.tsx):
// three runs of 100,000 points draw as downsampled paths; log y, smoothing and the x-axis change what is drawn;
// hover, zoom and every export work; every panel looks right in every state, in both themes (screenshots saved to
// test-artifacts/screenshots/charts-*.png).
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChartsSite, type ChartsSite } from '../../tools/bench-ui';

const SHOTS = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
let site: ChartsSite;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  site = await openChartsSite();
});
afterAll(async () => site?.close());

const loss = (page: Page) => page.getByRole('figure', { name: 'loss' });
const pathData = (fig: Locator, sel: string) =>
  fig.locator(sel).evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''));
const xTicks = (fig: Locator) => fig.locator('.recharts-xAxis-tick-labels text').allTextContents();
const commands = (d: string) => (d.match(/[ML]/g) ?? []).length;

async function openLoss(): Promise<Page> {
  const page = await site.open('scenario=loss&n=100000', { width: 1000, height: 700 });
  await loss(page).locator('path.swc-line').first().waitFor();
  return page;
}

describe('loss chart with three runs of 100,000 points', () => {
  it('draws every run downsampled to about one point per pixel column', async () => {
    const page = await openLoss();
    const fig = loss(page);
    const raw = await pathData(fig, 'path.swc-raw');
    const smooth = await pathData(fig, 'path.swc-smooth');
    expect(raw).toHaveLength(6); // three training lines, three validation lines
    expect(smooth).toHaveLength(3); // validation is not smoothed
    const plotWidth = await fig.locator('.recharts-cartesian-grid').evaluate((g) => g.getBoundingClientRect().width);
    for (const d of [...raw.slice(0, 3), ...smooth]) {
      expect(commands(d)).toBeGreaterThan(plotWidth * 0.8);
      expect(commands(d)).toBeLessThanOrEqual(plotWidth + 4); // never the 100k points, never over ~2k
    }
    expect(await fig.locator('path.swc-band').count()).toBe(3);
    expect(await fig.locator('.swc-empty').count()).toBe(0); // not "waiting"
    await page.close();
  });

  it('log y, smoothing and the x-axis choice change what is drawn', async () => {
    const page = await openLoss();
    const fig = loss(page);
    const before = await pathData(fig, 'path.swc-smooth');
    const tickY = () =>
      fig.locator('.recharts-yAxis-tick-labels text').evaluateAll((ts) => ts.map((t) => t.getAttribute('y')));
    const ticks0 = await tickY();

    await fig.getByRole('checkbox', { name: 'log y' }).check();
    await expect.poll(() => pathData(fig, 'path.swc-smooth')).not.toEqual(before);
    expect(await tickY()).not.toEqual(ticks0); // same labels within one decade, other places
    await fig.getByRole('checkbox', { name: 'log y' }).uncheck();
    await expect.poll(() => pathData(fig, 'path.swc-smooth')).toEqual(before);

    const slider = fig.getByRole('slider', { name: 'Smoothing' });
    await slider.fill('0');
    await expect.poll(() => fig.locator('path.swc-smooth').count()).toBe(0);
    expect(await fig.getByLabel('Smoothing value').textContent()).toBe('0.00');
    await slider.fill('0.95');
    await expect.poll(() => fig.locator('path.swc-smooth').count()).toBe(3);
    expect(await pathData(fig, 'path.swc-smooth')).not.toEqual(before);
    expect(await fig.getByLabel('Smoothing value').textContent()).toBe('0.95');

    const xAxis = fig.getByRole('combobox', { name: 'X axis' });
    const stepTicks = await xTicks(fig);
    expect(stepTicks.join(' ')).toMatch(/k\b/); // 25k, 50k, ...
    await xAxis.selectOption('tokens');
    await expect.poll(() => xTicks(fig)).not.toEqual(stepTicks);
    expect((await xTicks(fig)).join(' ')).toMatch(/M/); // 100k steps x 2048 tokens = 205M
    await xAxis.selectOption('time');
    await expect.poll(async () => (await xTicks(fig)).join(' ')).toMatch(/\d+m\d\ds|\d+h\d\dm/);
    await xAxis.selectOption('macs');
    await expect.poll(async () => (await xTicks(fig)).join(' ')).toMatch(/[GT]\b/);
    expect(await fig.locator('.swc-xlabel').getAttribute('title')).toMatch(/Cumulative attention MACs/);
    await xAxis.selectOption('step');
    await fig.getByRole('checkbox', { name: 'log x' }).check();
    await expect.poll(async () => (await xTicks(fig)).join(' ')).toMatch(/^1 10 100 1,000 10k 100k$/);
    await page.close();
  });

  it('shows every run at the hovered step, zooms by dragging and resets by double-click', async () => {
    const page = await openLoss();
    const fig = loss(page);
    const box = (await fig.locator('.recharts-cartesian-grid').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const readout = fig.locator('.swc-readout');
    await readout.waitFor();
    expect(await readout.locator('.swc-rx').textContent()).toMatch(/^step \d{2},\d{3}$/);
    expect(await readout.locator('.swc-rv').count()).toBeGreaterThanOrEqual(3);
    const ticks = await xTicks(fig);
    await page.mouse.move(box.x + box.width * 0.3, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + 20, { steps: 5 });
    await page.mouse.up();
    await fig.getByRole('button', { name: 'Reset zoom' }).waitFor();
    expect(await xTicks(fig)).not.toEqual(ticks);
    expect(await fig.locator('.recharts-cartesian-grid').boundingBox()).toEqual(box); // the chart did not move
    await page.mouse.dblclick(box.x + box.width * 0.5, box.y + 30);
    await expect.poll(() => fig.getByRole('button', { name: 'Reset zoom' }).count()).toBe(0);
    expect(await xTicks(fig)).toEqual(ticks);
    await page.close();
  });

  it('exports SVG, PNG at 2x, CSV and JSON with raw and smoothed values', async () => {
    const page = await openLoss();
    const fig = loss(page);
    for (const item of ['SVG', 'PNG (2×)', 'CSV data', 'JSON data']) {
      await fig.getByRole('button', { name: 'Export' }).click();
      await fig.getByRole('menuitem', { name: item }).click();
    }
    await expect.poll(() => page.evaluate(() => window.__charts.exports.length)).toBe(4);
    const checks = await page.evaluate(async () => {
      const [svg, png, csv, json] = window.__charts.exports;
      const doc = new DOMParser().parseFromString(svg.text!, 'image/svg+xml');
      const img = await createImageBitmap(new Blob([new Uint8Array(png.bytes!)], { type: 'image/png' }));
      const svgWidth = Number(doc.documentElement.getAttribute('width'));
      const lines = csv.text!.trimEnd().split('\n');
      const data = JSON.parse(json.text!);
      return {
        names: window.__charts.exports.map((e) => `${e.name} ${e.mime}`),
        svgOk: doc.getElementsByTagName('parsererror').length === 0 && doc.documentElement.nodeName === 'svg',
        svgPaths: doc.querySelectorAll('path.swc-line').length,
        svgText: doc.documentElement.textContent ?? '',
        pngScale: img.width / svgWidth,
        csvHeader: lines[0],
        csvRows: lines.length - 1,
        jsonSeries: data.series.length,
        jsonPoints: data.series.reduce(
          (n: number, s: { columns: { value: unknown[] } }) => n + s.columns.value.length,
          0,
        ),
        jsonSmoothing: data.smoothing,
        smoothedTrain: data.series[0].columns.smoothed.filter((v: unknown) => typeof v === 'number').length,
      };
    });
    expect(checks.names).toEqual([
      'loss.svg image/svg+xml',
      'loss.png image/png',
      'loss.csv text/csv',
      'loss.json application/json',
    ]);
    expect(checks.svgOk).toBe(true);
    expect(checks.svgPaths).toBe(9);
    expect(checks.svgText).toContain('cpu-switchhead-k2 train'); // the legend travels with the figure
    expect(checks.pngScale).toBe(2);
    expect(checks.csvHeader).toBe('series,step,tokens,time_s,attention_macs,value,smoothed');
    // every point: 100,000 training steps and 100 evaluations per run
    expect(checks.csvRows).toBe(3 * (100_000 + 100));
    expect(checks.jsonPoints).toBe(checks.csvRows);
    expect(checks.jsonSeries).toBe(6);
    expect(checks.jsonSmoothing).toBe(0.6);
    expect(checks.smoothedTrain).toBe(100_000);
    await page.close();
  });

  it('the Export menu works from the keyboard and closes on Escape or a click outside', async () => {
    const page = await openLoss();
    const fig = loss(page);
    const button = fig.getByRole('button', { name: 'Export' });
    const menu = fig.getByRole('menu', { name: 'Export' });
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    await button.focus();
    await page.keyboard.press('Enter');
    await menu.waitFor();
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    expect(await focused()).toBe('SVG'); // the first item takes focus
    const moves: string[] = [];
    for (const key of ['ArrowUp', 'ArrowDown', 'ArrowDown', 'End', 'Home']) {
      await page.keyboard.press(key);
      moves.push(await focused());
    }
    expect(moves).toEqual(['JSON data', 'SVG', 'PNG (2×)', 'JSON data', 'SVG']); // wrapping both ways
    await page.keyboard.press('Escape');
    expect(await menu.count()).toBe(0);
    expect(await focused()).toBe('Export'); // focus back on the button
    expect(await button.getAttribute('aria-expanded')).toBe('false');
    await button.click();
    await menu.waitFor();
    await fig.screenshot({ path: join(SHOTS, 'charts-export-menu-light.png') });
    await page.mouse.click(5, 5); // outside the chart
    expect(await menu.count()).toBe(0);
    await button.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter'); // runs "JSON data" and closes
    expect(await menu.count()).toBe(0);
    expect(await focused()).toBe('Export');
    const names = () => page.evaluate(() => window.__charts.exports.map((e) => e.name));
    await expect.poll(names, { timeout: 20_000 }).toEqual(['loss.json']);
    await page.close();
  });
});

describe('every panel in every state, in both themes', () => {
  it('renders the gallery right and saves a screenshot of each case', async () => {
    const page = await site.open('scenario=gallery&n=100000', { width: 1200, height: 900 });
    await page.locator('[data-case="three-runs"] path.swc-line').first().waitFor();
    // charts mount one per task (renderer/charts/stagger.tsx): wait until no placeholder is left
    await page.waitForFunction(() => document.querySelectorAll('.swc-pending').length === 0);
    const kase = (id: string) => page.locator(`[data-case="${id}"]`);

    // three runs: loss, lr, grad norm, routing usage (five experts stacked) and health, then the routing-health
    // panels (Jain, entropy and dead, margin, flip rate; no co-occurrence in these rows)
    const three = kase('three-runs');
    expect(await three.getByRole('figure').count()).toBe(9);
    expect(await three.locator('path.swc-stack').count()).toBe(5);
    const usageTicks = three.getByRole('figure', { name: /^expert usage/ }).locator('.recharts-yAxis-tick-labels text');
    expect(await usageTicks.allTextContents()).toEqual(['0%', '25%', '50%', '75%', '100%']);
    expect(await three.locator('path.swc-stack').first().getAttribute('d')).toMatch(/^M[\d.,L]+Z$/);
    expect(await three.getByRole('combobox', { name: 'Routing head' }).locator('option').count()).toBe(2);
    await three.getByRole('combobox', { name: 'Routing side' }).selectOption('dst');
    await expect.poll(() => three.getByRole('figure', { name: 'expert usage · L0 O · head 0' }).count()).toBe(1);
    // the teaching mixture adds accuracy, per task
    const acc = kase('teaching').getByRole('figure', { name: 'task accuracy' });
    expect(await acc.locator('.swc-legend').textContent()).toMatch(/val copy.*val recall.*val reverse/);
    // dense: no routing charts, one sentence
    expect(await kase('dense').getByRole('note').textContent()).toMatch(/no experts/);
    expect(
      await kase('dense')
        .getByRole('figure', { name: /expert usage/ })
        .count(),
    ).toBe(0);
    // waiting: no axes, a message
    expect(await kase('waiting').locator('svg').count()).toBe(0);
    expect(await kase('waiting').getByText('Waiting for the first step').count()).toBe(3);
    // one point: a dot; NaN: gaps, said under the chart
    expect(await kase('one-point').getByRole('figure', { name: 'loss' }).locator('circle').count()).toBe(1);
    const lone = kase('one-point')
      .getByRole('figure', { name: /^expert usage/ })
      .locator('path.swc-stack');
    expect(await lone.evaluateAll((ps) => ps.filter((p) => (p.getAttribute('d') ?? '').includes('Z')).length)).toBe(5);
    expect(await kase('nan').getByRole('figure', { name: 'loss' }).locator('.swc-notes').textContent()).toMatch(
      /4 NaN\/∞ values shown as gaps/,
    );
    expect(await kase('no-runs').getByRole('note').textContent()).toMatch(/No runs yet/);

    // every control has an accessible name
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll('button, select, input'))
        .filter((el) => {
          const label =
            el.getAttribute('aria-label') ??
            el.closest('label')?.textContent ??
            (el.tagName === 'BUTTON' ? el.textContent : '') ??
            '';
          return label.trim() === '';
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unnamed).toEqual([]);

    for (const theme of ['light', 'dark'] as const) {
      await page.evaluate((t) => window.__charts.setTheme(t), theme);
      await page.waitForTimeout(200);
      const surface = await page
        .locator('figure.swc-chart')
        .first()
        .evaluate((f) => getComputedStyle(f).backgroundColor);
      expect(surface).toBe(theme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(28, 29, 32)'); // --surface
      for (const id of ['three-runs', 'teaching', 'dense', 'waiting', 'one-point', 'nan', 'no-runs'])
        await kase(id).screenshot({ path: join(SHOTS, `charts-${id}-${theme}.png`) });
    }
    // narrow: nothing clipped, the grid becomes one column
    await page.setViewportSize({ width: 420, height: 900 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(
      () =>
        Array.from(document.querySelectorAll('figure.swc-chart')).filter((f) => f.scrollWidth > f.clientWidth + 1)
          .length,
    );
    expect(overflow).toBe(0);
    await kase('three-runs').screenshot({ path: join(SHOTS, 'charts-three-runs-narrow-dark.png') });
    await page.close();
  });
});

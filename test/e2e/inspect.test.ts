// End-to-end: the routing lens in Debian's Chromium against `npm run web`, driven by role and name. A tiny SwitchHead
// trains in the page (the copy teaching preset, 30 steps, a probe and a checkpoint every 10); an Inspect cell shows
// its attention matrix with both selection heatmaps (exactly k outlined cells per token and head, checked on the
// overlay's pixels and in the hidden tables); the step scrubber changes the heatmaps; ablating the expert a token
// picks first changes its next-token distribution and the probe loss, forcing the already-chosen set changes nothing
// (1e-6); a dense CLI run without saved probes says so, computes one from its checkpoint and shows attention only;
// empty and over-long texts get clear messages; figures export. Screenshots: test-artifacts/screenshots/inspect-*.png.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presets } from '../../experiments/index';
import { closeApp, experimentCell, type Host, openApp, ROOT, savedExport, screenshot, setSpecField } from './harness';

let host: Host;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let denseRun = '';

const poll = <T>(fn: () => T | Promise<T>, timeout = 90_000) => expect.poll(fn, { timeout, interval: 100 });
const exp = (): Locator => experimentCell(page);
const cell = (): Locator => page.locator('section.cell[data-kind="inspect"]').first();
const lens = () => cell().getByRole('group', { name: 'Routing lens' });
const heatmap = (name: RegExp) =>
  lens()
    .locator('.hm')
    .filter({ has: page.getByRole('img', { name }) });
const SRC = /^V expert selection/;
const DST = /^O expert selection/;

/** A CLI run (npm run experiment) of a spec into the workspace; resolves with its run id. */
function cliRun(workspace: string, spec: object): Promise<string> {
  const file = join(workspace, `spec-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(spec));
  const args = ['--import', 'tsx', 'engine/node/cli/experiment.ts', file, '--out', join(workspace, 'runs')];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((ok, fail) =>
    child.on('exit', (code) =>
      code === 0 ? ok(out.trim().split('\n').pop()!.split('/').pop()!) : fail(new Error(`CLI run failed:\n${err}`)),
    ),
  );
}

async function shots(view: string, at: Locator | null = null): Promise<void> {
  await (at ?? cell()).evaluate((el) => el.scrollIntoView({ block: 'start' }));
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(400);
    await screenshot(page, 'inspect', `${view}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const setField = (label: string, value: string) => setSpecField(exp(), label, value);

/** The data canvas's pixels as a checksum and the number of painted (opaque) pixels. */
const pixels = (hm: Locator) =>
  hm.locator('canvas.hm-data').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let sum = 0,
      painted = 0;
    for (let i = 0; i < d.length; i += 4) {
      sum = (sum * 31 + d[i] * 7 + d[i + 1] * 3 + d[i + 2]) % 1_000_000_007;
      painted += d[i + 3] > 0 ? 1 : 0;
    }
    return { sum, painted, total: d.length / 4 };
  });

/** Per token row (token-major heatmap) or column (source side), which cells carry an outline on the overlay. */
const outlinedByPixels = (hm: Locator, tokenAxis: 'rows' | 'cols') =>
  hm.evaluate((el: HTMLElement, axis) => {
    const rows = Number(el.dataset.rows),
      cols = Number(el.dataset.cols);
    const c = el.querySelector<HTMLCanvasElement>('canvas.hm-overlay')!;
    const ctx = c.getContext('2d')!;
    const sx = c.width / el.clientWidth,
      sy = c.height / el.clientHeight;
    const w = el.clientWidth / cols,
      h = el.clientHeight / rows;
    const out: number[][] = [];
    const T = axis === 'rows' ? rows : cols;
    const E = axis === 'rows' ? cols : rows;
    for (let t = 0; t < T; t++) {
      const picked: number[] = [];
      for (let e = 0; e < E; e++) {
        const [r, col] = axis === 'rows' ? [t, e] : [e, t];
        const a = ctx.getImageData(Math.round((col * w + 1) * sx), Math.round((r * h + h / 2) * sy), 1, 1).data[3];
        if (a > 0) picked.push(e);
      }
      out.push(picked);
    }
    return out;
  }, tokenAxis);

/** The table of chosen experts of a side (opening the folded tables first): [token][experts]. */
const chosenTable = async (side: 'V' | 'O') => {
  const tables = lens().locator('details.lens-tables');
  if (!(await tables.evaluate((d: HTMLDetailsElement) => d.open))) await tables.locator('summary').click();
  await tables.getByRole('table', { name: new RegExp(`^Chosen ${side} experts`) }).waitFor();
  return chosenRows(side);
};
const chosenRows = (side: 'V' | 'O') =>
  lens()
    .getByRole('table', { name: new RegExp(`^Chosen ${side} experts`) })
    .locator('tbody tr td:first-of-type')
    .allInnerTexts()
    .then((rows) => rows.map((r) => r.split(' ').map(Number)));

/** Click the cell (row, col) of a heatmap (scrolled into view first: the mouse clicks where the page shows it). */
async function clickCell(hm: Locator, row: number, col: number): Promise<void> {
  await hm.scrollIntoViewIfNeeded();
  const [rows, cols] = [Number(await hm.getAttribute('data-rows')), Number(await hm.getAttribute('data-cols'))];
  const box = (await hm.boundingBox())!;
  await page.mouse.click(box.x + (col + 0.5) * (box.width / cols), box.y + (row + 0.5) * (box.height / rows));
}

const shownStep = () => lens().getAttribute('data-step');

beforeAll(async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'swhwb-inspect-'));
  // a dense run from the CLI whose probes are gone (kept: its checkpoint): "no saved probes" and "attention only"
  const copy = presets['teach-copy'].spec;
  denseRun = await cliRun(workspace, {
    ...copy,
    name: 'dense-copy',
    model: { ...copy.model, attention: { kind: 'dense', nHeads: 2, dHead: 16, positions: 'rope' } },
    train: { ...copy.train, steps: 10, warmupSteps: 2 },
    log: { ...copy.log, evalInterval: 10, routingInterval: 10, probeInterval: 10, checkpointInterval: 10 },
  });
  rmSync(join(workspace, 'runs', denseRun, 'probes'), { recursive: true, force: true });
  ({ host, browser, context, page, errors } = await openApp(workspace));
}, 240_000);

afterAll(() => closeApp({ context, browser, host }));

describe('the routing lens', () => {
  it('trains a tiny SwitchHead from the copy teaching preset (a probe and a checkpoint every 10 steps)', async () => {
    await page.getByRole('button', { name: 'New notebook' }).first().click();
    await page.getByRole('button', { name: 'Add Experiment cell' }).click();
    await exp().getByLabel('Preset').selectOption('teach-copy');
    await setField('steps', '30');
    await setField('warm-up steps', '5');
    for (const f of ['eval every', 'routing every', 'probe every', 'checkpoint every']) await setField(f, '10');
    await exp().getByRole('button', { name: 'Edit spec' }).click();
    await exp().getByRole('group', { name: 'Run controls' }).getByRole('button', { name: 'Run', exact: true }).click();
    await poll(() => exp().locator('.run-bar .run-phase').first().innerText(), 180_000).toBe('complete');
  }, 240_000);

  it('shows both selection heatmaps with exactly k outlined cells per token, in every layer and head', async () => {
    await page.getByRole('button', { name: 'Add Inspect cell' }).click();
    await poll(() => shownStep()).toBe('30'); // the newest run, its newest saved probe
    const T = Number(await heatmap(/^Attention weights/).getAttribute('data-rows'));
    expect(T).toBeGreaterThan(4);
    for (const layer of ['L0', 'L1'])
      for (const head of ['h0', 'h1']) {
        await cell().getByRole('combobox', { name: 'Layer' }).selectOption(layer);
        await cell().getByRole('combobox', { name: 'Head' }).selectOption(head);
        const where = `layer ${layer.slice(1)} head ${head.slice(1)}`;
        await poll(() => page.getByRole('img', { name: new RegExp(`^Attention weights, ${where}`) }).count()).toBe(1);
        for (const [name, side, axis] of [
          [SRC, 'V', 'cols'],
          [DST, 'O', 'rows'],
        ] as const) {
          const hm = heatmap(name);
          expect(await hm.getAttribute('data-k')).toBe('2');
          expect(Number(await hm.getAttribute('data-outlined'))).toBe(T * 2);
          const px = await pixels(hm);
          expect(px.painted).toBe(px.total); // every cell has a gate colour
          const table = await chosenTable(side);
          expect(table).toHaveLength(T);
          for (const experts of table) expect(new Set(experts).size).toBe(2);
          const drawn = await outlinedByPixels(hm, axis);
          expect(drawn).toEqual(table.map((e) => [...e].sort((a, b) => a - b)));
        }
        const att = await pixels(heatmap(/^Attention weights/));
        expect(att.painted).toBe((T * (T + 1)) / 2); // the causal half only
      }
    await cell().getByRole('combobox', { name: 'Layer' }).selectOption('L0');
    await cell().getByRole('combobox', { name: 'Head' }).selectOption('h0');
    await shots('lens');
  });

  it('moves the hovered token with the arrow keys and names its experts in every layer and head', async () => {
    await lens().focus();
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const readout = cell().getByRole('region', { name: 'Hovered token' });
    await poll(() => readout.getAttribute('data-token')).toBe('2');
    const text = await readout.innerText();
    expect(text).toMatch(/L0\s+h0 V\{\d,\d\}/);
    expect(text).toMatch(/L1\s+h0 V\{\d,\d\}/);
    expect(await readout.getByRole('list', { name: 'Next token' }).locator('li').count()).toBe(5);
  });

  it('scrubs to an earlier step: the heatmaps change', async () => {
    const before = await pixels(heatmap(SRC));
    const slider = cell().getByRole('slider', { name: 'Step' });
    await slider.focus();
    await page.keyboard.press('Home');
    await poll(() => shownStep()).toBe('10');
    expect(await cell().getByLabel('Shown step').innerText()).toMatch(/step 10 \(saved probe, checkpoint\)/);
    const after = await pixels(heatmap(SRC));
    expect(after.sum).not.toBe(before.sum);
    await shots('step-10');
    await slider.focus();
    await page.keyboard.press('End');
    await poll(() => shownStep()).toBe('30');
  });

  it('ablating the expert a token picks first changes its next-token distribution and the probe loss', async () => {
    const dst = heatmap(DST);
    const T = Number(await dst.getAttribute('data-rows'));
    const t = T - 2;
    const [first] = (await chosenTable('O'))[t];
    await clickCell(dst, t, first);
    const menu = page.getByRole('menu', { name: `Expert e${first} actions` });
    await screenshot(page, 'inspect', 'intervention-menu-light');
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(`Ablate e${first} here`);
    await page.keyboard.press('Escape'); // closes the menu, focus goes back to the lens
    expect(await menu.count()).toBe(0);
    expect(await focused()).toBe('Routing lens');
    await clickCell(dst, t, first);
    await page.getByRole('menuitem', { name: `Ablate e${first} here` }).click();
    await poll(() =>
      cell()
        .getByRole('status')
        .filter({ hasText: /^counterfactual/ })
        .count(),
    ).toBe(1);
    const loss = cell().locator('output[aria-label^="Probe loss"]');
    await poll(() => loss.count()).toBe(1);
    expect(Math.abs(Number(await loss.getAttribute('data-delta')))).toBeGreaterThan(1e-6);
    expect((await chosenTable('O'))[t]).not.toContain(first); // the outline moved
    const readout = cell().getByRole('region', { name: 'Hovered token' });
    expect(await readout.getAttribute('data-token')).toBe(String(t));
    const ps = async (name: string) =>
      await readout
        .getByRole('list', { name })
        .locator('li')
        .evaluateAll((li) => li.map((l) => Number((l as HTMLElement).dataset.p)));
    const was = await ps('Next token before the intervention');
    const now = await ps('Next token under the intervention');
    expect(Math.max(...was.map((p, i) => Math.abs(p - now[i])))).toBeGreaterThan(1e-6);
    await shots('ablate', lens());
  });

  it('forcing the already-chosen set changes nothing (within 1e-6)', async () => {
    await cell().getByRole('button', { name: 'Clear all' }).click();
    await poll(() =>
      cell()
        .getByRole('status')
        .filter({ hasText: /^counterfactual/ })
        .count(),
    ).toBe(0);
    const dst = heatmap(DST);
    const T = Number(await dst.getAttribute('data-rows'));
    const t = T - 2;
    await poll(() => lens().getAttribute('aria-busy')).toBe('false');
    const chosen = (await chosenTable('O'))[t];
    for (const e of chosen) {
      await clickCell(dst, t, e);
      await page.getByRole('menuitem', { name: `Force e${e} here` }).click();
    }
    const list = cell().getByRole('list', { name: 'Active interventions' });
    await poll(() => list.locator('li').count()).toBe(2);
    const loss = cell().locator('output[aria-label^="Probe loss"]');
    await poll(() => loss.count()).toBe(1);
    expect(Math.abs(Number(await loss.getAttribute('data-delta')))).toBeLessThanOrEqual(1e-6);
    const norm = cell().locator('output[aria-label^="Attention output norm"]');
    expect(Math.abs(Number(await norm.getAttribute('data-delta')))).toBeLessThanOrEqual(1e-6);
    expect((await chosenTable('O'))[t]).toEqual(chosen);
  });

  it('shows the engine’s refusal of an impossible intervention', async () => {
    await cell()
      .getByRole('checkbox', { name: /Uniform routing/ })
      .check(); // uniform + force in one head: refused
    const alert = cell().getByRole('alert');
    await poll(() => alert.count()).toBe(1);
    expect(await alert.innerText()).toMatch(/Could not probe: .*uniform/i);
    await cell().getByRole('button', { name: 'Clear all' }).click();
    await poll(() => alert.count()).toBe(0);
  });

  it('exports the attention matrix as SVG, PNG, CSV and JSON', async () => {
    const T = Number(await heatmap(/^Attention weights/).getAttribute('data-rows'));
    const files: Record<string, Buffer> = {};
    for (const kind of ['SVG', 'PNG (2×)', 'CSV data', 'JSON data']) {
      await lens().getByRole('button', { name: 'Export attention matrix' }).click();
      const saved = await savedExport(page, () => page.getByRole('menuitem', { name: kind }).click());
      files[kind] = saved.bytes;
    }
    expect(files['PNG (2×)'].subarray(1, 4).toString()).toBe('PNG');
    const svgOk = await page.evaluate(
      (s) => new DOMParser().parseFromString(s, 'image/svg+xml').querySelector('parsererror') === null,
      files.SVG.toString(),
    );
    expect(svgOk).toBe(true);
    const csv = files['CSV data'].toString().trim().split('\n');
    expect(csv[0]).toBe('query,query_text,key,key_text,weight');
    expect(csv.length - 1).toBe((T * (T + 1)) / 2);
    const json = JSON.parse(files['JSON data'].toString());
    expect(json.values).toHaveLength(T);
  });

  it('refuses an empty and an over-long probe text with clear messages', async () => {
    const text = cell().getByLabel('Probe text');
    const probe = cell().getByRole('button', { name: 'Probe', exact: true });
    await text.fill('');
    await probe.click();
    const msg = cell().locator('.lens-message');
    await poll(() => msg.innerText()).toMatch(/The probe text is empty.*Nothing was sent/);
    expect(await lens().locator('.hm').count()).toBe(0);
    await text.fill(Array.from({ length: 80 }, (_, i) => 'ABCDEFGHIJ'[i % 10]).join(' '));
    await probe.click();
    await poll(() => msg.innerText()).toMatch(/too long \(80 tokens; the model's context is 64.*Nothing was sent/);
    expect(await lens().locator('.hm').count()).toBe(0);
    await shots('too-long');
    await msg.getByRole('button', { name: 'Use the first 65 tokens' }).click();
    await poll(() => lens().locator('.hm').count()).toBeGreaterThan(0);
    await cell().getByRole('button', { name: 'Run’s text' }).click();
    await poll(() => shownStep()).toBe('30');
  });

  it('“now” probes the model of a run while it trains, through the run’s own worker', async () => {
    await setField('steps', '400');
    await exp().getByRole('button', { name: 'Edit spec' }).click();
    const controls = exp().getByRole('group', { name: 'Run controls' });
    await controls.getByRole('button', { name: 'Run', exact: true }).click();
    await poll(() => exp().locator('.run-bar .run-phase').first().innerText()).toBe('running');
    const runs = cell().getByRole('combobox', { name: 'Run' });
    const option = runs.locator('option', { hasText: '· running' });
    await poll(() => option.count()).toBe(1);
    await runs.selectOption((await option.getAttribute('value'))!);
    await poll(() => cell().getByLabel('Shown step').innerText()).toBe('now (live)');
    await poll(async () => Number(await shownStep())).toBeGreaterThan(0);
    const first = Number(await shownStep());
    await poll(async () => Number(await shownStep()), 30_000).toBeGreaterThan(first); // asked again while it trains
    await shots('live');
    await controls.getByRole('button', { name: 'Stop', exact: true }).click();
    await poll(() => exp().locator('.run-bar .run-phase').first().innerText()).toBe('stopped');
    await poll(() => cell().getByLabel('Shown step').innerText()).toMatch(/^step \d+ \(/); // "now" is gone
  }, 120_000);

  it('a dense CLI run without saved probes says so, computes one from its checkpoint and shows attention only', async () => {
    await cell().getByRole('combobox', { name: 'Run' }).selectOption(denseRun);
    const msg = cell().locator('.lens-message');
    await poll(() => msg.innerText()).toMatch(/This run has no saved probes/);
    await msg.getByRole('button', { name: /Compute a probe from checkpoint \d+/ }).click();
    await poll(() => lens().locator('.hm').count()).toBe(1);
    expect(
      await lens()
        .getByRole('img', { name: /^Attention weights/ })
        .count(),
    ).toBe(1);
    expect(await lens().innerText()).toMatch(/no expert selection/);
    expect(await cell().getByRole('region', { name: 'Counterfactual routing' }).count()).toBe(0);
    await shots('dense');
    expect(errors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});

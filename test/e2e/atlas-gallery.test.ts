// The expert atlas, the teaching walkthrough and the routing-health panels for every kind of model, in Debian's
// Chromium, on a standalone page (test/e2e/pages/atlas-page.tsx) fed with real engine answers computed here in Node
// from tiny models (pages/atlas-fixtures.ts): SwitchHead (source and destination), SwitchAll (MLP experts too), MoA
// (destination only) and dense (the atlas and the walkthrough say they do not apply). Exports are captured; every
// view is saved as test-artifacts/screenshots/atlas-gallery-*.png in both themes.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, ROOT, SHOTS } from './harness';
import { galleryCases, toJson, type GalleryCase } from './pages/atlas-fixtures';

let server: Server;
let browser: Browser;
let page: Page;
let cases: GalleryCase[];
let url: string;
const dialogs: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  cases = await galleryCases();
  const dir = mkdtempSync(join(tmpdir(), 'shwb-atlas-'));
  await esbuild.build({
    entryPoints: { page: join(ROOT, 'test/e2e/pages/atlas-page.tsx') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: dir,
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl' }, // KaTeX's fonts, inlined
    logLevel: 'error',
  });
  const files: Record<string, [string, Buffer | string]> = {
    '/': [
      'text/html',
      '<!doctype html><meta charset="utf-8"><link rel="stylesheet" href="/page.css"><div id="root"></div><script type="module" src="/page.js"></script>',
    ],
    '/page.js': ['text/javascript', readFileSync(join(dir, 'page.js'))],
    '/page.css': ['text/css', readFileSync(join(dir, 'page.css'))],
    '/data.json': ['application/json', toJson(cases)],
  };
  server = createServer((req, res) => {
    const f = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (!f) return void res.writeHead(404).end('not found');
    res.writeHead(200, { 'content-type': f[0] }).end(f[1]);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message()); // an export that fails says so in an alert
    void d.dismiss();
  });
  await page.goto(url);
  await page.locator('[data-case="switchhead"] [data-view="atlas"] .at-card').first().waitFor({ timeout: 60_000 });
  expect(errors).toEqual([]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((ok) => server?.close(ok));
});

const PNG = [137, 80, 78, 71, 13, 10, 26, 10];

/** Export `fig` as SVG, PNG, CSV and JSON; check each file (well-formed SVG, a PNG at twice the figure's width,
 *  CSV rows, JSON that parses) and return them. */
async function exportAll(fig: Locator) {
  for (const kind of ['SVG', 'PNG (2×)', 'CSV data', 'JSON data']) {
    await fig.getByRole('button', { name: 'Export' }).first().click();
    await fig.getByRole('menuitem', { name: kind }).click();
  }
  await expect.poll(() => page.evaluate(() => window.__exports.length)).toBe(4);
  expect(dialogs).toEqual([]);
  const ex = await page.evaluate(() => window.__exports.splice(0));
  expect(ex.map((e) => e.mime)).toEqual(['image/svg+xml', 'image/png', 'text/csv', 'application/json']);
  expect(ex[0]!.wellFormed).toBe(true);
  const svgWidth = Number(/<svg[^>]* width="([\d.]+)"/.exec(ex[0]!.text!)![1]);
  expect(ex[1]!.head.slice(0, 8)).toEqual(PNG);
  const pngWidth = ex[1]!.head.slice(16, 20).reduce((a, b) => a * 256 + b, 0); // IHDR width
  expect(pngWidth).toBe(Math.round(svgWidth * 2));
  expect(ex[2]!.text!.trim().split('\n').length).toBeGreaterThan(1);
  expect(() => JSON.parse(ex[3]!.text!)).not.toThrow();
  return { svg: ex[0]!.text!, csv: ex[2]!.text!, json: JSON.parse(ex[3]!.text!) };
}

const kase = (id: string) => page.locator(`[data-case="${id}"]`);
const view = (id: string, v: string): Locator => kase(id).locator(`[data-view="${v}"]`);

async function shots(id: string, v: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    await page.evaluate((t) => window.__setTheme(t), theme);
    await page.waitForTimeout(250);
    await view(id, v).screenshot({ path: join(SHOTS, `atlas-gallery-${id}-${v}-${theme}.png`) });
  }
  await page.evaluate(() => window.__setTheme('light'));
}

describe('expert atlas for every kind of model', () => {
  it('SwitchHead: source and destination sides; each used expert lists tokens and coloured contexts', async () => {
    const at = view('switchhead', 'atlas');
    expect(await at.getByText(/Read:.*validation row/).count()).toBe(1);
    const sides = await at.getByRole('combobox', { name: 'Atlas side' }).locator('option').allTextContents();
    expect(sides).toEqual(['source (V)', 'destination (O)']);
    for (const side of ['src', 'dst']) {
      await at.getByRole('combobox', { name: 'Atlas side' }).selectOption(side);
      const c = cases[0]!;
      const g = (c.atlas as Exclude<GalleryCase['atlas'], { error: string }>).groups.find(
        (x) => x.layer === 0 && x.side === side && x.head === 0,
      )!;
      for (let e = 0; e < g.experts; e++) {
        const card = at.getByRole('region', { name: `Expert ${e}` });
        if (g.counts[e] === 0) expect(await card.innerText()).toMatch(/never chosen/);
        else {
          expect(
            await card
              .getByRole('list', { name: `Top tokens of expert ${e}` })
              .locator('li')
              .count(),
          ).toBeGreaterThan(0);
          const spans = card.locator('.at-contexts .at-span');
          expect(await spans.count()).toBeGreaterThan(0);
          expect(await card.locator('.at-mark').count()).toBe(g.topContexts[e]!.pos.length); // one marked token per line
        }
      }
    }
    await shots('switchhead', 'atlas');
  });

  it('SwitchAll adds the MLP experts; MoA has the destination side only; dense says the atlas does not apply', async () => {
    const all = view('switchall', 'atlas').getByRole('combobox', { name: 'Atlas side' });
    expect(await all.locator('option').allTextContents()).toEqual(['source (V)', 'destination (O)', 'MLP experts']);
    await all.selectOption('mlp');
    expect(await view('switchall', 'atlas').getByRole('combobox', { name: 'Atlas head' }).isDisabled()).toBe(true);
    expect(await view('switchall', 'atlas').locator('.at-card').count()).toBe(4);
    await shots('switchall', 'atlas');
    const moa = view('moa', 'atlas').getByRole('combobox', { name: 'Atlas side' });
    expect(await moa.locator('option').allTextContents()).toEqual(['destination (Q, O: MoA)']);
    await shots('moa', 'atlas');
    expect(await view('dense', 'atlas').getByRole('note').innerText()).toMatch(/does not apply/);
  });

  it('sorts the routing signature by frequency or by dominant expert, and exports it', async () => {
    const sig = view('switchhead', 'atlas').getByRole('figure', { name: /^routing signature per token type/ });
    const rows = () => sig.locator('svg text.hx-row').allTextContents();
    const byFreq = await rows();
    const counts = byFreq.map((r) => Number(/(\d+)×$/.exec(r)![1]));
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    await sig.getByRole('combobox', { name: 'Sort token types' }).selectOption('dominant');
    await expect.poll(rows).not.toEqual(byFreq);
    expect((await rows()).slice().sort()).toEqual(byFreq.slice().sort()); // the same rows, reordered
    const ex = await exportAll(sig);
    const S = (cases[0]!.atlas as Exclude<GalleryCase['atlas'], { error: string }>).signatureTypes;
    expect(ex.csv.trim().split('\n')).toHaveLength(S + 1); // every token type with a signature, and the header
    expect(ex.json.order).toBe('dominant');
    // the expert cards as a figure: the coloured text in SVG, every listed context in the CSV
    const cards = await exportAll(view('switchhead', 'atlas').getByRole('figure', { name: /^expert atlas/ }));
    expect(cards.svg).toContain('expert 0');
    expect(cards.csv.split('\n').filter((l) => l.includes(',context,')).length).toBeGreaterThan(0);
    expect(cards.json.format).toBe('switchhead-expert-atlas');
  });
});

describe('teaching walkthrough', () => {
  const wt = () => view('switchhead', 'walkthrough');
  const stage = () => wt().locator('article.wt-stage');
  const next = () => wt().getByRole('button', { name: 'Next →' });
  const prev = () => wt().getByRole('button', { name: '← Previous' });

  it('shows every stage with the model’s numbers; Next, Previous and the arrow keys move between them', async () => {
    await stage().waitFor();
    const titles: string[] = [];
    for (let i = 0; i < 8; i++) {
      const heading = await stage().getByRole('heading', { level: 3 }).innerText();
      titles.push(heading.replace(/^\d+\s*/, ''));
      const numbers = await stage().getByRole('group', { name: 'Numbers' }).innerText();
      expect(numbers, heading).toMatch(/-?\d\.\d{2}/);
      expect(await stage().locator('.wt-say').innerText()).toMatch(/\w+.*\./);
      if (i < 7) await next().click();
    }
    expect(titles).toEqual([
      'The token’s input',
      'Shared query and keys',
      'Router scores',
      'Sigmoid',
      'Top-2',
      'Gate-weighted V experts',
      'Attention',
      'Gate-weighted O experts',
    ]);
    expect(await next().isDisabled()).toBe(true);
    await prev().click();
    expect(await stage().getAttribute('data-stage')).toBe('attention');
    await stage().click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('ArrowLeft');
    expect(await stage().getAttribute('data-stage')).toBe('values');
    await page.keyboard.press('ArrowRight');
    expect(await stage().getAttribute('data-stage')).toBe('attention');
    // the attention weights of the traced token sum to 1 and are the engine's
    const tr = cases[0]!.traces[`${cases[0]!.tokenize.length - 2}:0`] as { heads: { weights: number[] }[] };
    const weights = stage().getByRole('figure', { name: /^attention weights/ });
    expect(await weights.locator('rect').count()).toBeGreaterThanOrEqual(tr.heads[0]!.weights.length);
    const w = await exportAll(weights);
    expect(w.csv.trim().split('\n')).toHaveLength(1 + tr.heads[0]!.weights.length);
    await prev().click(); // the V experts: a matrix of values
    await exportAll(stage().getByRole('figure', { name: /^values v_j/ }));
    await next().click();
    await shots('switchhead', 'walkthrough');
  });

  it('predict, then reveal: the next stage’s numbers stay hidden until Reveal', async () => {
    await wt()
      .getByRole('button', { name: /Shared query and keys/ })
      .click();
    await wt().getByRole('checkbox', { name: 'Predict, then reveal' }).check();
    expect(await stage().getByRole('group', { name: 'Numbers' }).count()).toBe(1); // already shown stays shown
    await next().click();
    expect(await stage().getByRole('group', { name: 'Numbers' }).count()).toBe(0);
    expect(await stage().getByRole('group', { name: 'Predict' }).innerText()).toMatch(/Predict:[\s\S]*expert/);
    await page.evaluate(() => window.__setTheme('dark'));
    await view('switchhead', 'walkthrough').screenshot({
      path: join(SHOTS, 'atlas-gallery-switchhead-predict-dark.png'),
    });
    await page.evaluate(() => window.__setTheme('light'));
    await stage().getByRole('button', { name: 'Reveal' }).click();
    expect(await stage().getByRole('group', { name: 'Numbers' }).innerText()).toMatch(/\d\.\d{2}/);
    await wt().getByRole('checkbox', { name: 'Predict, then reveal' }).uncheck();
  });

  it('the token picker traces another token; other models say the walkthrough is for SwitchHead layers', async () => {
    await wt().getByRole('combobox', { name: 'Walkthrough token' }).selectOption('3');
    const named = (re: RegExp) => stage().getByRole('figure', { name: re }).count();
    await expect.poll(() => named(/token 3\b|_3\b/)).toBeGreaterThan(0);
    await wt()
      .getByRole('button', { name: /Token 5:/ })
      .click();
    await expect.poll(() => named(/token 5\b|_5\b/)).toBeGreaterThan(0);
    expect(await named(/token 3\b|_3\b/)).toBe(0);
    expect(await stage().locator('.wt-say .katex').count()).toBeGreaterThan(0); // the paper's symbols, typeset
    expect(await view('moa', 'walkthrough').getByRole('note').innerText()).toMatch(/SwitchHead attention layer/);
    expect(await view('dense', 'walkthrough').getByRole('note').innerText()).toMatch(/SwitchHead attention layer/);
  });
});

describe('routing health over time', () => {
  it('shows Jain fairness, entropy, margin and flip rate per head, collapse flags, and the V x O co-occurrence', async () => {
    const hv = view('switchhead', 'health');
    for (const name of [/^Jain fairness/, /^entropy and dead experts/, /^top-k margin/, /^flip rate/]) {
      const fig = hv.getByRole('figure', { name });
      await expect.poll(() => fig.locator('.swc-series path').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    }
    const flip = hv.getByRole('figure', { name: /^flip rate/ });
    expect(await flip.locator('.swc-series circle').count()).toBe(2 * (cases[0]!.probes.length - 1)); // 2 heads
    expect(await hv.getByRole('list', { name: 'Collapse flags' }).innerText()).toMatch(/no head flagged|collaps/);
    const cooc = hv.getByRole('figure', { name: /^V × O co-occurrence/ });
    const steps = cases[0]!.routing.map((r) => r.step);
    expect(await cooc.getAttribute('aria-label')).toContain(`step ${steps.at(-1)}`);
    await cooc.getByRole('slider', { name: 'Co-occurrence step' }).fill('0');
    await expect.poll(() => cooc.getAttribute('aria-label')).toContain(`step ${steps[0]} `.trim());
    expect(await hv.getByRole('figure', { name: /^co-occurrence change/ }).innerText()).toMatch(/first snapshot/);
    await cooc.getByRole('slider', { name: 'Co-occurrence step' }).fill('2');
    const change = hv.getByRole('figure', { name: /^co-occurrence change/ });
    expect(await change.locator('svg rect').count()).toBeGreaterThan(16);
    // every health chart and heatmap exports
    const jain = await exportAll(hv.getByRole('figure', { name: /^Jain fairness/ }));
    expect(jain.csv.split('\n')[0]).toMatch(/^series,step,tokens/);
    expect(jain.csv.trim().split('\n')).toHaveLength(1 + 2 * cases[0]!.routing.length); // 2 heads x rows
    const margin = await exportAll(hv.getByRole('figure', { name: /^top-k margin/ }));
    expect(margin.csv.split('\n')[0]).toContain('band_lo');
    await exportAll(hv.getByRole('figure', { name: /^flip rate/ }));
    const coo = await exportAll(cooc);
    expect(coo.csv.trim().split('\n')).toHaveLength(1 + 16); // 4 x 4 pairs
    await exportAll(change);
    await shots('switchhead', 'health');
    // a collapsing head: a badge with the reason, and a marked step range on the charts (not colour alone)
    const col = view('collapsed', 'health');
    const flags = await col.getByRole('list', { name: 'Collapse flags' }).innerText();
    const from = cases[0]!.routing[2]!.step;
    expect(flags).toMatch(
      new RegExp(
        `head 1 collapsing since step ${from} \\(\\d reports, still at step \\d+\\): Jain fairness 0\\.\\d\\d < 0\\.5`,
      ),
    );
    expect(flags).not.toMatch(/head 0/);
    const jainFig = col.getByRole('figure', { name: /^Jain fairness/ });
    expect(await jainFig.locator('.hx-region').count()).toBe(1);
    expect(await jainFig.locator('.hx-region text').textContent()).toMatch(/head 1/);
    await shots('collapsed', 'health');
    await shots('switchall', 'health');
    await shots('moa', 'health');
  });
});

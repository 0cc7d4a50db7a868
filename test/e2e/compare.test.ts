// End-to-end: the Compare cell, the notebook's exports and Export to PyTorch in Debian's Chromium against `npm run
// web`, driven by role and name. Three tiny runs are written into the workspace with the CLI's code before the page
// opens (no training in the page): a SwitchHead and a dense model on the same text, and one with a BPE tokenizer.
// The Compare cell overlays two runs, its table sorts, hides and recolours, colours by a column, filters, and says
// what is not comparable once the BPE run joins; the chart's SVG, PNG, CSV and JSON exports parse and hold every
// point; the notebook's HTML report opens offline with scripts off and shows its figures; the runs zip lists the run
// files; the paper's comparison queues three runs (stopped at once); a run and a cell export to PyTorch.
// Screenshots of each view in both themes: test-artifacts/screenshots/compare-*.png.
import { mkdtempSync, readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../../engine/node/runner';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { REPRODUCTION } from '../../experiments/index';
import { closeApp, type Host, openApp, savedExport, screenshot } from './harness';

let host: Host;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const ids: Record<string, string> = {}; // run name -> id

const poll = <T>(fn: () => T | Promise<T>, timeout = 30_000) => expect.poll(fn, { timeout, interval: 100 });
const cmp = (): Locator => page.locator('section.cell[data-kind="compare"]').first();
const chart = () => cmp().getByRole('figure').first();
const table = () => cmp().getByRole('table', { name: 'Compared runs' });
const rowOrder = () =>
  table()
    .locator('tbody tr')
    .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-run')));
const lines = () => chart().locator('g.swc-run path.swc-raw');
const valRows = (id: string) =>
  readFileSync(join(host.workspace, 'runs', id, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.split === 'val');

function tinySpec(name: string, over: { attention?: object; tokenizer?: object; steps?: number }): ExperimentSpecInput {
  return {
    name,
    model: {
      dModel: 16,
      nLayers: 2,
      dFF: 32,
      dropout: 0,
      attention: over.attention ?? { kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 4, k: 2 },
    },
    data: {
      source: { kind: 'corpus', name: 'alice' },
      tokenizer: (over.tokenizer ?? { kind: 'byte' }) as { kind: 'byte' },
      seqLen: 16,
      batchSize: 4,
    },
    train: { steps: over.steps ?? 40, lr: 3e-3, warmupSteps: 0, seed: 7 },
    log: {
      evalInterval: 5,
      evalBatches: 1,
      routingInterval: 5,
      probeInterval: 20,
      checkpointInterval: 40,
      probeText: 'Alice was here',
    },
  };
}

async function shots(view: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(350); // past the theme's colour transitions
    await screenshot(page, 'compare', `${view}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const download = (trigger: () => Promise<void>) => savedExport(page, trigger);

beforeAll(async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'swhwb-compare-'));
  const opts = { runsRoot: join(workspace, 'runs'), progress: null, log: () => {}, handleSignals: false };
  const specs = [
    tinySpec('tiny-switchhead', {}),
    tinySpec('tiny-dense', { attention: { kind: 'dense', nHeads: 4, dHead: 4 } }),
    tinySpec('tiny-bpe', { tokenizer: { kind: 'bpe', vocabSize: 300 }, steps: 20 }),
  ];
  for (const s of specs) {
    const r = await runExperiment({ spec: parseSpec(s), backend: 'cpu', ...opts });
    ids[s.name!] = r.dir.split('/').pop()!;
  }
  ({ host, browser, context, page, errors } = await openApp(workspace));
}, 300_000);

afterAll(() => closeApp({ context, browser, host }));

describe('the Compare cell', () => {
  it('overlays two runs of the workspace, and its table sorts by any column', async () => {
    await page.getByRole('button', { name: 'New notebook' }).first().click();
    await page.getByRole('button', { name: 'Add Note cell' }).click();
    const editor = page.getByRole('textbox', { name: 'Note markdown' });
    await editor.fill('# SwitchHead against dense\n\nSame loss for fewer MACs: $\\mathrm{MACs} \\propto H\\,T^2$.');
    await editor.press('Escape');
    await page.getByRole('button', { name: 'Add Compare cell' }).click();
    await poll(() => cmp().getByRole('button', { name: "Set up the paper's comparison" }).count()).toBe(1);
    await shots('empty');

    await cmp().getByRole('button', { name: 'Choose runs' }).click();
    const picker = page.getByRole('dialog', { name: 'Runs to compare' });
    await picker.getByRole('checkbox', { name: /tiny-switchhead/ }).check();
    await picker.getByRole('checkbox', { name: /tiny-dense/ }).check();
    await shots('picker');
    await page.keyboard.press('Escape');
    await poll(() => lines().count()).toBe(2);
    expect(await chart().getAttribute('aria-label')).toBe('val loss');
    const keys = await chart()
      .locator('g.swc-run')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series')));
    expect(keys.sort()).toEqual([`${ids['tiny-dense']}/val/loss`, `${ids['tiny-switchhead']}/val/loss`].sort());
    // the attention column, params, MACs, and a spec field that differs (d_head) are in the table
    const head = await table().locator('thead th').allInnerTexts();
    for (const h of [
      'run',
      'attention',
      'params',
      'attn MACs',
      'attn mem',
      'matrices',
      'val loss',
      'bits/byte',
      'tok/s',
      'status',
      'dHead',
    ])
      expect(head.join('|')).toContain(h);
    expect(await table().locator('tbody tr').count()).toBe(2);

    const valLoss = (id: string) => valRows(id).at(-1).loss as number;
    const byLoss = [ids['tiny-switchhead'], ids['tiny-dense']].sort((a, b) => valLoss(a) - valLoss(b));
    const header = (name: string) =>
      table()
        .locator('thead th')
        .filter({ hasText: new RegExp(`^${name}`) });
    await header('run').getByRole('button').click();
    expect(await header('run').getAttribute('aria-sort')).toBe('ascending');
    expect(await rowOrder()).toEqual([ids['tiny-dense'], ids['tiny-switchhead']]); // d < s
    await header('val loss').getByRole('button').click();
    expect(await header('val loss').getAttribute('aria-sort')).toBe('ascending');
    await poll(() => rowOrder()).toEqual(byLoss);
    await header('val loss').getByRole('button').click();
    expect(await header('val loss').getAttribute('aria-sort')).toBe('descending');
    await poll(() => rowOrder()).toEqual([...byLoss].reverse());
    await shots('overlay');
  });

  it('hides a run by its dot, recolours it with its chip, and colours by a column', async () => {
    const dense = ids['tiny-dense'];
    await cmp().getByRole('button', { name: 'Hide tiny-dense' }).click();
    await poll(() => lines().count()).toBe(1);
    expect(await cmp().getByRole('button', { name: 'Show tiny-dense' }).getAttribute('aria-pressed')).toBe('false');
    await cmp().getByRole('button', { name: 'Show tiny-dense' }).click();
    await poll(() => lines().count()).toBe(2);

    const stroke = () =>
      chart().locator(`g.swc-run[data-series="${dense}/val/loss"] path.swc-raw`).getAttribute('stroke');
    const before = await stroke();
    await cmp().getByRole('button', { name: 'Colour of tiny-dense' }).click();
    await shots('colour-chip');
    await page.getByRole('radio', { name: 'reddish purple' }).click();
    await poll(() => stroke()).toBe('#CC79A7');
    expect(before).not.toBe('#CC79A7');
    // the choice is saved in the notebook as a palette slot (so it follows the theme)
    const nb = () => JSON.parse(readFileSync(join(host.workspace, 'notebooks', 'Untitled.swhnb.json'), 'utf8'));
    await poll(() => nb().cells.find((c: { kind: string }) => c.kind === 'compare')?.colors?.[dense]).toBe('palette:3');

    await cmp().getByRole('combobox', { name: 'Colour by' }).selectOption({ label: 'attention' });
    const key = cmp().getByLabel('Colour key');
    await poll(() => key.innerText()).toMatch(/colour = attention.*dense H4.*SH H2 E4 k2/s);
    expect(await cmp().getByRole('button', { name: 'Colour of tiny-dense' }).isDisabled()).toBe(true);
    await shots('colour-by');
    await cmp().getByRole('combobox', { name: 'Colour by' }).selectOption('run');
    await poll(() => stroke()).toBe('#CC79A7');
  });

  it('shows attention MACs on the x axis and filters the table', async () => {
    const xTicks = () => chart().locator('.recharts-xAxis-tick-labels text').allTextContents();
    const steps = await xTicks();
    await chart().getByRole('combobox', { name: 'X axis' }).selectOption('macs');
    await poll(async () => (await xTicks()).join(' ')).not.toBe(steps.join(' '));
    expect(await chart().locator('.swc-xlabel').innerText()).toBe('attention MACs');
    await cmp().getByRole('searchbox', { name: 'Filter runs' }).fill('dense');
    await poll(() => rowOrder()).toEqual([ids['tiny-dense']]);
    await poll(() => lines().count()).toBe(1);
    expect(await cmp().getByRole('status').filter({ hasText: 'runs match' }).innerText()).toMatch(/1 of 2 runs/);
    await cmp().getByRole('searchbox', { name: 'Filter runs' }).fill('');
    await poll(() => lines().count()).toBe(2);
  });

  it('says which axes are not comparable once a run with another tokenizer joins', async () => {
    await cmp().getByRole('button', { name: 'Choose runs' }).click();
    await page
      .getByRole('dialog', { name: 'Runs to compare' })
      .getByRole('checkbox', { name: /tiny-bpe/ })
      .check();
    await page.keyboard.press('Escape');
    const note = cmp().getByRole('note', { name: 'Not comparable' });
    await poll(() => note.count()).toBe(1);
    expect(await note.innerText()).toMatch(/different tokenizers \(byte: .*; BPE 300: tiny-bpe\).*bits per byte is/s);
    const options = await cmp().getByRole('combobox', { name: 'Y metric' }).locator('option').allInnerTexts();
    expect(options).toContain('val loss (not comparable here)');
    expect(options).toContain('bits per byte');
    await cmp().getByRole('combobox', { name: 'Y metric' }).selectOption('val.bpb');
    await poll(() => chart().getAttribute('aria-label')).toBe('bits per byte');
    await poll(() => lines().count()).toBe(3);
    await shots('not-comparable');
    await cmp().getByRole('button', { name: 'Remove tiny-bpe from the comparison' }).click();
    await poll(() => note.count()).toBe(0);
    await cmp().getByRole('combobox', { name: 'Y metric' }).selectOption('val.loss');
    await chart().getByRole('combobox', { name: 'X axis' }).selectOption('step');
    await poll(() => lines().count()).toBe(2);
  });
});

describe('exports', () => {
  it('exports the chart as SVG, PNG (2x), CSV and JSON that parse and hold every point', async () => {
    const files: Record<string, Buffer> = {};
    for (const item of ['SVG', 'PNG (2×)', 'CSV data', 'JSON data']) {
      const f = await download(async () => {
        await chart().getByRole('button', { name: 'Export' }).click();
        await chart().getByRole('menuitem', { name: item }).click();
      });
      files[f.name] = f.bytes;
    }
    expect(Object.keys(files).sort()).toEqual(['val-loss.csv', 'val-loss.json', 'val-loss.png', 'val-loss.svg']);
    const svg = files['val-loss.svg'].toString('utf8');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        ok: doc.getElementsByTagName('parsererror').length === 0 && doc.documentElement.nodeName === 'svg',
        width: Number(doc.documentElement.getAttribute('width')),
        height: Number(doc.documentElement.getAttribute('height')),
        lines: doc.querySelectorAll('path.swc-raw').length,
        text: doc.documentElement.textContent ?? '',
      };
    }, svg);
    expect(parsed.ok).toBe(true);
    expect(parsed.lines).toBe(2);
    expect(parsed.text).toContain('tiny-switchhead'); // the legend travels with the figure
    const png = files['val-loss.png'];
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * parsed.width, 2 * parsed.height]);
    const decoded = await page.evaluate(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const img = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      return [img.width, img.height];
    }, png.toString('base64'));
    expect(decoded).toEqual([2 * parsed.width, 2 * parsed.height]);

    const points = valRows(ids['tiny-switchhead']).length + valRows(ids['tiny-dense']).length;
    const csv = files['val-loss.csv'].toString('utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('series,step,tokens,time_s,attention_macs,value,smoothed');
    expect(csv.length - 1).toBe(points);
    const first = valRows(ids['tiny-switchhead']);
    const rowsOf = csv.slice(1).filter((l) => l.startsWith('tiny-switchhead,'));
    expect(rowsOf.map((l) => Number(l.split(',')[5]))).toEqual(first.map((r) => r.loss));
    const json = JSON.parse(files['val-loss.json'].toString('utf8'));
    expect(json.series).toHaveLength(2);
    expect(json.series.reduce((n: number, s: { columns: { value: unknown[] } }) => n + s.columns.value.length, 0)).toBe(
      points,
    );
  });

  it('exports the notebook as one HTML report that opens offline, without scripts, and shows its figures', async () => {
    await page.getByRole('button', { name: 'Notebook', exact: true }).click();
    await shots('notebook-menu');
    // the report takes the page's theme: one exported in each
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.waitForTimeout(350);
      if (scheme === 'dark') await page.getByRole('button', { name: 'Notebook', exact: true }).click();
      const report = await download(() => page.getByRole('menuitem', { name: 'Export report (HTML)' }).click());
      expect(report.name).toBe('untitled.html');
      const html = report.bytes.toString('utf8');
      expect(html).not.toMatch(/<script/i);
      expect(html).toContain("default-src 'none'");
      expect(html).toContain(`data-theme="${scheme}"`);
      expect(html).toMatch(/@font-face\s*\{[^}]*src:\s*url\(["']?data:font\/woff2;base64,/); // KaTeX's fonts inside
      expect(html).not.toMatch(/url\(["']?https?:/); // and nothing that would load
      const file = join(mkdtempSync(join(tmpdir(), 'swhwb-report-')), 'report.html');
      writeFileSync(file, html);
      const offline = await browser.newContext({
        offline: true,
        javaScriptEnabled: false,
        colorScheme: scheme,
        viewport: { width: 1100, height: 900 },
      });
      const p = await offline.newPage();
      const requests: string[] = [];
      p.on('request', (r) => !r.url().startsWith('data:') && requests.push(r.url()));
      await p.goto(`file://${file}`);
      expect(requests, requests.join('\n')).toEqual([`file://${file}`]); // nothing else loads
      expect(await p.getByRole('heading', { level: 1 }).innerText()).toBe('Untitled');
      const figures = p.getByRole('figure');
      expect(await figures.count()).toBeGreaterThanOrEqual(1);
      const fig = p.getByRole('figure', { name: 'val loss' });
      expect(await fig.locator('svg path.swc-raw').count()).toBe(2);
      expect((await fig.locator('svg').boundingBox())!.width).toBeGreaterThan(300); // drawn, not collapsed
      expect(await p.locator('.katex').count()).toBeGreaterThan(0);
      expect(await p.locator('table.runs tbody tr').count()).toBe(2);
      expect(await p.locator('table.runs').innerText()).toMatch(/tiny-switchhead/);
      await p.screenshot({
        path: join(import.meta.dirname, `../../test-artifacts/screenshots/compare-report-${scheme}.png`),
      });
      await offline.close();
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('exports the runs as a zip listing each run’s files (checkpoints only when asked)', async () => {
    const open = () => page.getByRole('button', { name: 'Notebook', exact: true }).click();
    const plain = await download(async () => {
      await open();
      await page.getByRole('menuitem', { name: 'Export runs (zip)' }).click();
    });
    expect(plain.name).toBe('untitled-runs.zip');
    const files = Object.keys(unzipSync(new Uint8Array(plain.bytes)));
    for (const name of ['tiny-switchhead', 'tiny-dense']) {
      const id = ids[name];
      for (const f of ['spec.json', 'metrics.jsonl', 'routing.jsonl', 'summary.json', 'summary.md', 'probes/20.json'])
        expect(files).toContain(`runs/${id}/${f}`);
    }
    expect(files).toContain('manifest.json');
    expect(files.some((f) => f.includes('tiny-bpe') || f.includes(ids['tiny-bpe']))).toBe(false); // not shown
    expect(files.filter((f) => f.endsWith('.safetensors'))).toEqual([]);
    const zip = unzipSync(new Uint8Array(plain.bytes));
    const metrics = new TextDecoder().decode(zip[`runs/${ids['tiny-dense']}/metrics.jsonl`]);
    const onDisk = readFileSync(join(host.workspace, 'runs', ids['tiny-dense'], 'metrics.jsonl'), 'utf8');
    expect(
      metrics
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(
      onDisk
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    const withCkpt = await download(async () => {
      await open();
      await page.getByRole('menuitem', { name: 'Export runs with checkpoints (zip)' }).click();
    });
    expect(Object.keys(unzipSync(new Uint8Array(withCkpt.bytes)))).toContain(
      `runs/${ids['tiny-switchhead']}/checkpoints/40.safetensors`,
    );
  });

  it('exports a run of the sidebar to PyTorch into the workspace and says what to run next', async () => {
    const run = page.getByRole('listitem', { name: /^tiny-switchhead:/ });
    await run.hover();
    await run.getByRole('button', { name: 'Export tiny-switchhead to PyTorch' }).click();
    const toast = page.getByRole('status').filter({ hasText: 'Exported “tiny-switchhead” to PyTorch' });
    await poll(() => toast.count()).toBe(1);
    const dir = join(host.workspace, 'exports', 'tiny-switchhead');
    expect(await toast.innerText()).toContain(`Next: cd ${dir} && python3 prepare_data.py && python3 train.py`);
    expect(readdirSync(dir)).toEqual(expect.arrayContaining(['train.py', 'switchhead', 'README.md', 'runs']));
    expect(existsSync(join(dir, 'runs', ids['tiny-switchhead'], 'checkpoints', '40.safetensors'))).toBe(true);
    await shots('pytorch-toast');
    await toast.getByRole('button', { name: 'Dismiss' }).click();
  });
});

describe("the paper's comparison", () => {
  it('adds three Experiment cells above, queues their runs and binds the Compare cell to them', async () => {
    await cmp().getByRole('button', { name: "Set up the paper's comparison" }).click();
    const dialog = page.getByRole('alertdialog', { name: /paper’s comparison/ });
    await poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.innerText()).toMatch(/cpu-switchhead-k2, cpu-xl, cpu-xl-h2: seed 42, the same data/);
    await dialog.getByRole('button', { name: 'Queue 3 runs' }).click();
    const exps = page.locator('section.cell[data-kind="experiment"]');
    await poll(() => exps.count()).toBe(3);
    const titles = await exps.locator('.cell-title').allInnerTexts();
    expect(titles).toEqual([REPRODUCTION.switchhead, REPRODUCTION.dense, REPRODUCTION.denseSameHeads]);
    // all three above the Compare cell, in that order
    const kinds = await page.locator('section.cell').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-kind')));
    expect(kinds).toEqual(['note', 'experiment', 'experiment', 'experiment', 'compare']);
    // the first starts, the other two wait in the queue
    const phaseOf = (i: number) => exps.nth(i).locator('.run-bar .run-phase').first().innerText();
    await poll(() => phaseOf(1)).toBe('queued');
    await poll(() => phaseOf(2)).toBe('queued');
    expect(['starting', 'running']).toContain(await phaseOf(0));
    await cmp().scrollIntoViewIfNeeded();
    await shots('paper-comparison');
    // stop them at once: the queued ones leave the queue, the first stops
    for (const i of [2, 1, 0]) {
      const bar = exps.nth(i).getByRole('group', { name: 'Run controls' });
      await bar.getByRole('button', { name: /^(Cancel|Stop)$/ }).click();
    }
    await poll(() => exps.locator('.run-bar .run-phase', { hasText: /queued|starting|running/ }).count(), 90_000).toBe(
      0,
    );
    const nb = JSON.parse(readFileSync(join(host.workspace, 'notebooks', 'Untitled.swhnb.json'), 'utf8'));
    const compare = nb.cells.find((c: { kind: string }) => c.kind === 'compare');
    const expIds = nb.cells.filter((c: { kind: string }) => c.kind === 'experiment').map((c: { id: string }) => c.id);
    expect(compare.followCells).toEqual(expIds);
    expect(compare.xAxis).toBe('macs');
  });

  it("exports an Experiment cell's spec to PyTorch from the cell's menu", async () => {
    const first = page.locator('section.cell[data-kind="experiment"]').first();
    await first.hover();
    await first.getByRole('button', { name: 'More Experiment cell actions' }).click();
    await shots('cell-menu');
    await page.getByRole('menuitem', { name: 'Export to PyTorch' }).click();
    const toast = page.getByRole('status').filter({ hasText: `Exported “${REPRODUCTION.switchhead}” to PyTorch` });
    await poll(() => toast.count()).toBe(1);
    const spec = JSON.parse(
      readFileSync(join(host.workspace, 'exports', REPRODUCTION.switchhead, 'spec.json'), 'utf8'),
    );
    expect(spec.name).toBe(REPRODUCTION.switchhead);
    expect(errors.filter((e) => !/ 409|Conflict/.test(e))).toEqual([]);
  });
});

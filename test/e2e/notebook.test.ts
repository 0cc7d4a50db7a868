// End-to-end: the notebook in Debian's Chromium against `npm run web`, driven by role and accessible name.
// Creates, edits, reloads, renames and switches notebooks; Note math; the Experiment spec form and its validation;
// delete + undo under the same id; dark mode; corrupt and newer files left byte-for-byte untouched; screenshots of
// every view in both themes (test-artifacts/screenshots/notebook-*.png).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeApp, DIST, type Host, openApp, screenshot } from './harness';

let host: Host;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

/** expect.poll with room for a loaded machine. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000, interval: 50 });
const file = (name: string) => join(host.workspace, 'notebooks', `${name}.swhnb.json`);
const cells = () => page.locator('section.cell');
const cellOfKind = (kind: string) => page.locator(`section.cell[data-kind="${kind}"]`);
const saved = () => poll(() => page.getByRole('status').filter({ hasText: 'Saved ✓' }).count()).toBe(1);

/** Screenshots of the current view in the light and the dark theme (the theme preference stays 'system'). */
async function shots(view: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForTimeout(120);
    await screenshot(page, 'notebook', `${view}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

const undoButton = () => page.getByRole('banner').getByRole('button', { name: 'Undo', exact: true });

async function cellIds(): Promise<string[]> {
  return cells().evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.cellId ?? ''));
}

async function field(cell: Locator, label: string): Promise<Locator> {
  return cell.getByLabel(label, { exact: true });
}

beforeAll(async () => {
  ({ host, browser, context, page, errors } = await openApp());
}, 240_000);

afterAll(() => closeApp({ context, browser, host }));

describe('the notebook in the browser', () => {
  it('is served as a production build, even when the tests built it (NODE_ENV=test)', () => {
    const assets = join(DIST, 'assets');
    const index = readdirSync(assets).find((f) => /^index-.*\.js$/.test(f));
    const code = readFileSync(join(assets, index!), 'utf8');
    expect(code).not.toContain('jsxDEV'); // the development JSX runtime
    expect(code).toContain('Minified React error'); // React's production build
  });

  it('starts with an empty workspace and creates a notebook', async () => {
    await poll(() => page.getByText('No notebooks yet.').count()).toBe(1);
    await shots('welcome');
    await page.getByRole('button', { name: 'New notebook' }).first().click();
    await poll(() => page.getByRole('heading', { level: 1, name: 'Untitled' }).count()).toBe(1);
    await poll(() => page.getByRole('button', { name: 'Untitled', exact: true }).count()).toBe(1);
    await shots('empty-notebook');
  });

  it('adds a Note whose math renders with KaTeX', async () => {
    await page.getByRole('button', { name: 'Add Note cell' }).click();
    const editor = page.getByRole('textbox', { name: 'Note markdown' });
    await editor.fill(
      '# Does SwitchHead match dense attention?\n\nEach head picks $k$ of $E$ value experts with $\\sigma(x W_S)$.\n\n$$\n\\hat y = \\sum_{e \\in \\mathrm{top}_k} \\sigma(s_e)\\, W_V^e x\n$$\n',
    );
    await shots('note-editing');
    await editor.press('Escape');
    const note = cellOfKind('note').first();
    await poll(() => note.locator('.markdown .katex').count()).toBe(4); // three inline, one display
    expect(await note.locator('.katex-display').isVisible()).toBe(true);
    expect(await note.getByRole('heading', { name: 'Does SwitchHead match dense attention?' }).isVisible()).toBe(true);
  });

  it('adds an Experiment with the copy teaching preset; the form shows it and validates live', async () => {
    await page.getByRole('button', { name: 'Add Experiment cell' }).click();
    const exp = cellOfKind('experiment').first();
    await exp.getByLabel('Preset').selectOption('teach-copy');
    expect(await exp.getByRole('button', { name: 'Edit spec' }).getAttribute('aria-pressed')).toBe('true');
    expect(await (await field(exp, 'task')).inputValue()).toBe('copy');
    expect(await (await field(exp, 'heads')).inputValue()).toBe('2');
    expect(await (await field(exp, 'MoE on V')).isChecked()).toBe(true);
    expect(await exp.getByRole('region', { name: 'Cost' }).textContent()).toMatch(/Parameters.*Attention MACs/);
    await shots('experiment-form');

    const run = exp.getByRole('button', { name: 'Run' });
    const heads = await field(exp, 'heads');
    await heads.fill('0');
    await poll(() => run.isDisabled()).toBe(true);
    await poll(() => exp.getByText(/heads \(model\.attention\.nHeads\)/).count()).toBeGreaterThan(0);
    expect(await heads.getAttribute('aria-invalid')).toBe('true');
    expect(await exp.getByText('Cost appears when the spec is valid.').count()).toBe(1);
    await shots('experiment-invalid');
    await heads.fill('2');
    await poll(() => exp.getByText(/model\.attention\.nHeads/).count()).toBe(0);
    expect(await run.getAttribute('title')).not.toMatch(/Fix the spec/);

    await exp.getByRole('button', { name: 'JSON' }).click();
    const json = exp.getByRole('textbox', { name: 'Spec JSON' });
    expect(JSON.parse(await json.inputValue()).name).toBe('teach-copy');
    await json.fill('{ "name": ');
    await poll(() =>
      exp
        .getByRole('alert')
        .filter({ hasText: /^JSON:/ })
        .count(),
    ).toBe(1);
    expect(await run.isDisabled()).toBe(true);
    await shots('experiment-json-invalid');
    await json.fill(JSON.stringify({ name: 'copy-k3', model: { attention: { k: 3 } } }, null, 2));
    await poll(() => exp.getByRole('alert').count()).toBe(0);
    await exp.getByRole('button', { name: 'JSON' }).click(); // close the editor: the summary line remains
    await poll(() => exp.getByLabel('Spec summary').textContent()).toMatch(/E4 k3/);
    await exp.getByLabel('Preset').selectOption('teach-copy'); // back to the preset
    await saved();
  });

  it('keeps the notebook over a reload', async () => {
    const before = await cellIds();
    await page.reload();
    await poll(() => cellIds()).toEqual(before);
    expect(await cellOfKind('note').locator('.katex').count()).toBe(4);
    expect(await cellOfKind('experiment').getByLabel('Preset').inputValue()).toBe('teach-copy');
    const onDisk = JSON.parse(readFileSync(file('Untitled'), 'utf8'));
    expect(onDisk).toMatchObject({ format: 'switchhead-notebook', version: 1 });
    expect(onDisk.cells.map((c: { id: string }) => c.id)).toEqual(before);
    await shots('notebook');
  });

  it('deletes a cell and brings it back under the same id (toast Undo, then Ctrl+Z)', async () => {
    const [noteId] = await cellIds();
    const note = page.locator(`[data-cell-id="${noteId}"]`);
    await note.hover();
    await note.getByRole('button', { name: 'Delete cell' }).click();
    await poll(() => cellIds()).not.toContain(noteId);
    const toast = page.getByRole('status').filter({ hasText: 'Cell deleted.' });
    await shots('deleted-toast');
    await toast.getByRole('button', { name: 'Undo' }).click();
    await poll(() => cellIds()).toContain(noteId);
    expect((await cellIds())[0]).toBe(noteId);

    await note.hover();
    await note.getByRole('button', { name: 'Delete cell' }).click();
    await poll(() => cellIds()).not.toContain(noteId);
    await page.locator('.nb-title').click(); // focus outside any text field
    await page.keyboard.press('Control+z');
    await poll(() => cellIds()).toContain(noteId);
    await page.keyboard.press('Control+Shift+z');
    await poll(() => cellIds()).not.toContain(noteId);
    await undoButton().click();
    await poll(() => cellIds()).toContain(noteId);
    await saved();
  });

  it('moves cells, adds with A/B and walks with J/K from the keyboard', async () => {
    const [a, b] = await cellIds();
    await page.locator(`[data-cell-id="${a}"]`).focus();
    await page.keyboard.press('j');
    await poll(() => page.evaluate(() => (document.activeElement as HTMLElement).dataset.cellId)).toBe(b);
    await page.keyboard.press('Alt+ArrowUp');
    await poll(() => cellIds()).toEqual([b, a]);
    await page.keyboard.press('b');
    await poll(async () => (await cellIds()).length).toBe(3);
    await page.keyboard.press('Escape'); // leave the new note's editor
    await page.keyboard.press('?');
    expect(await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).isVisible()).toBe(true);
    await shots('shortcuts');
    await page.keyboard.press('Escape');
    await undoButton().click(); // the added note
    await undoButton().click(); // the move
    await poll(() => cellIds()).toEqual([a, b]);
    await saved();
  });

  it('renames the notebook (file and title) and opens a second one', async () => {
    await page.getByRole('button', { name: 'Rename notebook Untitled' }).click();
    const input = page.getByRole('textbox', { name: 'Notebook name' });
    await input.fill('bad/name');
    await input.press('Enter');
    await poll(() =>
      page
        .getByRole('alert')
        .filter({ hasText: /notebook name/ })
        .count(),
    ).toBe(1);
    await input.fill('Lab notes');
    await input.press('Enter');
    await poll(() => page.getByRole('button', { name: 'Lab notes', exact: true }).count()).toBe(1);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Lab notes');
    await saved();
    expect(JSON.parse(readFileSync(file('Lab notes'), 'utf8')).title).toBe('Lab notes');
    expect(() => statSync(file('Untitled'))).toThrow();

    await page.getByRole('button', { name: 'New notebook' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Untitled');
    expect(await cells().count()).toBe(0);
    await page.getByRole('button', { name: 'Add Experiment cell' }).click();
    await cellOfKind('experiment').getByLabel('Preset').selectOption('paper-47m-switchhead-k2');
    await poll(() => page.getByRole('note').filter({ hasText: 'Paper-size model' }).count()).toBe(1);
    await shots('paper-preset');
    await saved();
    await page.getByRole('button', { name: 'Lab notes', exact: true }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Lab notes');
    expect(await cells().count()).toBe(2);
  });

  it('switches to dark mode and remembers it', async () => {
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    expect(await theme()).toBe('light');
    await page.getByRole('button', { name: /^Theme: system \(light\)/ }).click();
    expect(await theme()).toBe('dark');
    await page.reload();
    await poll(() => page.getByRole('heading', { level: 1 }).count()).toBe(1);
    expect(await theme()).toBe('dark');
    await page.getByRole('button', { name: /^Theme: dark/ }).click(); // -> light
    await page.getByRole('button', { name: /^Theme: light/ }).click(); // -> system
    expect(await theme()).toBe('light');
  });

  it('opens a corrupt and a newer-version file read-only, never writes them, and other notebooks still open', async () => {
    const corrupt = '{"format": "switchhead-notebook", "version": 1, "title": "half", "cells": [ {"id": "abc';
    const newer = JSON.stringify({
      format: 'switchhead-notebook',
      version: 2,
      title: 'From the future',
      cells: [
        { id: 'aaaa0001', kind: 'note', source: 'Written by **version 2**.' },
        { id: 'aaaa0002', kind: 'hologram' },
      ],
      layout: 'grid',
    });
    writeFileSync(file('broken'), corrupt);
    writeFileSync(file('future'), newer);
    const stamp = (n: string) => ({ bytes: readFileSync(file(n), 'utf8'), mtime: statSync(file(n)).mtimeMs });
    const before = { broken: stamp('broken'), future: stamp('future') };
    await page.reload();

    await page.getByRole('button', { name: 'broken', exact: true }).click();
    const banner = page.getByRole('alert').filter({ hasText: 'Opened read-only' });
    await poll(() => banner.textContent()).toMatch(/not valid JSON/);
    expect(await page.getByRole('status').filter({ hasText: 'Read-only' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Add Note cell' }).count()).toBe(0);
    await page.locator('.nb-title').click();
    await page.keyboard.press('b');
    await page.keyboard.press('Control+z');
    await shots('corrupt');

    await page.getByRole('button', { name: 'future', exact: true }).click();
    await poll(() => banner.textContent()).toMatch(
      /newer version of the workbench \(file version 2; this app reads version 1\)/,
    );
    expect(await cellOfKind('note').locator('strong').textContent()).toBe('version 2');
    await cellOfKind('note').dblclick();
    expect(await page.getByRole('textbox', { name: 'Note markdown' }).count()).toBe(0);
    await shots('newer');

    await page.getByRole('button', { name: 'Lab notes', exact: true }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Lab notes');
    expect(await page.getByRole('button', { name: 'Add Note cell' }).count()).toBe(1);
    await page.waitForTimeout(1200); // longer than the autosave delay
    expect(stamp('broken')).toEqual(before.broken);
    expect(stamp('future')).toEqual(before.future);
  });

  it('asks before moving a notebook to the trash', async () => {
    const item = page.getByRole('listitem').filter({ has: page.getByRole('button', { name: 'broken', exact: true }) });
    await item.hover();
    await page.getByRole('button', { name: 'Move broken to trash' }).click();
    const dialog = page.getByRole('alertdialog', { name: /Move “broken” to the trash/ });
    expect(await dialog.isVisible()).toBe(true);
    await shots('confirm-trash');
    await dialog.getByRole('button', { name: 'Move to trash' }).click();
    await poll(() => page.getByRole('button', { name: 'broken', exact: true }).count()).toBe(0);
    expect(() => statSync(file('broken'))).toThrow();
  });

  it('two tabs on one notebook: the last write wins, and both are told', async () => {
    const tab2 = await context.newPage();
    await tab2.goto(`${host.url}#notebook=${encodeURIComponent('Lab notes')}`);
    const note2 = tab2.locator('section.cell[data-kind="note"]').first();
    await note2.dblclick();
    await tab2.getByRole('textbox', { name: 'Note markdown' }).fill('Written in the second tab.');
    await tab2.getByRole('textbox', { name: 'Note markdown' }).press('Escape');
    await poll(() => tab2.getByRole('status').filter({ hasText: 'Saved ✓' }).count()).toBe(1);
    const elsewhere = page.getByRole('status').filter({ hasText: 'changed in another tab or window' });
    await poll(() => elsewhere.count()).toBe(1);
    await page.getByRole('button', { name: 'Add Note cell' }).click(); // an edit here, on the older base version
    await page.keyboard.press('Escape');
    await poll(() => page.getByRole('status').filter({ hasText: 'your last save won' }).count()).toBe(1);
    await shots('overwrite-notice');
    const onDisk = JSON.parse(readFileSync(file('Lab notes'), 'utf8'));
    expect(onDisk.cells.length).toBe(3); // this tab's document, whole
    expect(onDisk.cells[0].source).not.toBe('Written in the second tab.');
    await elsewhere.getByRole('button', { name: 'Reload' }).click(); // a page can also take the other version
    await poll(() => page.locator('section.cell').count()).toBe(3);
    await tab2.close();
  });

  it('lists every run of the workspace with its state as an icon and a word', async () => {
    const run = (id: string, name: string, steps: number, last: number, extra: Record<string, unknown> = {}) => {
      const dir = join(host.workspace, 'runs', id);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'spec.json'),
        JSON.stringify({ spec: { name, train: { steps } }, createdAt: new Date().toISOString() }),
      );
      const rows = Array.from({ length: last }, (_, i) =>
        JSON.stringify({ step: i + 1, split: 'train', loss: 3 - i / last }),
      );
      writeFileSync(join(dir, 'metrics.jsonl'), rows.join('\n') + '\n');
      if (extra.summary) writeFileSync(join(dir, 'summary.json'), JSON.stringify(extra.summary));
      if (extra.writer) writeFileSync(join(dir, 'writer.json'), JSON.stringify(extra.writer));
    };
    run('20261129-sh-k2', 'sh-k2', 600, 600, { summary: { status: 'complete' } });
    run('20261129-xl', 'xl', 600, 210, { summary: { status: 'failed' } });
    run('20261129-sh-k3', 'sh-k3', 600, 320);
    run('20261129-rope-x', 'rope-x', 400, 120, {
      writer: { pid: process.pid, kind: 'cli', startedAt: new Date().toISOString(), hostname: hostname() },
    });
    const runs = page.getByRole('navigation', { name: 'Workspace' }).getByRole('list').last();
    await poll(() => runs.getByRole('listitem').count()).toBe(4);
    const names = await runs.getByRole('listitem').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(names.sort()).toEqual(['rope-x: running, CLI', 'sh-k2: complete', 'sh-k3: interrupted', 'xl: failed']);
    expect(await runs.getByText('30%').count()).toBe(1); // the running CLI run's progress
    await shots('runs');
  });

  it('raised no page errors', () => {
    expect(errors.filter((e) => !e.startsWith('http 404'))).toEqual([]);
  });
});

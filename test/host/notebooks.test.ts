// Notebook files through the web host: versions, atomic writes, last write wins (with a notice), create/rename
// conflicts, trash, and events when a notebook changes on disk.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError, type PlatformApi, type WorkspaceEvent } from '../../engine/contracts/platform';
import { contentVersion } from '../../electron/host/workspace-notebooks';
import { createWebPlatform } from '../../renderer/platform/web';
import { notebookText } from './fixtures/notebook-text';
import { ROOT, startTestHost, until, type TestHost } from './helpers';

let host: TestHost;
let tabA: PlatformApi;
let tabB: PlatformApi;
beforeAll(async () => {
  host = await startTestHost();
  tabA = createWebPlatform({ baseUrl: host.origin, token: host.token });
  tabB = createWebPlatform({ baseUrl: host.origin, token: host.token });
});
afterAll(() => host.close());

const nbFile = (name: string) => path.join(host.wsDir, 'notebooks', `${name}.swhnb.json`);

describe('notebooks', () => {
  it('are created, listed, read with a version, and not created twice', async () => {
    const w = await tabA.createNotebook('Lab notes', '{"a":1}');
    expect(w).toEqual({ version: contentVersion('{"a":1}'), overwroteNewer: false });
    expect(fs.readFileSync(nbFile('Lab notes'), 'utf8')).toBe('{"a":1}');
    const list = await tabA.listNotebooks();
    expect(list.map((n) => [n.name, n.bytes])).toEqual([['Lab notes', 7]]);
    expect(await tabA.readNotebook('Lab notes')).toEqual({ name: 'Lab notes', text: '{"a":1}', version: w.version });
    const again = await tabA.createNotebook('Lab notes', '{}').catch((e) => e);
    expect(again).toBeInstanceOf(PlatformError);
    expect(again).toMatchObject({ code: 'Conflict', message: 'a notebook named "Lab notes" already exists' });
    expect(fs.readFileSync(nbFile('Lab notes'), 'utf8')).toBe('{"a":1}');
  });

  it('two tabs writing one notebook: the last write wins and is told it overwrote a newer file', async () => {
    const { version: v1 } = await tabA.createNotebook('shared', '{"v":1}');
    const a = await tabA.writeNotebook('shared', '{"v":"A"}', v1);
    expect(a.overwroteNewer).toBe(false);
    const b = await tabB.writeNotebook('shared', '{"v":"B"}', v1); // B still holds version 1
    expect(b.overwroteNewer).toBe(true);
    expect(fs.readFileSync(nbFile('shared'), 'utf8')).toBe('{"v":"B"}');
    expect((await tabA.readNotebook('shared')).version).toBe(b.version);
    const b2 = await tabB.writeNotebook('shared', '{"v":"B2"}', b.version); // B continues from its own write
    expect(b2.overwroteNewer).toBe(false);
    expect((await tabA.writeNotebook('shared', '{"v":"A2"}', null)).overwroteNewer).toBe(true); // null: "new"
  });

  it('are renamed without overwriting, and trashed by moving (never deleted)', async () => {
    await tabA.createNotebook('draft', '{"d":1}');
    await tabA.createNotebook('taken', '{"t":1}');
    await expect(tabA.renameNotebook('draft', 'taken')).rejects.toMatchObject({ code: 'Conflict' });
    expect(fs.readFileSync(nbFile('taken'), 'utf8')).toBe('{"t":1}');
    await expect(tabA.renameNotebook('nope', 'x')).rejects.toMatchObject({
      code: 'NotFound',
      message: 'notebook "nope" does not exist',
    });
    await tabA.renameNotebook('draft', 'final (v2)');
    expect(fs.existsSync(nbFile('draft'))).toBe(false);
    expect(fs.readFileSync(nbFile('final (v2)'), 'utf8')).toBe('{"d":1}');

    await tabA.trashNotebook('final (v2)');
    await tabA.createNotebook('final (v2)', '{"second":1}');
    await tabA.trashNotebook('final (v2)');
    const trash = path.join(host.wsDir, 'trash', 'notebooks');
    const kept = fs.readdirSync(trash).map((f) => fs.readFileSync(path.join(trash, f), 'utf8'));
    expect(kept.sort()).toEqual(['{"d":1}', '{"second":1}']);
    expect((await tabA.listNotebooks()).map((n) => n.name)).not.toContain('final (v2)');
    await expect(tabA.readNotebook('final (v2)')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('are written atomically: a reader never sees half a file while another process writes', async () => {
    await tabA.writeNotebook('busy', notebookText(0), null);
    const versions = new Set([contentVersion(notebookText(0)), contentVersion(notebookText(1))]);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'test/host/fixtures/notebook-writer.ts'), host.wsDir, 'busy', '150'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    let done = false;
    void exited.then(() => (done = true));
    let reads = 0;
    const seen = new Set<string>();
    while (!done) {
      const nb = await tabA.readNotebook('busy');
      expect(versions.has(nb.version), `read ${reads}: ${nb.text.length} chars`).toBe(true);
      expect(nb.version).toBe(contentVersion(nb.text));
      JSON.parse(nb.text);
      seen.add(nb.version);
      reads++;
    }
    expect(await exited).toBe(0);
    expect(reads).toBeGreaterThan(5);
    expect(seen.size).toBe(2); // the reads really did interleave with the writes
    expect(fs.readdirSync(path.join(host.wsDir, 'notebooks')).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('changed on disk by someone else: the page hears `notebook-changed` with the new version', async () => {
    const { version } = await tabA.createNotebook('watched', '{"w":1}');
    const events: WorkspaceEvent[] = [];
    const stop = tabB.watch((ev) => events.push(ev));
    try {
      await until(() => events.some((e) => e.type === 'notebooks'), 5000, 'the snapshot');
      const w = await tabA.writeNotebook('watched', '{"w":2}', version);
      const ev = await until(() => events.find((e) => e.type === 'notebook-changed' && e.name === 'watched'));
      expect(ev).toEqual({ type: 'notebook-changed', name: 'watched', version: w.version });
      fs.writeFileSync(nbFile('watched'), '{"w":"edited by hand"}'); // another program
      const v3 = contentVersion('{"w":"edited by hand"}');
      await until(() => events.some((e) => e.type === 'notebook-changed' && e.version === v3));
      await tabA.createNotebook('brand new', '{}');
      await until(() => events.some((e) => e.type === 'notebooks' && e.notebooks.some((n) => n.name === 'brand new')));
    } finally {
      stop();
    }
  });
});

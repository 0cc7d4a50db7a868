// renderer/platform/web.ts against the real web host, in Node: every Platform operation round-trips (an app run
// from creation to trash), events arrive over server-sent events and come back after the host restarts, and
// errors carry the host's name and message.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformError, type PlatformApi, type RunListing, type WorkspaceEvent } from '../../engine/contracts/platform';
import { encodeSafetensors } from '../../engine/safetensors';
import { startHost } from '../../electron/host/server';
import { createWebPlatform } from '../../renderer/platform/web';
import { fakeDist, specFile, startTestHost, tinySpecInput, tmpDir, until, type TestHost } from './helpers';

let host: TestHost;
let p: PlatformApi;
const downloads: [string, string | Uint8Array, string][] = [];
beforeAll(async () => {
  host = await startTestHost();
  p = createWebPlatform({
    baseUrl: host.origin,
    token: host.token,
    download: (...a) => void downloads.push(a),
  });
});
afterAll(() => host.close());

const checkpoint = (step: number) =>
  encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array([step, 1, 2]) } }, { step: String(step) });
const trainRow = (step: number) => ({ step, tokens: step * 32, time_s: step / 10, split: 'train', loss: 3 / step });
const valRow = (step: number) => ({ step, tokens: step * 32, time_s: step / 10, split: 'val', loss: 2.5 });

describe('the web Platform', () => {
  it('tells the workspace', async () => {
    expect(await p.workspaceInfo()).toEqual({
      root: host.wsDir,
      name: 'workspace',
      engineVersion: expect.any(String),
      host: 'web',
    });
  });

  it('round-trips an app run: create, rows, probe, checkpoints, rollback, summary, release, trash', async () => {
    const sf = specFile(6);
    const { id } = await p.createRun('tiny copy', sf);
    expect(id).toMatch(/^\d{8}-\d{6}-tiny-copy$/);
    const dir = path.join(host.wsDir, 'runs', id);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'writer.json'), 'utf8'))).toMatchObject({
      pid: process.pid,
      kind: 'app',
    });
    let listing = (await p.listRuns()).find((r) => r.id === id)!;
    expect(listing).toMatchObject({ name: 'tiny copy', status: 'running', writer: 'app', lastStep: 0, totalSteps: 6 });

    await p.writeRun(id, { kind: 'metrics', rows: [trainRow(1), trainRow(2), valRow(2)] });
    await p.writeRun(id, { kind: 'routing', rows: [{ step: 2, sides: [] }] });
    const r1 = await p.readRun(id, { metricsOffset: 0, routingOffset: 0 });
    expect(r1.metrics).toEqual([trainRow(1), trainRow(2), valRow(2)]);
    expect(r1.routing).toEqual([{ step: 2, sides: [] }]);
    expect(r1.specFile).toEqual(JSON.parse(JSON.stringify(sf))); // spec.json as written
    expect(r1.summary).toBeNull();
    expect(r1.metricsOffset).toBe(fs.statSync(path.join(dir, 'metrics.jsonl')).size);
    expect(r1.listing.lastStep).toBe(2);
    expect(r1.restarted).toBeUndefined();

    await p.writeRun(id, { kind: 'metrics', rows: [trainRow(3), trainRow(4), valRow(4)] });
    const r2 = await p.readRun(id, { metricsOffset: r1.metricsOffset, routingOffset: r1.routingOffset });
    expect(r2.metrics).toEqual([trainRow(3), trainRow(4), valRow(4)]); // only the new rows
    expect(r2.routing).toEqual([]);

    await p.writeRun(id, { kind: 'probe', step: 4, report: { step: 4, tokens: ['a', 'b'], layers: [] } });
    expect(await p.readProbe(id, 4)).toEqual({ step: 4, tokens: ['a', 'b'], layers: [] });
    await expect(p.readProbe(id, 3)).rejects.toMatchObject({ code: 'NotFound' });

    for (const s of [1, 2, 3, 4]) await p.writeCheckpoint(id, s, checkpoint(s));
    listing = (await p.listRuns()).find((r) => r.id === id)!;
    expect(listing.checkpoints).toEqual([2, 3, 4]); // the newest 3 kept
    expect(listing.probes).toEqual([4]);
    expect(await p.readCheckpoint(id, 3)).toEqual(checkpoint(3));
    await expect(p.writeCheckpoint(id, 5, new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'InvalidRequest',
      message: expect.stringMatching(/checkpoint of step 5/),
    });
    expect(fs.existsSync(path.join(dir, 'checkpoints', '5.safetensors'))).toBe(false);

    await p.writeRun(id, { kind: 'rollback', step: 2 }); // resume from the checkpoint of step 2
    const r3 = await p.readRun(id, { metricsOffset: r2.metricsOffset, routingOffset: r2.routingOffset });
    expect(r3.restarted).toBe(true);
    expect(r3.metrics).toEqual([trainRow(1), trainRow(2), valRow(2)]);
    expect(r3.listing).toMatchObject({ lastStep: 2, checkpoints: [2], probes: [] });

    await p.writeRun(id, { kind: 'metrics', rows: [trainRow(3)] });
    await p.writeRun(id, {
      kind: 'summary',
      summary: { name: 'tiny copy', status: 'stopped', steps: 3 },
      markdown: '# tiny copy\n',
      svg: '<svg/>',
    });
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toBe('# tiny copy\n');
    expect(fs.readFileSync(path.join(dir, 'loss.svg'), 'utf8')).toBe('<svg/>');
    await p.writeRun(id, { kind: 'release' });
    expect(fs.existsSync(path.join(dir, 'writer.json'))).toBe(false);
    listing = (await p.listRuns()).find((r) => r.id === id)!;
    expect(listing).toMatchObject({ status: 'stopped', lastStep: 3 });
    expect((await p.readRun(id, { metricsOffset: 0, routingOffset: 0 })).summary).toMatchObject({ status: 'stopped' });
    await expect(p.claimRun(id)).rejects.toMatchObject({ code: 'Conflict', message: expect.stringMatching(/stopped/) });
    await expect(p.writeRun(id, { kind: 'metrics', rows: [trainRow(9)] })).rejects.toMatchObject({ code: 'Conflict' });

    await p.trashRun(id);
    expect((await p.listRuns()).map((r) => r.id)).not.toContain(id);
    const trashed = path.join(host.wsDir, 'trash', 'runs', id);
    expect(fs.readdirSync(trashed).sort()).toEqual([
      'checkpoints',
      'loss.svg',
      'metrics.jsonl',
      'probes',
      'routing.jsonl',
      'spec.json',
      'summary.json',
      'summary.md',
    ]);
  });

  it('an interrupted app run writes only its report: summary.md and loss.svg, no summary.json', async () => {
    const { id } = await p.createRun('cut short', specFile(6));
    const dir = path.join(host.wsDir, 'runs', id);
    await p.writeRun(id, { kind: 'metrics', rows: [trainRow(1), trainRow(2)] });
    await p.writeCheckpoint(id, 2, checkpoint(2));
    await p.writeRun(id, { kind: 'summary', summary: null, markdown: '# cut short\n', svg: '<svg>2</svg>' });
    await p.writeRun(id, { kind: 'release' });
    expect(fs.existsSync(path.join(dir, 'summary.json'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'summary.md'), 'utf8')).toBe('# cut short\n');
    expect(fs.readFileSync(path.join(dir, 'loss.svg'), 'utf8')).toBe('<svg>2</svg>');
    expect((await p.listRuns()).find((r) => r.id === id)).toMatchObject({ status: 'interrupted', lastStep: 2 });
    expect((await p.readRun(id, { metricsOffset: 0, routingOffset: 0 })).summary).toBeNull();
    expect(await p.claimRun(id)).toMatchObject({ status: 'running', writer: 'app', checkpoints: [2] }); // resumable
    await p.writeRun(id, { kind: 'rollback', step: 2 });
    expect(fs.existsSync(path.join(dir, 'summary.md'))).toBe(false); // the report of the interruption goes
    await expect(p.writeRun(id, { kind: 'summary' } as never)).rejects.toMatchObject({
      code: 'InvalidRequest',
      message: expect.stringMatching(/summary/),
    });
    await p.writeRun(id, { kind: 'release' });
    await p.trashRun(id);
  });

  it('refuses a run spec file whose spec is invalid, naming the field', async () => {
    const bad = { ...specFile(), spec: { ...tinySpecInput(), model: { dModel: -1 } } };
    await expect(p.createRun('bad', bad)).rejects.toMatchObject({
      code: 'InvalidRequest',
      message: expect.stringMatching(/dModel/),
    });
    expect(fs.readdirSync(path.join(host.wsDir, 'runs'))).toEqual([]);
  });

  it('loads the data sources of a spec: synthetic (none), a corpus, a file in data/', async () => {
    expect(await p.loadDataSources(tinySpecInput() as Record<string, unknown>)).toEqual({});
    const alice = (await p.loadDataSources({ name: 'a', data: { source: { kind: 'corpus', name: 'alice' } } })) as {
      documents: { name: string; text: string }[];
    };
    expect(alice.documents.map((d) => d.name)).toEqual(['carroll-alice']);
    expect(alice.documents[0].text.length).toBeGreaterThan(100_000);
    fs.mkdirSync(path.join(host.wsDir, 'data', 'mine'), { recursive: true });
    fs.writeFileSync(path.join(host.wsDir, 'data', 'mine', 'notes.txt'), 'my own text to train on');
    const mine = await p.loadDataSources({ name: 'm', data: { source: { kind: 'file', path: 'mine/notes.txt' } } });
    expect(mine).toEqual({ documents: [{ name: 'notes.txt', text: 'my own text to train on' }] });
    await expect(
      p.loadDataSources({ name: 'm', data: { source: { kind: 'file', path: 'missing.txt' } } }),
    ).rejects.toMatchObject({ code: 'NotFound', message: 'data file "data/missing.txt" does not exist' });
    await expect(p.loadDataSources({ name: 'x', model: { nLayers: 0 } })).rejects.toMatchObject({
      code: 'InvalidRequest',
      message: expect.stringMatching(/nLayers/),
    });
  });

  it('saves exports as downloads, validating the file name', async () => {
    expect(await p.saveExport('loss.csv', 'step,loss\n1,2\n', 'text/csv')).toEqual({ saved: true, path: null });
    expect(downloads).toEqual([['loss.csv', 'step,loss\n1,2\n', 'text/csv']]);
    await expect(p.saveExport('../x.csv', 'a', 'text/csv')).rejects.toMatchObject({ code: 'InvalidRequest' });
    expect(downloads).toHaveLength(1);
  });

  it("rethrows the host's errors as PlatformError with its name and message", async () => {
    const e = await p.readNotebook('missing').catch((x) => x);
    expect(e).toBeInstanceOf(PlatformError);
    expect(e).toMatchObject({ code: 'NotFound', message: 'notebook "missing" does not exist' });
    const bad = await p.readRun('no-such-run', { metricsOffset: -1, routingOffset: 0 }).catch((x) => x);
    expect(bad).toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(/^readRun: argument 1/) });
    const noToken = createWebPlatform({ baseUrl: host.origin, token: 'wrong' });
    await expect(noToken.listRuns()).rejects.toMatchObject({
      code: 'Unauthorized',
      message: expect.stringMatching(/token/),
    });
    const away = createWebPlatform({ baseUrl: 'http://127.0.0.1:9', token: 't' });
    await expect(away.listRuns()).rejects.toMatchObject({
      code: 'HostError',
      message: expect.stringMatching(/cannot reach the workbench host at http:\/\/127\.0\.0\.1:9/),
    });
  });
});

describe('watch', () => {
  it('delivers the snapshot, then run events as a run grows, and reconnects after the host restarts', async () => {
    const root = tmpDir('watch');
    const wsDir = path.join(root, 'workspace');
    const distDir = fakeDist(path.join(root, 'dist'));
    const own = await startHost({ workspace: wsDir, distDir, pollMs: 100 });
    const events: WorkspaceEvent[] = [];
    const connection: boolean[] = [];
    const web = createWebPlatform({
      baseUrl: own.origin,
      token: own.token,
      retryMs: { initial: 50, max: 200 },
      onConnection: (c) => connection.push(c),
    });
    const stop = web.watch((ev) => events.push(ev));
    let second: Awaited<ReturnType<typeof startHost>> | null = null;
    try {
      await until(() => events.length >= 2, 5000, 'the snapshot');
      expect(events.slice(0, 2)).toEqual([
        { type: 'runs', runs: [] },
        { type: 'notebooks', notebooks: [] },
      ]);
      const { id } = await web.createRun('watched', specFile(4));
      const runsEvent = (f: (r: RunListing) => boolean) =>
        until(() => events.find((e) => e.type === 'runs' && e.runs.some((r) => r.id === id && f(r))));
      await runsEvent((r) => r.status === 'running');
      await web.writeRun(id, { kind: 'metrics', rows: [trainRow(1)] });
      await runsEvent((r) => r.lastStep === 1 && r.metricsBytes > 0);

      await own.close(); // the host goes away...
      await until(() => connection.includes(false), 5000, 'the disconnect');
      const before = events.length;
      second = await startHost({ workspace: wsDir, distDir, port: own.port, token: own.token, pollMs: 100 });
      await until(() => events.length > before + 1, 10_000, 'the snapshot after reconnecting'); // ...and comes back
      const snap = events.slice(before).find((e) => e.type === 'runs') as { runs: RunListing[] };
      expect(snap.runs.map((r) => [r.id, r.status])).toEqual([[id, 'interrupted']]); // its page claim died with it
      expect(connection.filter((c) => c).length).toBeGreaterThanOrEqual(2);
    } finally {
      stop();
      await second?.close();
      await own.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

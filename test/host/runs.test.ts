// Run status and live runs: a run written by another process (the CLI code path: RunDir appends with a `cli`
// writer claim) shows up and grows in the listing and in server-sent events, running and then complete; a killed
// writer leaves it interrupted (then it can be claimed); an app run whose page went away turns interrupted after
// the grace period; torn last lines are never returned; runs are trashed by moving.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformApi, RunListing, WorkspaceEvent } from '../../engine/contracts/platform';
import { FOREIGN_CLAIM_FRESH_MS, RunDir } from '../../engine/node/rundir';
import { writerOf, type SpecFileView } from '../../electron/host/workspace-runs';
import { createWebPlatform } from '../../renderer/platform/web';
import { ROOT, sleep, specFile, startTestHost, tinySpecInput, until, type TestHost } from './helpers';

const GRACE_MS = 1500; // long enough that a loaded machine never drops a live page between two requests
let host: TestHost;
let page: PlatformApi;
let events: WorkspaceEvent[] = [];
let stopWatching: () => void;
const children: ChildProcess[] = [];

beforeAll(async () => {
  host = await startTestHost({ graceMs: GRACE_MS, pollMs: 100 });
  page = createWebPlatform({ baseUrl: host.origin, token: host.token });
  stopWatching = page.watch((ev) => events.push(ev));
});
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(async () => {
  stopWatching();
  await host.close();
});

const runsDir = () => path.join(host.wsDir, 'runs');
const listingOf = async (id: string) => (await page.listRuns()).find((r) => r.id === id);
const eventFor = (id: string, f: (r: RunListing) => boolean) =>
  until(
    () => events.some((e) => e.type === 'runs' && e.runs.some((r) => r.id === id && f(r))),
    20_000,
    `a runs event for ${id}`,
  );

/** Start the fixture writer: another process writing a run the way the CLI does. */
function startWriter(id: string, steps: number, delayMs: number, hang = false): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'test/host/fixtures/run-writer.ts'),
      runsDir(),
      id,
      String(steps),
      String(delayMs),
    ].concat(hang ? ['hang'] : []),
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`run writer exited early (${code})`)));
  });
}

describe('runs written by another process (the CLI code path)', () => {
  it('appear, grow and finish: listing and events say running, then complete', async () => {
    events = [];
    const child = await startWriter('cli-run', 12, 150);
    await eventFor('cli-run', (r) => r.status === 'running' && r.writer === 'cli');
    await eventFor('cli-run', (r) => r.status === 'running' && r.lastStep >= 2);
    const mid = await listingOf('cli-run');
    expect(mid).toMatchObject({ status: 'running', writer: 'cli', totalSteps: 12 });
    const read = await page.readRun('cli-run', { metricsOffset: 0, routingOffset: 0 });
    expect(read.metrics.length).toBeGreaterThanOrEqual(2);
    expect(read.metrics.map((r) => (r as { step: number }).step)).toEqual(
      Array.from({ length: read.metrics.length }, (_, i) => i + 1),
    );
    await new Promise((r) => child.once('exit', r));
    await eventFor('cli-run', (r) => r.status === 'complete' && r.lastStep === 12);
    const growth = events
      .filter((e) => e.type === 'runs')
      .map((e) => (e as { runs: RunListing[] }).runs.find((r) => r.id === 'cli-run')?.lastStep ?? -1);
    expect(new Set(growth).size).toBeGreaterThan(3); // several growth events, not one at the end
    const rest = await page.readRun('cli-run', {
      metricsOffset: read.metricsOffset,
      routingOffset: read.routingOffset,
    });
    expect([...read.metrics, ...rest.metrics].map((r) => (r as { step: number }).step)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  it('a killed writer leaves the run interrupted; it cannot be claimed while alive, and can be after', async () => {
    events = [];
    const child = await startWriter('killed-run', 3, 20, true);
    await eventFor('killed-run', (r) => r.status === 'running' && r.lastStep === 3);
    await expect(page.claimRun('killed-run')).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringMatching(new RegExp(`being written by the CLI \\(pid ${child.pid} `)),
    });
    await expect(page.trashRun('killed-run')).rejects.toMatchObject({ code: 'Conflict' });
    child.kill('SIGKILL');
    await eventFor('killed-run', (r) => r.status === 'interrupted');
    const claimed = await page.claimRun('killed-run');
    expect(claimed).toMatchObject({ status: 'running', writer: 'app', lastStep: 3 });
    await page.writeRun('killed-run', { kind: 'metrics', rows: [{ step: 4, split: 'train', loss: 1 }] });
    expect((await listingOf('killed-run'))!.lastStep).toBe(4);
  });

  it('a run that a real `npm run experiment` is writing shows up and completes', async () => {
    events = [];
    const specPath = path.join(host.root, 'tiny.json');
    fs.writeFileSync(specPath, JSON.stringify({ ...tinySpecInput(3), name: 'cli tiny' }));
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'engine/node/cli/experiment.ts'),
        specPath,
        '--backend',
        'cpu',
        '--out',
        runsDir(),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code, stderr).toBe(0);
    const id = (await page.listRuns()).find((r) => r.name === 'cli tiny')?.id;
    expect(id).toMatch(/-cli-tiny$/);
    await eventFor(id!, (r) => r.status === 'complete' && r.lastStep === 3 && r.checkpoints.length > 0);
    const read = await page.readRun(id!, { metricsOffset: 0, routingOffset: 0 });
    expect(read.metrics.filter((r) => (r as { split: string }).split === 'train')).toHaveLength(3);
    expect(read.routing.length).toBeGreaterThan(0);
    expect(read.summary).toMatchObject({ status: 'complete', steps: 3 });
  });
});

describe('runs of the PyTorch export, copied back from another machine', () => {
  it('run while written to in the last 10 minutes, are interrupted after; written by the export', async () => {
    events = [];
    const run = RunDir.create(runsDir(), 'cluster-run');
    // what engine/node/export/python/train.py leaves behind: its claim (another host) and backend "pytorch"
    const claim = { pid: 77, kind: 'export', startedAt: '2025-01-01T00:00:00.000Z', hostname: 'gpu-node-7.cluster' };
    fs.writeFileSync(run.writerPath, JSON.stringify(claim));
    run.appendMetricsRows([{ step: 1, split: 'train', loss: 3 }]);
    const old = new Date(Date.now() - FOREIGN_CLAIM_FRESH_MS - 60_000);
    for (const f of [run.writerPath, run.metricsPath]) fs.utimesSync(f, old, old);
    run.writeSpec({ ...specFile(4), backend: { name: 'pytorch', adapter: 'PyTorch 2.3, 8 x H100' } });
    expect(await listingOf('cluster-run')).toMatchObject({ status: 'interrupted', writer: 'export', lastStep: 1 });
    run.appendMetricsRows([{ step: 2, split: 'train', loss: 2.9 }]); // the copy is refreshed: it was written just now
    await eventFor('cluster-run', (r) => r.status === 'running' && r.lastStep === 2);
    await expect(page.claimRun('cluster-run')).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringMatching(/being written by an export \(pid 77 on gpu-node-7\.cluster/),
    });
    fs.rmSync(run.writerPath); // the export ended cleanly
    await eventFor('cluster-run', (r) => r.status === 'interrupted' && r.writer === 'export');
    run.writeSummary({ name: 'tiny copy', status: 'complete', steps: 4 });
    await eventFor('cluster-run', (r) => r.status === 'complete');
  });

  it('writerOf: the claim, else the export (backend pytorch), the CLI (command or commit), the app (a backend)', () => {
    const app = specFile();
    const claim = { pid: 1, kind: 'cli' as const, startedAt: '', hostname: 'h' };
    expect(writerOf(app, null)).toBe('app');
    expect(writerOf(app, claim)).toBe('cli');
    expect(writerOf({ ...app, backend: { name: 'pytorch' } }, null)).toBe('export');
    expect(writerOf({ ...app, command: 'npm run experiment -- tiny.json' }, null)).toBe('cli');
    expect(writerOf({ ...app, commit: '0123abc-dirty' }, null)).toBe('cli');
    expect(writerOf(null, null)).toBeNull(); // unreadable spec.json
    expect(writerOf({ spec: app.spec as SpecFileView['spec'] }, null)).toBeNull(); // no backend: who knows
    expect(writerOf({ createdAt: 'x' }, null)).toBeNull();
  });
});

describe('app runs', () => {
  it('turn interrupted when their page goes away (after the grace period), and another page may take over', async () => {
    const tab = createWebPlatform({ baseUrl: host.origin, token: host.token, clientId: 'tab-one' });
    const other = createWebPlatform({ baseUrl: host.origin, token: host.token, clientId: 'tab-two' });
    const { id } = await tab.createRun('left behind', specFile());
    expect((await listingOf(id))!.status).toBe('running');
    await expect(other.claimRun(id)).rejects.toMatchObject({ code: 'Conflict' });
    await expect(other.writeRun(id, { kind: 'metrics', rows: [{ step: 1 }] })).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringMatching(/another page/),
    });
    await sleep(GRACE_MS + 200); // tab-one makes no request and holds no event stream: it is gone
    expect((await listingOf(id))!.status).toBe('interrupted');
    await eventFor(id, (r) => r.status === 'interrupted');
    await other.claimRun(id);
    await other.writeRun(id, { kind: 'metrics', rows: [{ step: 1 }] });
    await expect(tab.writeRun(id, { kind: 'metrics', rows: [{ step: 2 }] })).rejects.toMatchObject({
      code: 'Conflict',
    });
  });

  it('stay running while their page holds its event stream open, however quiet', async () => {
    const tab = createWebPlatform({ baseUrl: host.origin, token: host.token, clientId: 'tab-watching' });
    const seen: WorkspaceEvent[] = [];
    const stop = tab.watch((e) => seen.push(e));
    await until(() => seen.length > 0, 5000, 'the snapshot');
    const { id } = await tab.createRun('watched page', specFile());
    await sleep(GRACE_MS * 2);
    expect((await listingOf(id))!.status).toBe('running');
    stop(); // the tab closes
    await sleep(GRACE_MS + 300);
    expect((await listingOf(id))!.status).toBe('interrupted');
  });
});

describe('reading runs', () => {
  it('never returns a torn last line, and returns it once complete', async () => {
    const tab = createWebPlatform({ baseUrl: host.origin, token: host.token });
    const { id } = await tab.createRun('torn', specFile());
    await tab.writeRun(id, { kind: 'metrics', rows: [{ step: 1, loss: 2 }] });
    const file = path.join(runsDir(), id, 'metrics.jsonl');
    fs.appendFileSync(file, '{"step":2,"lo'); // a writer caught mid-line
    const a = await tab.readRun(id, { metricsOffset: 0, routingOffset: 0 });
    expect(a.metrics).toEqual([{ step: 1, loss: 2 }]);
    expect(a.metricsOffset).toBe(fs.statSync(file).size - '{"step":2,"lo'.length);
    expect(a.listing.lastStep).toBe(1);
    fs.appendFileSync(file, 'ss":1.5}\n');
    const b = await tab.readRun(id, { metricsOffset: a.metricsOffset, routingOffset: a.routingOffset });
    expect(b.metrics).toEqual([{ step: 2, loss: 1.5 }]);
    expect(b.restarted).toBeUndefined();
  });

  it('trashes a finished run by moving it, with its files intact', async () => {
    const tab = createWebPlatform({ baseUrl: host.origin, token: host.token });
    const { id } = await tab.createRun('to trash', specFile());
    await tab.writeRun(id, { kind: 'metrics', rows: [{ step: 1 }] });
    await expect(tab.trashRun(id)).rejects.toMatchObject({
      code: 'Conflict',
      message: expect.stringMatching(/running/),
    });
    await tab.writeRun(id, { kind: 'release' });
    await tab.trashRun(id);
    expect(fs.existsSync(path.join(runsDir(), id))).toBe(false);
    expect(fs.readFileSync(path.join(host.wsDir, 'trash', 'runs', id, 'metrics.jsonl'), 'utf8')).toBe('{"step":1}\n');
    await expect(tab.readRun(id, { metricsOffset: 0, routingOffset: 0 })).rejects.toMatchObject({ code: 'NotFound' });
  });
});

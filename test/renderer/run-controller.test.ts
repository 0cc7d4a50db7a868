// renderer/runs/ in Node against the real web host and the real engine (in-process, wasm): the controller trains an
// Experiment cell's spec into a run directory through the web Platform, the runs store follows the worker's events,
// and the files on disk are the CLI's format (summary, checkpoints). Also: Stop, a NaN (the error kept with its
// curves, the next run fine), the queue (one run at a time), a lost device continuing on wasm, and an interrupted
// run (its page gone) resumed by another page from its newest checkpoint without a gap or a duplicate step.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlatformApi } from '../../engine/contracts/platform';
import { inlineEngineWorker } from '../../engine/node/worker-host';
import { createWebPlatform } from '../../renderer/platform/web';
import { RunController } from '../../renderer/runs/controller';
import { finishJob, useQueue } from '../../renderer/runs/queue';
import { RunSync } from '../../renderer/runs/sync';
import { getDoc, notebookActions } from '../../renderer/state/notebook';
import { emptyDoc, type ExperimentCell } from '../../renderer/state/notebook-schema';
import { entry, flushTouches, useRuns } from '../../renderer/state/runs';
import { startTestHost, tinySpecInput, until, type TestHost } from '../host/helpers';

let host: TestHost;
const notices: string[] = [];

beforeAll(async () => {
  host = await startTestHost({ graceMs: 300 });
});
afterAll(() => host?.close());

function page(clientId: string): { platform: PlatformApi; controller: RunController; sync: RunSync } {
  const platform = createWebPlatform({ baseUrl: host.origin, token: host.token, clientId });
  let c: RunController | null = null;
  const sync = new RunSync(platform, (id) => c?.isLive(id) ?? false);
  c = new RunController({
    platform: () => platform,
    createClient: () => inlineEngineWorker(),
    backends: ['wasm'],
    sync,
    notify: (m) => notices.push(m),
  });
  return { platform, controller: c, sync };
}

/** A notebook with one Experiment cell training `spec`; returns the cell id. */
function cellWith(spec: Record<string, unknown>): string {
  notebookActions.load(emptyDoc('t'));
  return notebookActions.add({
    kind: 'experiment',
    preset: null,
    spec,
    runIds: [],
    view: { xAxis: 'step', logX: false, logY: false, smoothing: 0.6, routingLayer: 0, routingSide: 'src' },
  })!;
}

const runIdsOf = (cell: string) => (getDoc().cells[cell] as ExperimentCell).runIds;
const runDir = (id: string) => path.join(host.wsDir, 'runs', id);
const jsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step: number; split?: string });
const summaryOf = (id: string) => {
  const file = path.join(runDir(id), 'summary.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
};
const noJobs = () => Object.keys(useQueue.getState().jobs).length === 0;
const trainSteps = (id: string) => Array.from(entry(id).train.get('step'));

function spec(steps: number, extra: { lr?: number; log?: Record<string, number> } = {}): Record<string, unknown> {
  const s = tinySpecInput(steps) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    ...s,
    train: { ...s.train, ...(extra.lr ? { lr: extra.lr } : {}) },
    log: { ...s.log, ...extra.log },
  };
}

beforeEach(() => {
  notices.length = 0;
});

describe('the run controller', () => {
  it('trains a cell into a run directory, the store following the worker, and reads it back when done', async () => {
    const { controller, sync } = page('page-a');
    const stopSync = sync.start();
    const cell = cellWith(spec(6));
    controller.runCell(cell);
    const id = await until(() => runIdsOf(cell)[0], 60_000, 'the run id');
    expect(controller.isLive(id)).toBe(true);
    await until(() => noJobs(), 120_000, 'the run to end');
    await until(() => entry(id).summary, 10_000, 'the summary read back');
    flushTouches();
    const disk = jsonl(path.join(runDir(id), 'metrics.jsonl'));
    expect(disk.filter((r) => r.split === 'train').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(trainSteps(id)).toEqual([1, 2, 3, 4, 5, 6]); // read back from disk: exactly the file
    expect(entry(id).val.get('step').length).toBe(disk.filter((r) => r.split === 'val').length);
    expect(entry(id).routing.length).toBeGreaterThan(0);
    expect(summaryOf(id).status).toBe('complete');
    expect(fs.readdirSync(path.join(runDir(id), 'checkpoints')).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(runDir(id), 'writer.json'))).toBe(false); // released
    expect(entry(id).live).toBeNull();
    stopSync();
  });

  it('queues a second run behind the first (one at a time on a CPU backend); Stop saves it as stopped', async () => {
    const { controller } = page('page-b');
    const cell = cellWith(spec(400));
    controller.runCell(cell);
    controller.runCell(cell);
    const states = () =>
      Object.values(useQueue.getState().jobs)
        .map((j) => j.state)
        .sort();
    expect(states()).toEqual(['queued', 'starting']);
    const first = await until(() => runIdsOf(cell)[0], 60_000, 'the first run');
    await until(() => entry(first).train.length >= 2, 60_000, 'two steps');
    expect(states()).toEqual(['queued', 'running']);
    await controller.stop(first);
    const second = await until(() => runIdsOf(cell)[1], 60_000, 'the second run to start');
    expect(summaryOf(first).status).toBe('stopped');
    await controller.stop(second);
    await until(() => noJobs(), 60_000, 'both runs to end');
    expect(summaryOf(second).status).toBe('stopped');
  });

  /** Start a long run of the cell, pause it, and make the step two after the pause fail with `kind`. */
  async function failSoon(controller: RunController, cell: string, kind: 'nan' | 'device-lost') {
    controller.runCell(cell);
    const id = await until(() => runIdsOf(cell).at(-1), 60_000, 'the run id');
    await until(() => entry(id).train.length >= 1, 60_000, 'a first step');
    await controller.pause(id);
    const at = (trainSteps(id).at(-1) ?? 0) + 2;
    await controller.session(id)!.injectFault({ kind, atStep: at });
    await controller.resume(id);
    return { id, at };
  }

  it('keeps the curves and the error of a run that fails (NaN); the next run works', async () => {
    const { controller } = page('page-c');
    const cell = cellWith(spec(400, { log: { checkpointInterval: 1 } }));
    const { id, at } = await failSoon(controller, cell, 'nan');
    await until(() => noJobs(), 60_000, 'the run to fail');
    const s = summaryOf(id);
    expect(s.status).toBe('failed');
    expect(s.error.reason).toBe('non-finite');
    expect(s.error.message).toMatch(new RegExp(`NaN at step ${at}\\b`));
    expect(entry(id).error?.message).toMatch(new RegExp(`NaN at step ${at}`));
    expect(trainSteps(id)).toEqual(Array.from({ length: at - 1 }, (_, i) => i + 1)); // the curves up to the failure
    expect(fs.readdirSync(path.join(runDir(id), 'checkpoints'))).toContain(`${at - 1}.safetensors`);
    notebookActions.update<ExperimentCell>(cell, { spec: spec(6) });
    controller.runCell(cell);
    const next = await until(() => runIdsOf(cell)[1], 60_000, 'the next run');
    await until(() => noJobs(), 60_000, 'the next run to end');
    expect(summaryOf(next).status).toBe('complete');
  });

  it('continues a run whose device was lost on wasm from its last checkpoint', async () => {
    const { controller } = page('page-d');
    const cell = cellWith(spec(400, { log: { checkpointInterval: 1000 } }));
    const { id, at } = await failSoon(controller, cell, 'device-lost');
    await until(() => notices.some((n) => /device was lost/.test(n)), 60_000, 'the device-lost notice');
    await until(() => controller.isLive(id) && trainSteps(id).at(-1)! >= at + 2, 60_000, 'the run to go on');
    await controller.stop(id);
    await until(() => noJobs() && summaryOf(id)?.status === 'stopped', 60_000, 'the continued run to stop');
    const train = jsonl(path.join(runDir(id), 'metrics.jsonl')).filter((r) => r.split === 'train');
    expect(train.length).toBeGreaterThan(at);
    expect(train.map((r) => r.step)).toEqual(Array.from({ length: train.length }, (_, i) => i + 1));
  });

  it('resumes an interrupted run (its page gone) from its newest checkpoint: no gap, no duplicate step', async () => {
    const a = page('page-e');
    const cell = cellWith(spec(400, { log: { checkpointInterval: 3 } }));
    a.controller.runCell(cell);
    const id = await until(() => runIdsOf(cell)[0], 60_000, 'the run id');
    await until(() => entry(id).train.length >= 7, 60_000, 'seven steps');
    await a.controller.pause(id);
    // the page goes away: its worker with it, nothing more is written, its claim lapses after the grace period
    (a.controller.session(id) as unknown as { client: { dispose(): void } }).client.dispose();
    finishJob(Object.values(useQueue.getState().jobs).find((j) => j.runId === id)!.id); // the page's queue went too
    const b = page('page-f');
    b.sync.onListing(await b.platform.listRuns());
    await until(
      async () => (await b.platform.listRuns()).find((r) => r.id === id)?.status === 'interrupted',
      10_000,
      'the run to show as interrupted',
    );
    const before = jsonl(path.join(runDir(id), 'metrics.jsonl')).filter((r) => r.split === 'train');
    expect(before.length).toBeGreaterThanOrEqual(7);
    const checkpoints = fs.readdirSync(path.join(runDir(id), 'checkpoints')).map((f) => parseInt(f, 10));
    const from = Math.max(...checkpoints);
    b.controller.resumeRun(id);
    await until(() => b.controller.isLive(id) && entry(id).train.length > 0, 60_000, 'the resumed run to train');
    await until(() => trainSteps(id).at(-1)! >= from + 3, 60_000, 'three more steps');
    expect(trainSteps(id).slice(0, from)).toEqual(Array.from({ length: from }, (_, i) => i + 1)); // rolled back
    await b.controller.stop(id);
    await until(() => noJobs(), 60_000, 'the run to stop');
    const after = jsonl(path.join(runDir(id), 'metrics.jsonl')).filter((r) => r.split === 'train');
    const steps = after.map((r) => r.step);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1)); // 1..n, each once
    expect(steps.length).toBeGreaterThan(from);
    expect(summaryOf(id).status).toBe('stopped');
    expect(useRuns.getState().runs[id]?.live ?? null).toBeNull();
  });
});

// One run loop: the same spec trained by the CLI (a real `npm run experiment` process) and through the worker
// protocol the app uses (a worker_threads engine + RunRecorder + the RunDir sink) writes the same run directory,
// row by row: everything but wall times (time_s, step_ms, tokens_per_s, createdAt, training time).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir, runStatus } from '../../engine/node/rundir';
import { RunDirSink } from '../../engine/node/run-sink';
import { nodeInitBody, spawnEngineWorker } from '../../engine/node/worker-host';
import { RunRecorder } from '../../engine/run/recorder';
import type { RunSummary } from '../../engine/contracts/run-files';
import { decodeSafetensors } from '../../engine/safetensors';
import { parseSpec, withOverrides, type ExperimentSpec } from '../../engine/spec';
import { presets } from '../../experiments/index';
import { onlyRun, runCli, tinySpec, tmpDir, writeSpec } from './helpers';

const tmp = tmpDir('one-loop');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const WALL = new Set([
  'time_s',
  'step_ms',
  'tokens_per_s',
  'createdAt',
  'command',
  'commit',
  'trainTimeS',
  'tokensPerS',
]);

/** A JSON value without its wall-time fields (at any depth). */
function timeless(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(timeless);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => !WALL.has(k))
        .map(([k, x]) => [k, timeless(x)]),
    );
  return v;
}

/** Train `spec` through the worker protocol, recording with the same RunRecorder the CLI uses. */
async function viaWorker(spec: ExperimentSpec, root: string): Promise<string> {
  const client = spawnEngineWorker({ timeoutMs: 120_000 });
  const sink = new RunDirSink(root, { kind: 'app' });
  const recorder = new RunRecorder(sink);
  client.on('*', (ev) => recorder.consume(ev));
  try {
    await client.request('init', nodeInitBody(spec, { backend: ['wasm'] }));
    const finished = client.next('finished');
    await client.request('start', {});
    await finished;
    await recorder.flush();
    return sink.run!.dir;
  } finally {
    client.dispose();
  }
}

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

function expectSameRun(cliDir: string, appDir: string): void {
  const a = RunDir.open(cliDir),
    b = RunDir.open(appDir);
  expect(files(appDir)).toEqual(files(cliDir));
  expect(timeless(b.readSpec())).toEqual(timeless(a.readSpec()));

  const ma = a.readMetrics(),
    mb = b.readMetrics();
  expect(mb.length).toBe(ma.length);
  mb.forEach((row, i) => expect(timeless(row), `metrics.jsonl line ${i + 1}`).toEqual(timeless(ma[i])));
  const ra = a.readRouting(),
    rb = b.readRouting();
  expect(rb.length).toBe(ra.length);
  rb.forEach((row, i) => expect(row, `routing.jsonl line ${i + 1}`).toEqual(ra[i]));

  expect(b.listProbes()).toEqual(a.listProbes());
  for (const p of a.listProbes()) expect(b.readProbe(p), `probes/${p}.json`).toEqual(a.readProbe(p));

  expect(b.listCheckpoints()).toEqual(a.listCheckpoints());
  for (const c of a.listCheckpoints()) {
    const x = decodeSafetensors(fs.readFileSync(a.checkpointPath(c))),
      y = decodeSafetensors(fs.readFileSync(b.checkpointPath(c)));
    expect(Object.keys(y.tensors)).toEqual(Object.keys(x.tensors));
    for (const n of Object.keys(x.tensors))
      expect(Buffer.from(y.tensors[n].data.buffer).equals(Buffer.from(x.tensors[n].data.buffer)), n).toBe(true);
    const state = (m: Record<string, string>) => ({
      ...m,
      trainer_state: { ...JSON.parse(m.trainer_state), elapsedS: 0 },
    });
    expect(state(y.metadata)).toEqual(state(x.metadata));
  }

  expect(timeless(b.readSummary())).toEqual(timeless(a.readSummary()));
  const md = (r: RunDir) =>
    fs
      .readFileSync(r.summaryMarkdownPath, 'utf8')
      .split('\n')
      .filter((l) => !/^\| (started|command|commit) \||tokens\/s/.test(l));
  expect(md(b)).toEqual(md(a));
  expect(fs.readFileSync(b.lossSvgPath, 'utf8')).toBe(fs.readFileSync(a.lossSvgPath, 'utf8'));
  expect([runStatus(a), runStatus(b)]).toEqual(['complete', 'complete']);
}

interface Expected {
  val: number[];
  routing: number[];
  probes: number[];
  checkpoints: number[];
}

const cases: [string, string, ExperimentSpec, Expected][] = [
  [
    'a teaching preset, shortened (synthetic copy task, RoPE)',
    'teach',
    withOverrides(presets['teach-copy'].spec, {
      train: { steps: 9, warmupSteps: 2 },
      log: { evalInterval: 4, routingInterval: 3, probeInterval: 4, checkpointInterval: 4 },
    }),
    { val: [0, 4, 8, 9], routing: [3, 6, 9], probes: [4, 8, 9], checkpoints: [4, 8, 9] },
  ],
  [
    'a tiny SwitchHead byte-level LM with XL memory and dropout',
    'tiny-lm',
    parseSpec(tinySpec(12)),
    { val: [0, 5, 10, 12], routing: [5, 10, 12], probes: [10, 12], checkpoints: [5, 10, 12] },
  ],
];

describe('the CLI and the worker protocol write the same run directory', () => {
  it.each(cases)('%s', async (_label, name, spec, want) => {
    const file = writeSpec(tmp, spec, `${name}.json`);
    const cli = runCli('experiment', [file, '--out', path.join(tmp, name, 'cli')]); // runs alongside the worker
    const appDir = await viaWorker(spec, path.join(tmp, name, 'app'));
    const r = await cli;
    expect(r.code, r.stderr).toBe(0);
    const cliDir = onlyRun(path.join(tmp, name, 'cli'));
    expect(RunDir.open(cliDir).readSpec<{ command?: string }>().command).toBe(
      `npm run experiment -- ${file} --out ${path.join(tmp, name, 'cli')}`,
    );
    expectSameRun(cliDir, appDir);
    // ...and that directory is the one the run plan describes
    const run = RunDir.open(appDir);
    const rows = run.readMetrics<{ step: number; split: string }>();
    expect(rows.filter((m) => m.split === 'train').map((m) => m.step)).toEqual(
      Array.from({ length: spec.train.steps }, (_, i) => i + 1),
    );
    expect(rows.filter((m) => m.split === 'val').map((m) => m.step)).toEqual(want.val);
    expect(run.readRouting<{ step: number }>().map((r) => r.step)).toEqual(want.routing);
    expect(run.listProbes()).toEqual(want.probes);
    expect(run.listCheckpoints()).toEqual(want.checkpoints);
  });
});

describe('an app run', () => {
  it('stopped by the user: the summary says stopped, after every row of the run; the claim goes', async () => {
    const client = spawnEngineWorker({ timeoutMs: 120_000 });
    const sink = new RunDirSink(path.join(tmp, 'stopped'), { kind: 'app' });
    const recorder = new RunRecorder(sink);
    client.on('*', (ev) => recorder.consume(ev));
    try {
      await client.request('init', nodeInitBody(parseSpec(tinySpec(500, { name: 'stopme' })), { backend: ['wasm'] }));
      const running = client.next('metrics', (m) => m.columns.step[m.count - 1] >= 7);
      await client.request('start', {});
      await running;
      expect(runStatus(sink.run!)).toBe('running');
      const stopped = await client.request('stop', {});
      await recorder.flush();
      const run = sink.run!;
      const s = run.readSummary<RunSummary>()!;
      const trainRows = run.readMetrics<{ step: number; split: string }>().filter((r) => r.split === 'train');
      expect(s.status).toBe('stopped');
      expect(s.steps).toBe(stopped.step);
      expect(trainRows.at(-1)!.step).toBe(stopped.step); // no row came after the summary
      expect(s.final.train!.step).toBe(stopped.step);
      expect(runStatus(run)).toBe('stopped');
      expect(run.readClaim()).toBeNull();
      expect(fs.readFileSync(run.summaryMarkdownPath, 'utf8')).toContain(`**stopped** at step ${stopped.step} of 500`);
    } finally {
      client.dispose();
    }
  });
});

// A run goes both ways between the engine and the exported PyTorch script:
// - 2 DDP processes (gloo, ranks started by hand) train the same 21 steps as 1 process on the same global batch;
// - the DDP run directory opens in the workbench code (compare, run files) and its checkpoint loads into the engine,
//   whose next step has PyTorch's loss; the engine's runner continues the run (--resume);
// - a workbench run directory, exported, resumes in PyTorch with the engine's next-step loss.
// The model is SwitchAll with XL memory and both regularisers on, so the global-batch sums are exercised.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../engine/data';
import { Workspace } from '../../electron/host/workspace';
import { readRunRow } from '../../engine/node/cli/compare';
import { loadDataSources } from '../../engine/node/corpus';
import { exportExperiment } from '../../engine/node/export/export';
import { readRunSpec, runExperiment } from '../../engine/node/runner';
import { RunDir } from '../../engine/node/rundir';
import { parseSpec } from '../../engine/spec';
import { loadCheckpoint } from '../../engine/train/checkpoint';
import { probe, trainerRouting, type ProbeReport, type RoutingReport } from '../../engine/train/routing';
import { Trainer } from '../../engine/train/trainer';
import { runCli, tmpDir } from '../cli/helpers';
import { useBackend } from '../engine/helpers';
import { exportAndPrepare, onlyRunIn, requireTorch, rows, runPython, runRanks, tinyXl, type Done } from './helpers';

const STEPS = 21;
const SPEC = tinyXl(STEPS, {
  name: 'ddp-switchall',
  model: {
    dModel: 16,
    nLayers: 2,
    dFF: 32,
    dropout: 0,
    attention: {
      kind: 'switchhead',
      nHeads: 2,
      dHead: 8,
      nExperts: 3,
      k: 2,
      positions: 'xl',
      xlMemory: true,
      selectionReg: 0.01,
    },
    mlp: { kind: 'sigma-moe', nExperts: 4, k: 2, expertSize: 8, entropyReg: 0.01 },
  },
});

const tmp = tmpDir('ddp');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dir = '',
  one = '',
  two = '';
const ok = (r: Done, what: string) => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr}`);
};

beforeAll(async () => {
  requireTorch();
  await useBackend('wasm');
  dir = await exportAndPrepare(SPEC, tmp, 'export');
  const [single, ranks] = await Promise.all([
    runPython(['train.py', '--out', path.join(tmp, 'one')], { cwd: dir }),
    runRanks(dir, 2, ['--out', path.join(tmp, 'two')]),
  ]);
  ok(single, 'train.py (1 process)');
  ranks.forEach((r, i) => ok(r, `train.py rank ${i}`));
  one = onlyRunIn(path.join(tmp, 'one'));
  two = onlyRunIn(path.join(tmp, 'two'));
});

const near = (a: number, b: number, tol: number, what: string) => expect(Math.abs(a - b), what).toBeLessThan(tol);
const maxDiff = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
};

describe('DistributedDataParallel', () => {
  it('2 processes train the same 21 steps as 1 process on the same global batch (losses within 1e-4)', () => {
    const a = rows(one, 'train'),
      b = rows(two, 'train');
    expect(a.map((r) => r.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(b.map((r) => r.step)).toEqual(a.map((r) => r.step));
    a.forEach((r, i) => near(b[i].loss, r.loss, 1e-4, `step ${r.step}`));
    expect(b.at(-1)!.tokens).toBe(STEPS * 4 * 16); // tokens of the global batch
    expect(a.at(-1)!.loss).toBeLessThan(a[0].loss - 0.3); // it learns
    const va = rows(one, 'val'),
      vb = rows(two, 'val');
    expect(vb.map((r) => r.step)).toEqual([0, 10, 20, 21]);
    va.forEach((r, i) => near(vb[i].loss, r.loss, 1e-4, `validation at ${r.step}`));
  });

  it('the regularisers are in the loss (reg != 0) and agree between 1 and 2 processes', () => {
    const reg = (d: string) =>
      fs
        .readFileSync(path.join(d, 'metrics.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"train"'))
        .map((l) => JSON.parse(l).reg as number);
    const a = reg(one),
      b = reg(two);
    expect(Math.abs(a[0])).toBeGreaterThan(1e-3);
    a.forEach((r, i) => near(b[i], r, 1e-5, `reg at step ${i + 1}`));
  });

  it('writes the workbench run directory: spec, metrics, routing, probes, checkpoints, summary; compare reads it', async () => {
    const run = RunDir.open(two);
    const meta = readRunSpec(run);
    expect(meta.spec).toEqual(parseSpec(SPEC));
    expect(run.listCheckpoints()).toEqual([10, 20, 21]);
    expect(run.listProbes()).toEqual([10, 20, 21]);
    const routing = run.readRouting<{ step: number; sides: { side: string; heads: { share: number[] }[] }[] }>();
    expect(routing.map((r) => r.step)).toEqual([10, 20, 21]);
    expect(routing[0].sides.map((s) => s.side)).toEqual(['src', 'dst', 'mlp', 'src', 'dst', 'mlp']);
    const share = routing[0].sides[0].heads[0].share;
    near(
      share.reduce((a, b) => a + b, 0),
      1,
      1e-9,
      'expert shares sum to 1',
    );
    const probe = run.readProbe<{ tokens: string[]; layers: { attention: number[][][] }[] }>(21);
    expect(probe.tokens.join('')).toBe('Alice was here'.slice(0, probe.tokens.length));
    expect(probe.layers[0].attention.length).toBe(2);
    const row = readRunRow(two);
    expect(row.status).toBe('complete');
    expect(row.step).toBe(STEPS);
    expect(row.valLoss).toBe(rows(two, 'val').at(-1)!.loss);
    const cli = await runCli('compare', [two, one, '--out', path.join(tmp, 'cmp.md')]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('ddp-switchall');
    expect(cli.stdout).toMatch(/\| complete \| 21 \|/);
  });

  it('opens in the workspace store of the app like any other run (listing, rows, probe, checkpoint)', () => {
    const ws = new Workspace({ root: path.join(tmp, 'workspace') });
    fs.cpSync(two, path.join(ws.paths.runsDir, path.basename(two)), { recursive: true });
    const [listing] = ws.runs.list();
    expect(listing).toMatchObject({
      id: path.basename(two),
      name: 'ddp-switchall',
      status: 'complete',
      lastStep: STEPS,
      totalSteps: STEPS,
      probes: [10, 20, 21],
      checkpoints: [10, 20, 21],
    });
    const read = ws.runs.read(listing.id, { metricsOffset: 0, routingOffset: 0 });
    expect(read.metrics.length).toBe(STEPS + 4); // 21 train rows and 4 validation rows
    expect(read.routing.length).toBe(3);
    expect((read.specFile as { backend: { name: string } }).backend.name).toBe('pytorch');
    expect((ws.runs.readProbe(listing.id, 21) as { step: number }).step).toBe(21);
    expect(fs.existsSync(path.join(two, 'writer.json'))).toBe(false); // the writer's claim went at the clean end
  });

  it("its checkpoint loads into the engine, and the engine's next step has PyTorch's loss (1e-4)", () => {
    const run = RunDir.open(two);
    const spec = readRunSpec(run).spec;
    const tr = new Trainer(spec, buildDataset(spec, loadDataSources(spec)));
    const state = loadCheckpoint(tr, fs.readFileSync(run.checkpointPath(20)), run.checkpointPath(20));
    expect(state.step).toBe(20);
    expect(tr.memory!.map((m) => m.shape)).toEqual([
      [4, 16, 16],
      [4, 16, 16],
    ]); // gathered from both ranks
    // routing statistics and the probe of the same weights agree with what train.py wrote at step 20
    const mine = trainerRouting(tr);
    const theirs = run.readRouting<RoutingReport>().find((r) => r.step === 20)!;
    expect(theirs.sides.map((s) => [s.layer, s.side, s.usedBy])).toEqual(
      mine.sides.map((s) => [s.layer, s.side, s.usedBy]),
    );
    theirs.sides.forEach((s, i) =>
      s.heads.forEach((h, j) => {
        const e = mine.sides[i].heads[j];
        expect(h.counts, `routing ${s.layer}/${s.side}/${j}`).toEqual(e.counts);
        h.meanGate.forEach((g, x) => near(g, e.meanGate[x], 1e-4, 'mean gate'));
        near(h.entropy, e.entropy, 1e-9, 'entropy');
      }),
    );
    expect(theirs.cooccurrence).toEqual(mine.cooccurrence);
    const p = probe(tr, 'Alice was here');
    const q = run.readProbe<ProbeReport>(20);
    expect(q.tokens).toEqual(p.tokens);
    q.layers.forEach((ly, l) => {
      near(maxDiff(ly.attention.flat(2), p.layers[l].attention.flat(2)), 0, 1e-4, `probe attention ${l}`);
      for (const side of ['src', 'dst', 'mlp'] as const) {
        expect(ly[side]!.idx, `probe ${l} ${side}`).toEqual(p.layers[l][side]!.idx);
        near(maxDiff(ly[side]!.gates.flat(2), p.layers[l][side]!.gates.flat(2)), 0, 1e-4, `probe gates ${l} ${side}`);
        near(
          maxDiff(ly[side]!.scores.flat(2), p.layers[l][side]!.scores.flat(2)),
          0,
          1e-4,
          `probe scores ${l} ${side}`,
        );
      }
    });
    const next = tr.step();
    near(next.loss, rows(two, 'train')[20].loss, 1e-4, 'engine step 21 vs PyTorch step 21');
    tr.dispose();
  });

  it('the engine runner continues the PyTorch run (--resume): rows back to the checkpoint, then its own step', async () => {
    const copy = path.join(tmp, 'engine-continues', path.basename(two));
    fs.cpSync(two, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'checkpoints', '21.safetensors'));
    const notes: string[] = [];
    const r = await runExperiment({ resumeDir: copy, progress: null, log: (m) => notes.push(m), handleSignals: false });
    expect(notes.join('\n')).toContain('the run was trained on pytorch; continuing on wasm');
    expect(r.status).toBe('complete');
    const train = rows(copy, 'train');
    expect(train.map((x) => x.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    near(train[20].loss, rows(two, 'train')[20].loss, 1e-4, 'step 21');
    expect(RunDir.open(copy).readSummary<{ backend: string }>()!.backend).toBe('wasm');
  });
});

describe('a workbench run resumes in PyTorch', () => {
  it("exported from its run directory, it continues from the engine's checkpoint with the engine's next-step loss", async () => {
    const engineRun = (
      await runExperiment({
        spec: parseSpec(SPEC),
        runsRoot: path.join(tmp, 'engine'),
        backend: 'wasm',
        progress: null,
        log: () => {},
        handleSignals: false,
      })
    ).dir;
    const cut = path.join(tmp, 'cut', path.basename(engineRun));
    fs.cpSync(engineRun, cut, { recursive: true });
    for (const s of [20, 21]) fs.rmSync(path.join(cut, 'checkpoints', `${s}.safetensors`));
    const out = path.join(tmp, 'from-run');
    const res = exportExperiment({ target: cut, out });
    expect(res.run).toBe(`runs/${path.basename(engineRun)}`);
    expect(res.checkpoint).toBe(`runs/${path.basename(engineRun)}/checkpoints/10.safetensors`);
    ok(await runPython(['prepare_data.py'], { cwd: out }), 'prepare_data.py');
    const ranks = await runRanks(out, 2, ['--resume', res.run!]);
    ranks.forEach((r, i) => ok(r, `train.py --resume rank ${i}`));
    expect(ranks[0].stderr).toContain('resuming');
    const resumed = path.join(out, res.run!);
    const mine = rows(resumed, 'train'),
      theirs = rows(engineRun, 'train');
    expect(mine.map((r) => r.step)).toEqual(theirs.map((r) => r.step));
    mine.slice(0, 10).forEach((r, i) => expect(r.loss, 'rows up to the checkpoint are kept').toBe(theirs[i].loss));
    near(mine[10].loss, theirs[10].loss, 1e-4, 'step 11: the first PyTorch step after the engine checkpoint');
    mine.slice(10).forEach((r, i) => near(r.loss, theirs[10 + i].loss, 1e-4, `step ${r.step}`));
    expect(RunDir.open(resumed).listCheckpoints()).toEqual([10, 20, 21]);
    expect(JSON.parse(fs.readFileSync(path.join(resumed, 'summary.json'), 'utf8')).backend).toBe('pytorch');
  });
});

// `npm run experiment`: a run writes the complete run directory of DESIGN 2.2; bad names and bad spec files fail
// with messages that say what is wrong; a non-finite loss stops with the step named and the last good state saved.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../engine/spec';
import { countParams } from '../../engine/cost';
import { runExperiment, readRunSpec, RunError, type RunSummary } from '../../engine/node/runner';
import { RunDir, runStatus } from '../../engine/node/rundir';
import { presets } from '../../experiments/index';
import { onlyRun, runCli, tinySpec, tmpDir, writeSpec } from './helpers';

const tmp = tmpDir('experiment');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('a headless run', () => {
  it('writes spec.json, metrics, routing, probes, checkpoints and summary.json at the spec intervals', async () => {
    const spec = parseSpec(tinySpec(12));
    const r = await runExperiment({
      spec,
      runsRoot: path.join(tmp, 'runs'),
      progress: null,
      log: () => {},
      handleSignals: false,
    });
    expect(r.status).toBe('complete');
    const run = RunDir.open(r.dir);
    const meta = readRunSpec(run);
    expect(meta.spec).toEqual(spec);
    expect(meta.backend.name).toBe('wasm');
    expect(meta.engineVersion).toMatch(/^\d+\.\d+\.\d+$/);
    const rows = run.readMetrics<{ step: number; split: string; loss: number }>();
    expect(rows.filter((m) => m.split === 'train').map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(rows.filter((m) => m.split === 'val').map((m) => m.step)).toEqual([0, 5, 10, 12]);
    expect(rows.every((m) => Number.isFinite(m.loss))).toBe(true);
    expect(run.readRouting<{ step: number }>().map((x) => x.step)).toEqual([5, 10, 12]);
    expect(run.listProbes()).toEqual([10, 12]);
    expect(run.listCheckpoints()).toEqual([5, 10, 12]);
    const s = run.readSummary<RunSummary>()!;
    expect(s.status).toBe('complete');
    expect(s.steps).toBe(12);
    expect(s.tokens).toBe(12 * 2 * 16);
    expect(s.params).toBe(countParams(spec, 256).total);
    expect(s.valLoss).toBe(rows.filter((m) => m.split === 'val').at(-1)!.loss);
    expect(s.bpb).toBeGreaterThan(0);
    expect(s.tokensPerS).toBeGreaterThan(0);
    expect(s.attentionMatrices).toEqual({ perLayer: 2, total: 2 });
    expect(s.attention.macsPerLayer).toBeGreaterThan(0);
    expect(s.attention.macsPaper).toMatch(/M$/);
    expect(run.strayTempFiles()).toEqual([]);
  });

  it('stops on a non-finite loss, names the step, and keeps a checkpoint of the last good state', async () => {
    const spec = parseSpec(tinySpec(10, { name: 'nan' }));
    const root = path.join(tmp, 'nan');
    await expect(
      runExperiment({
        spec,
        runsRoot: root,
        progress: null,
        log: () => {},
        handleSignals: false,
        fault: { kind: 'nan', atStep: 8 },
      }),
    ).rejects.toThrow(/loss became NaN at step 8.*last good state \(step 7\).*7\.safetensors/);
    const run = RunDir.open(onlyRun(root));
    expect(run.listCheckpoints()).toEqual([5, 7]);
    const s = run.readSummary<RunSummary>()!;
    expect(s).toMatchObject({ status: 'failed', steps: 7, error: { reason: 'non-finite', step: 7 } });
    expect(runStatus(run)).toBe('failed');
    expect(run.readClaim()).toBeNull(); // the writer let go of it
  });
});

describe('a run that fails before its first step', () => {
  it('leaves no run directory: data the session cannot use, a missing file', async () => {
    const root = path.join(tmp, 'early');
    const quiet = { runsRoot: root, progress: null, log: () => {}, handleSignals: false };
    const tooShort = parseSpec({ ...tinySpec(5), data: { source: { kind: 'text', text: 'ab' }, seqLen: 4 } });
    await expect(runExperiment({ spec: tooShort, ...quiet })).rejects.toThrow(/too short to split/);
    const missing = parseSpec({ ...tinySpec(5), data: { source: { kind: 'file', path: path.join(tmp, 'nope.txt') } } });
    await expect(runExperiment({ spec: missing, ...quiet })).rejects.toThrow(/nope\.txt/);
    expect(fs.existsSync(root) ? fs.readdirSync(root) : []).toEqual([]);
  });
});

describe('the experiment CLI', () => {
  it('lists the available experiments for an unknown name (exit code 2, a usage mistake)', async () => {
    const r = await runCli('experiment', ['no-such-experiment', '--out', path.join(tmp, 'x')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown experiment "no-such-experiment"');
    for (const name of ['teach-copy', 'cpu-switchhead-k2', 'paper-47m-xl']) expect(r.stderr).toContain(name);
    expect(Object.keys(presets).every((n) => r.stderr.includes(n))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'x'))).toBe(false);
  });

  it('names the bad field of an invalid spec file (exit code 2)', async () => {
    const bad = tinySpec(5);
    (bad.model!.attention as Record<string, unknown>).k = 9; // more active experts than experts
    const file = writeSpec(tmp, { ...bad, data: { ...bad.data, seqLen: -4 } }, 'bad.json');
    const r = await runCli('experiment', [file, '--out', path.join(tmp, 'y')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toContain('data.seqLen');
    expect(r.stderr).toContain('model.attention.k');
    const r2 = await runCli('experiment', [writeSpec(tmp, { model: { dModel: 16, colour: 'red' } }, 'bad2.json')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/model: unknown field\(s\) "colour"/);
  });

  it('rejects bad options', async () => {
    const r = await runCli('experiment', ['teach-copy', '--steps', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --steps must be an integer >= 1, got "many"/);
  });
});

describe('RunError', () => {
  it('is raised for a directory that is not a run', async () => {
    const dir = path.join(tmp, 'empty-run');
    fs.mkdirSync(dir);
    await expect(
      runExperiment({ resumeDir: dir, progress: null, log: () => {}, handleSignals: false }),
    ).rejects.toThrow(RunError);
  });
});

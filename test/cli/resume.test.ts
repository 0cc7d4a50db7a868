// Crash safety end to end: a real `experiment` process is SIGKILLed at a random moment after its first checkpoint;
// compare still reads the directory; `--resume` continues it and every loss equals that of an uninterrupted run.
// SIGINT checkpoints and exits cleanly with a resume hint. Broken and foreign checkpoints fail naming the file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../../engine/spec';
import { readRunRow } from '../../engine/node/cli/compare';
import { runExperiment } from '../../engine/node/runner';
import { RunDir } from '../../engine/node/rundir';
import { onlyRun, runCli, startCli, tinySpec, tmpDir, waitFor, writeSpec } from './helpers';

const tmp = tmpDir('resume');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Row = { step: number; split: string; loss: number; grad_norm?: number };
const losses = (dir: string) =>
  RunDir.open(dir)
    .readMetrics<Row>()
    .map((r) => [r.split, r.step, r.loss, r.grad_norm ?? null]);

describe('kill -9 and --resume', () => {
  it('continues bit-exactly after a SIGKILL at a random moment after the first checkpoint', async () => {
    const STEPS = 1000; // long enough that the kill lands mid-run even on a fast machine
    const specFile = writeSpec(tmp, tinySpec(STEPS, { name: 'killme' }), 'killme.json');
    // the reference: the same spec, never interrupted (runs alongside the one we kill)
    const reference = startCli('experiment', [specFile, '--out', path.join(tmp, 'ref')]);
    const victim = startCli('experiment', [specFile, '--out', path.join(tmp, 'kill')]);
    const ckptDir = () => {
      try {
        return path.join(onlyRun(path.join(tmp, 'kill')), 'checkpoints');
      } catch {
        return null;
      }
    };
    await waitFor(
      () => {
        const d = ckptDir();
        return d !== null && fs.existsSync(d) && fs.readdirSync(d).some((f) => f.endsWith('.safetensors'));
      },
      90_000,
      'the first checkpoint',
    );
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 800));
    victim.child.kill('SIGKILL');
    const killed = await victim.done;
    expect(killed.signal).toBe('SIGKILL');
    const dir = onlyRun(path.join(tmp, 'kill'));
    const run = RunDir.open(dir);
    expect(run.readSummary()).toBeNull(); // it really was cut short

    // compare reads the killed run: marked incomplete, with its last metrics
    const row = readRunRow(dir);
    expect(row.status).toBe('incomplete');
    expect(row.step).toBeGreaterThanOrEqual(5);
    expect(row.step).toBeLessThan(STEPS);
    expect(row.valLoss).not.toBeNull();
    const ckpt = run.listCheckpoints().at(-1)!;

    const resumed = await runCli('experiment', ['--resume', dir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`from step ${ckpt}`);
    const ref = await reference.done;
    expect(ref.code, ref.stderr).toBe(0);
    const refDir = onlyRun(path.join(tmp, 'ref'));
    expect(losses(dir)).toEqual(losses(refDir)); // same rows, same order, same losses and gradient norms, bit for bit
    expect(
      RunDir.open(dir)
        .readRouting<{ step: number }>()
        .map((r) => r.step),
    ).toEqual(
      RunDir.open(refDir)
        .readRouting<{ step: number }>()
        .map((r) => r.step),
    );
    expect(readRunRow(dir).status).toBe('complete');
    expect(RunDir.open(dir).strayTempFiles()).toEqual([]);
  });

  it('SIGINT saves a checkpoint and says how to resume', async () => {
    const specFile = writeSpec(tmp, tinySpec(5000, { name: 'ctrlc' }), 'ctrlc.json');
    const root = path.join(tmp, 'ctrlc');
    const p = startCli('experiment', [specFile, '--out', root]);
    await waitFor(
      () => {
        try {
          return RunDir.open(onlyRun(root)).listCheckpoints().length > 0;
        } catch {
          return false;
        }
      },
      90_000,
      'the first checkpoint',
    );
    p.child.kill('SIGINT');
    const r = await p.done;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopped at step (\d+)\/5000/);
    const stoppedAt = Number(/stopped at step (\d+)/.exec(r.stderr)![1]);
    const dir = onlyRun(root);
    expect(r.stderr).toContain(`npm run experiment -- --resume ${dir}`);
    expect(RunDir.open(dir).listCheckpoints().at(-1)).toBe(stoppedAt);
    const trainSteps = RunDir.open(dir)
      .readMetrics<Row>()
      .filter((m) => m.split === 'train')
      .map((m) => m.step);
    expect(trainSteps.at(-1)).toBe(stoppedAt);
  });
});

describe('checkpoints that cannot be used', () => {
  async function freshRun(name: string, over = {}): Promise<string> {
    const r = await runExperiment({
      spec: parseSpec(tinySpec(5, { name, ...over })),
      runsRoot: path.join(tmp, 'bad'),
      progress: null,
      log: () => {},
      handleSignals: false,
    });
    return r.dir;
  }

  it('a truncated checkpoint (the only one) is an error naming the file', async () => {
    const dir = await freshRun('truncated');
    const file = RunDir.open(dir).checkpointPath(5);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    const r = await runCli('experiment', ['--resume', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/no usable checkpoint/);
  });

  it('a corrupt newest checkpoint is skipped with a warning naming it; the older one is used', async () => {
    const dir = await freshRun('corrupt', { train: { steps: 10, lr: 3e-3 } });
    const run = RunDir.open(dir);
    fs.writeFileSync(run.checkpointPath(10), 'not a safetensors file at all');
    const r = await runCli('experiment', ['--resume', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(run.checkpointPath(10));
    expect(r.stderr).toContain('from step 5');
    expect(run.readSummary<{ steps: number }>()!.steps).toBe(10);
  });

  it('a run another live process is writing is not resumed', async () => {
    const dir = await freshRun('held');
    const run = RunDir.open(dir);
    expect(run.readClaim()).toBeNull(); // released at the end of the first run
    const claim = { pid: process.ppid, kind: 'app', startedAt: 'now', hostname: os.hostname() };
    fs.writeFileSync(run.writerPath, JSON.stringify(claim));
    fs.rmSync(run.summaryPath);
    await expect(
      runExperiment({ resumeDir: dir, progress: null, log: () => {}, handleSignals: false }),
    ).rejects.toThrow(/being written by app process/);
    expect(run.readClaim()).toEqual(claim); // left as it was
    expect(run.listCheckpoints()).toEqual([5]);
  });

  it('a checkpoint of a different architecture is an error naming the file and the mismatch', async () => {
    const dir = await freshRun('target');
    const other = await freshRun('other', { model: { ...tinySpec(5).model, dModel: 24 } });
    const file = RunDir.open(dir).checkpointPath(5);
    fs.copyFileSync(RunDir.open(other).checkpointPath(5), file);
    const r = await runCli('experiment', ['--resume', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/shape|\[16\]|\[24\]/);
  });
});

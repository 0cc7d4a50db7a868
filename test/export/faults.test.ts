// Bad input and faults: an invalid spec names the field (and exports nothing); a checkpoint with missing or
// misshapen tensors names each one, in both directions (PyTorch file -> engine, engine file -> train.py); a rank
// killed mid-run leaves the last checkpoint intact and --resume continues from it to the same losses; SIGTERM
// (pre-emption) stops both ranks at one step with a checkpoint; wrong process counts and missing data are clear.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDataset } from '../../engine/data';
import { loadDataSources } from '../../engine/node/corpus';
import { main } from '../../engine/node/cli/export';
import { exportExperiment } from '../../engine/node/export/export';
import { runExperiment } from '../../engine/node/runner';
import { RunDir } from '../../engine/node/rundir';
import { CheckpointError, decodeSafetensors, encodeSafetensors } from '../../engine/safetensors';
import { parseSpec } from '../../engine/spec';
import { loadCheckpoint } from '../../engine/train/checkpoint';
import { Trainer } from '../../engine/train/trainer';
import { runCli, tmpDir, waitFor, writeSpec } from '../cli/helpers';
import { useBackend } from '../engine/helpers';
import {
  exportAndPrepare,
  onlyRunIn,
  requireTorch,
  rows,
  runPython,
  runRanks,
  startRanks,
  tinyXl,
  type Done,
  type Row,
} from './helpers';

const tmp = tmpDir('faults');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const ok = (r: Done, what: string) => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stderr}`);
};

beforeAll(async () => {
  requireTorch();
  await useBackend('wasm');
});

describe('export: bad input', () => {
  it('an invalid spec names each bad field, exits 2 (a usage mistake), and writes nothing', async () => {
    const bad = tinyXl(5);
    bad.model!.attention = { ...bad.model!.attention, k: 5 };
    (bad.train as Record<string, unknown>).lrr = 1;
    const out = path.join(tmp, 'bad-out');
    const r = await runCli('export', [writeSpec(tmp, bad, 'bad.json'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*bad\.json: invalid experiment spec: /);
    expect(r.stderr).toContain('model.attention.k: k=5 exceeds nExperts=3');
    expect(r.stderr).toContain('train: unknown field(s) "lrr"');
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('tmp-export'))).toEqual([]);
  });

  it('usage errors and unknown presets exit 2; --help exits 0; missing data and occupied folders exit 1 and keep what is there', () => {
    expect(cli(['teach-copy']).code).toBe(2);
    expect(cli(['teach-copy', '--out']).code).toBe(2);
    expect(cli(['teach-copy', '--out', 'x', '--steps', '3']).stderr).toContain('unknown option --steps');
    const help = cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run export -- NAME|FILE.json|RUN_DIR --out DIR');
    const unknown = cli(['no-such-preset', '--out', path.join(tmp, 'x')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: unknown experiment "no-such-preset"');
    const missing = tinyXl(5, { data: { source: { kind: 'file', path: path.join(tmp, 'absent.txt') } } });
    const m = cli([writeSpec(tmp, missing, 'missing.json'), '--out', path.join(tmp, 'y')]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain('error: data.source.path: text file not found');
    const busy = path.join(tmp, 'busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'notes.txt'), 'mine');
    const b = cli(['teach-copy', '--out', busy]);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain('exists and is not empty');
    expect(fs.readFileSync(path.join(busy, 'notes.txt'), 'utf8')).toBe('mine');
    const forced = cli(['teach-copy', '--out', busy, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout.trim()).toBe(busy);
    expect(fs.existsSync(path.join(busy, 'train.py'))).toBe(true);
    expect(fs.existsSync(path.join(busy, 'notes.txt'))).toBe(false);
  });
});

/** The export CLI in this process (main() returns the exit code), its output captured. */
function cli(args: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '',
    stderr = '';
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((s: string) => ((stdout += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((stderr += s), true)) as typeof process.stderr.write;
  try {
    return { code: main(args), stdout, stderr };
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
}

/** Rewrite a checkpoint without `drop` and with `reshape` given a wrong shape (same bytes per tensor count). */
function tamper(file: string, out: string, drop: string[], reshape: string[]): void {
  const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file), file);
  for (const n of drop) delete tensors[n];
  for (const n of reshape) {
    const t = tensors[n];
    tensors[n] = { ...t, shape: [t.data.length] };
  }
  fs.writeFileSync(out, encodeSafetensors({ ...tensors }, metadata));
}

describe('checkpoints that do not fit name every missing and misshapen tensor', () => {
  it('a PyTorch checkpoint, in the engine', async () => {
    const dir = await exportAndPrepare(tinyXl(10), tmp, 'ptckpt');
    ok(await runPython(['train.py', '--out', path.join(dir, 'runs')], { cwd: dir }), 'train.py');
    const run = RunDir.open(onlyRunIn(path.join(dir, 'runs')));
    const bad = path.join(tmp, 'pt-bad.safetensors');
    tamper(
      run.checkpointPath(10),
      bad,
      ['layers.1.att.W_v', 'optim.m.emb'],
      ['layers.0.mlp.W1', 'optim.v.layers.1.att.W_o'],
    );
    const spec = parseSpec(tinyXl(10));
    const tr = new Trainer(spec, buildDataset(spec, loadDataSources(spec)));
    expect(() => loadCheckpoint(tr, fs.readFileSync(bad), bad)).toThrow(CheckpointError);
    let msg = '';
    try {
      loadCheckpoint(tr, fs.readFileSync(bad), bad);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain(bad);
    expect(msg).toMatch(/missing parameters: (optim\.m\.emb, layers\.1\.att\.W_v|layers\.1\.att\.W_v, optim\.m\.emb);/);
    expect(msg).toContain("'layers.0.mlp.W1' has shape [512] in the file but the model expects [32, 16]");
    expect(msg).toContain("'optim.v.layers.1.att.W_o' has shape [768] in the file but the model expects [6, 8, 16]");
    tr.dispose();
  });

  it('a workbench checkpoint, in train.py --resume (exit 1, one line per problem kind, each tensor named)', async () => {
    const spec = parseSpec(tinyXl(10, { name: 'engine-bad' }));
    const engineRun = (
      await runExperiment({
        spec,
        runsRoot: path.join(tmp, 'eng'),
        progress: null,
        log: () => {},
        handleSignals: false,
      })
    ).dir;
    const out = path.join(tmp, 'eng-export');
    const res = exportExperiment({ target: engineRun, out });
    ok(await runPython(['prepare_data.py'], { cwd: out }), 'prepare_data.py');
    const file = path.join(out, res.checkpoint!);
    tamper(file, file, ['layers.0.att.W_sel_src', 'b_out', 'xl_memory.1'], ['W_out', 'optim.m.layers.1.att.W_o']);
    const r = await runPython(['train.py', '--resume', res.run!], { cwd: out });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: \S+10\.safetensors does not fit the model: missing parameters: /);
    expect(r.stderr).toMatch(
      /missing parameters: (b_out, layers\.0\.att\.W_sel_src|layers\.0\.att\.W_sel_src, b_out), xl_memory\.1;/,
    );
    expect(r.stderr).toContain("'W_out' has shape [4096] in the file but the model expects [256, 16]");
    expect(r.stderr).toContain(
      "'optim.m.layers.1.att.W_o' has shape [768] in the file but the model expects [6, 8, 16]",
    );
  });
});

describe('a rank dies mid-run', () => {
  it('the last checkpoint stays intact and --resume continues to the same losses; SIGTERM stops both ranks cleanly', async () => {
    const steps = 40;
    const dir = await exportAndPrepare(tinyXl(steps, { name: 'killed' }), tmp, 'kill');
    const root = path.join(dir, 'runs');
    const ranks = await startRanks(dir, 2, ['--out', root, '--dist-timeout', '60']);
    let run: RunDir | null = null;
    const trainRows = () => (run && fs.existsSync(run.metricsPath) ? rows(run.dir, 'train') : []);
    await waitFor(
      () => {
        try {
          run ??= RunDir.open(onlyRunIn(root));
        } catch {
          return false;
        }
        return run.listCheckpoints().includes(20) && trainRows().length >= 24;
      },
      120_000,
      'checkpoint 20 and a few more steps',
    );
    ranks[0].child.kill('SIGKILL'); // the writer dies mid-run
    const [r0, r1] = await Promise.all(ranks.map((p) => p.done));
    expect(r0.signal).toBe('SIGKILL');
    expect(r1.code).not.toBe(0); // its peer is gone
    const claim = JSON.parse(fs.readFileSync(path.join(run!.dir, 'writer.json'), 'utf8'));
    expect(claim).toMatchObject({ pid: ranks[0].child.pid, kind: 'export' }); // the workbench sees who wrote it
    const before = trainRows();
    const last = run!.listCheckpoints().at(-1)!;
    expect(last).toBeGreaterThanOrEqual(20);
    // every checkpoint on disk is whole and loads into the engine
    const spec = parseSpec(tinyXl(steps, { name: 'killed' }));
    const tr = new Trainer(spec, buildDataset(spec, loadDataSources(spec)));
    for (const s of run!.listCheckpoints())
      expect(loadCheckpoint(tr, fs.readFileSync(run!.checkpointPath(s))).step).toBe(s);
    tr.dispose();

    // resume, then pre-empt it with SIGTERM to both ranks
    const again = await startRanks(dir, 2, ['--resume', run!.dir]);
    await waitFor(
      () => trainRows().some((r) => r.step >= before.at(-1)!.step + 5),
      120_000,
      'the resumed run to pass the kill',
    );
    again.forEach((p) => p.child.kill('SIGTERM'));
    const stopped = await Promise.all(again.map((p) => p.done));
    stopped.forEach((r) => expect(r.code, r.stderr).toBe(143));
    const at = Number(/stopped at step (\d+)\/40/.exec(stopped[0].stderr)![1]);
    expect(run!.listCheckpoints().at(-1)).toBe(at);
    expect(stopped[0].stderr).toContain(`resume with: train.py --resume ${run!.dir}`);

    // and finish
    (await runRanks(dir, 2, ['--resume', run!.dir])).forEach((r, i) => ok(r, `final resume, rank ${i}`));
    const after = trainRows();
    expect(after.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    const byStep = new Map(after.map((r: Row) => [r.step, r.loss]));
    // steps recomputed after the kill give the losses the killed run had logged for them
    for (const r of before) expect(Math.abs(byStep.get(r.step)! - r.loss), `step ${r.step}`).toBeLessThan(1e-6);
    expect(fs.existsSync(run!.dir + '/summary.json')).toBe(true);
    expect(run!.strayTempFiles()).toEqual([]);
    expect(fs.existsSync(path.join(run!.dir, 'writer.json'))).toBe(false); // released at the clean end
  });

  it('a process count that does not divide the batch, and unprepared data, are errors that say so', async () => {
    const dir = await exportAndPrepare(tinyXl(5), tmp, 'misc');
    const env = { WORLD_SIZE: '3', RANK: '0', LOCAL_RANK: '0', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '1' };
    const three = await runPython(['train.py'], { cwd: dir, env }); // checked before the processes meet
    expect(three.code).toBe(1);
    expect(three.stderr).toContain('error: data.batchSize=4 is not divisible by the 3 processes');
    fs.rmSync(path.join(dir, 'data', 'tokens'), { recursive: true });
    const r = await runPython(['train.py'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run  python3 prepare_data.py  first');
  });
});

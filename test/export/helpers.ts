// Shared bits of the export tests: Debian's python3 with torch (a clear one-line failure without it), exporting a
// spec, running the exported scripts as one process or as DDP ranks started by hand (Debian's torchrun 1.13 crashes
// under Python 3.11, ENV.md), and tiny specs.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { ExperimentSpecInput } from '../../engine/spec';
import { exportExperiment } from '../../engine/node/export/export';
import { writeSpec } from '../cli/helpers';

export const PYTHON = '/usr/bin/python3';
export const HERE = path.dirname(new URL(import.meta.url).pathname);

/** Fail with one line when torch is missing (never skip silently). */
export function requireTorch(): void {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy, torch.distributed'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('install python3-torch (apt-get install -y python3-torch)');
}

export interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** One thread per process: 2-core machine, and equal float sums whatever the process count. */
const baseEnv = () => ({ ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', PYTHONUNBUFFERED: '1' });

export function startPython(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = spawn(PYTHON, args, {
    cwd: opts.cwd,
    env: { ...baseEnv(), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '',
    stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Done>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export const runPython = (args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) =>
  startPython(args, opts).done;

/** A free TCP port on 127.0.0.1 for MASTER_PORT. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** `train.py ARGS` as `world` DDP ranks over gloo, each started with the variables torchrun would set. */
export async function startRanks(dir: string, world: number, args: string[]) {
  const port = String(await freePort());
  return Array.from({ length: world }, (_, r) =>
    startPython(['train.py', ...args], {
      cwd: dir,
      env: {
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: port,
        WORLD_SIZE: String(world),
        RANK: String(r),
        LOCAL_RANK: String(r),
      },
    }),
  );
}

export async function runRanks(dir: string, world: number, args: string[]): Promise<Done[]> {
  return Promise.all((await startRanks(dir, world, args)).map((p) => p.done));
}

/** Export a spec object to `parent/name` (through a spec file, as a user would) and prepare its data. */
export async function exportAndPrepare(spec: ExperimentSpecInput, parent: string, name: string): Promise<string> {
  const out = path.join(parent, name);
  exportExperiment({ target: writeSpec(parent, spec, `${name}.json`), out });
  const r = await runPython(['prepare_data.py'], { cwd: out });
  if (r.code !== 0) throw new Error(`prepare_data.py failed: ${r.stderr}`);
  return out;
}

/** The only run directory under `root`. */
export function onlyRunIn(root: string): string {
  const dirs = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory());
  if (dirs.length !== 1) throw new Error(`expected one run in ${root}, found ${dirs.join(', ') || 'none'}`);
  return path.join(root, dirs[0]);
}

export interface Row {
  step: number;
  split: string;
  loss: number;
  tokens: number;
  bpb?: number | null;
}

export const rows = (runDir: string, split: 'train' | 'val'): Row[] =>
  fs
    .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row)
    .filter((r) => r.split === split);

/** A tiny SwitchHead XL LM on Alice (bytes), dropout 0 so that both engines take the same steps. */
export function tinyXl(steps: number, over: Partial<ExperimentSpecInput> = {}): ExperimentSpecInput {
  return {
    name: 'tiny-xl',
    model: {
      dModel: 16,
      nLayers: 2,
      dFF: 32,
      dropout: 0,
      attention: { kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 3, k: 2, positions: 'xl', xlMemory: true },
    },
    data: { source: { kind: 'corpus', name: 'alice' }, seqLen: 16, batchSize: 4 },
    train: { steps, lr: 3e-3, warmupSteps: 2 },
    log: {
      evalInterval: 10,
      evalBatches: 2,
      routingInterval: 10,
      probeInterval: 10,
      checkpointInterval: 10,
      probeText: 'Alice was here',
    },
    ...over,
  };
}

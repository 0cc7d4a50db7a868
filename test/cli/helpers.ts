// Shared bits of the CLI tests: a tiny spec (trains in well under a second per step on wasm) and a way to run
// the CLIs as real child processes (node --import tsx), the way a user runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExperimentSpecInput } from '../../engine/spec';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A one-layer SwitchHead with XL memory and dropout on Alice, byte-level: exercises memory and seeded dropout on resume. */
export function tinySpec(steps: number, over: Partial<ExperimentSpecInput> = {}): ExperimentSpecInput {
  return {
    name: 'tiny',
    model: {
      dModel: 16,
      nLayers: 1,
      dFF: 32,
      dropout: 0.1,
      attention: { kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 3, k: 2, positions: 'xl', xlMemory: true },
    },
    data: { source: { kind: 'corpus', name: 'alice' }, seqLen: 16, batchSize: 2 },
    train: { steps, lr: 3e-3 },
    log: {
      evalInterval: 5,
      evalBatches: 2,
      routingInterval: 5,
      probeInterval: 10,
      checkpointInterval: 5,
      probeText: 'Alice was here',
    },
    ...over,
  };
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sh-${prefix}-`));
}

export function writeSpec(dir: string, spec: unknown, name = 'spec.json'): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, JSON.stringify(spec));
  return f;
}

export interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Start `node --import tsx engine/node/cli/<cli>.ts ...args` in the repository root. */
export function startCli(cli: string, args: string[]): { child: ChildProcess; done: Promise<Done> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'engine/node/cli', `${cli}.ts`), ...args], {
    cwd: ROOT,
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

export const runCli = (cli: string, args: string[]) => startCli(cli, args).done;

/** Resolve once `cond()` holds (polling), or reject after `timeoutMs`. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The run directory under `root` (the only one). */
export function onlyRun(root: string): string {
  const dirs = fs.readdirSync(root).filter((d) => fs.statSync(path.join(root, d)).isDirectory());
  if (dirs.length !== 1) throw new Error(`expected one run in ${root}, found ${dirs.join(', ') || 'none'}`);
  return path.join(root, dirs[0]);
}

/** Run CLI invocations a few at a time (the machine has 2 cores; dozens at once starve the test runner). */
export async function runClis(calls: [cli: string, args: string[]][], concurrency = 3): Promise<Done[]> {
  const results: Done[] = new Array(calls.length);
  let next = 0;
  const worker = async () => {
    while (next < calls.length) {
      const i = next++;
      results[i] = await runCli(...calls[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls.length) }, worker));
  return results;
}

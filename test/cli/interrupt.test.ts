// Ctrl-C through `npm run experiment`, as a terminal sends it: SIGINT to the whole process group (npm, its shell
// and node) while a training step is running. The step of the preset used takes > 200 ms on wasm, far longer than
// the ~60 ms a wrapper such as the `tsx` CLI waits before SIGKILLing its child. Every try must leave a checkpoint
// of the step it stopped at and print the command that resumes the run.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir } from '../../engine/node/rundir';
import { presets } from '../../experiments/index';
import { presetTimings } from '../../experiments/timing';
import { ROOT, tmpDir, waitFor, type Done } from './helpers';

const PRESET = 'cpu-switchall'; // the CPU preset with the shortest step that is still > 200 ms (~400 ms on wasm)
const TRIES = 5;

const tmp = tmpDir('interrupt');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** `npm run experiment -- args` in its own process group (detached), as a shell starts a foreground job. */
function startNpmExperiment(args: string[]) {
  const child = spawn('npm', ['run', '--silent', 'experiment', '--', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '',
    stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Done>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done, stderr: () => stderr };
}

/** The train rows written so far in the only run under `root` (0 before the run directory exists). */
function trainRows(root: string): number {
  if (!fs.existsSync(root)) return 0;
  const runs = fs.readdirSync(root);
  if (runs.length !== 1) return 0;
  const file = path.join(root, runs[0], 'metrics.jsonl');
  if (!fs.existsSync(file)) return 0;
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"split":"train"')).length;
}

describe('Ctrl-C through npm run experiment', () => {
  it('the preset really has a step longer than 200 ms', () => {
    expect(presets[PRESET].group).toBe('cpu');
    expect(presetTimings[PRESET].stepMs).toBeGreaterThan(200);
  });

  it(`saves a checkpoint and prints the resume command, ${TRIES} tries of ${TRIES}`, async () => {
    const stepMs = presetTimings[PRESET].stepMs;
    for (let i = 0; i < TRIES; i++) {
      const root = path.join(tmp, `try-${i}`);
      const run = startNpmExperiment([PRESET, '--steps', '1000', '--out', root]);
      await waitFor(() => trainRows(root) >= 1, 60_000, `the first training step of try ${i}`);
      // land inside the next step, at a different point each try
      await new Promise((r) => setTimeout(r, stepMs * (0.15 + (0.7 * i) / TRIES)));
      process.kill(-run.child.pid!, 'SIGINT');
      const r = await run.done;
      const dir = path.join(root, fs.readdirSync(root)[0]);
      // npm re-raises the signal its script died of: a shell reports 130 either way
      expect(r.code === 130 || r.signal === 'SIGINT', `try ${i}: ${r.code} ${r.signal}\n${r.stderr}`).toBe(true);
      const ckpts = RunDir.open(dir).listCheckpoints();
      expect(ckpts.length, `try ${i}: no checkpoint\n${r.stderr}`).toBe(1);
      expect(ckpts[0]).toBeGreaterThanOrEqual(1);
      expect(ckpts[0]).toBeLessThan(1000);
      expect(r.stderr).toContain(`npm run experiment -- --resume ${dir}`);
      expect(r.stdout.trim()).toBe(dir);
      expect(fs.existsSync(path.join(dir, 'summary.json'))).toBe(false);
    }
  }, 300_000);
});

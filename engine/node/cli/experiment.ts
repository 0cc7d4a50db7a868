// `npm run experiment -- NAME|FILE.json [--steps N] [--backend wasm|cpu|webgpu] [--out RUNS_ROOT]`
// `npm run experiment -- --resume RUN_DIR [--backend ...]`
// Trains headless and writes a run directory (DESIGN 2.2). Human messages go to stderr; the run directory is
// printed on stdout when the run ends (completed or interrupted). Exit codes: 0 done, 1 error, 2 bad usage,
// 130/143 stopped by SIGINT/SIGTERM (after saving a checkpoint).
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { BackendName } from '../../backend';
import { parseSpec, SpecError, withOverrides, type ExperimentSpec, type ExperimentSpecInput } from '../../spec';
import { CheckpointError } from '../../safetensors';
import { presetList, resolvePreset, UnknownPresetError } from '../../../experiments/index';
import { runExperiment, RunError } from '../runner';
import { RunDirError } from '../rundir';

export class UsageError extends Error {}

const USAGE =
  'usage: npm run experiment -- NAME|FILE.json [--steps N] [--backend wasm|cpu|webgpu] [--out RUNS_ROOT]\n' +
  '       npm run experiment -- --resume RUN_DIR [--backend wasm|cpu|webgpu]';

export interface ExperimentArgs {
  target: string | null;
  steps: number | null;
  backend: BackendName | null;
  out: string;
  resume: string | null;
}

export function parseBackend(v: string | undefined): BackendName {
  if (v !== 'wasm' && v !== 'cpu' && v !== 'webgpu')
    throw new UsageError(`--backend must be wasm, cpu or webgpu, got "${v ?? ''}"`);
  return v;
}

export function parseSteps(v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--steps must be a positive integer, got "${v ?? ''}"`);
  return n;
}

export function parseExperimentArgs(argv: string[]): ExperimentArgs {
  const a: ExperimentArgs = { target: null, steps: null, backend: null, out: 'runs', resume: null };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${s} needs a value\n${USAGE}`);
      return v;
    };
    if (s === '--steps') a.steps = parseSteps(value());
    else if (s === '--backend') a.backend = parseBackend(value());
    else if (s === '--out') a.out = value();
    else if (s === '--resume') a.resume = value();
    else if (s === '--help' || s === '-h') throw new UsageError(USAGE);
    else if (s.startsWith('--')) throw new UsageError(`unknown option ${s}\n${USAGE}`);
    else if (a.target !== null)
      throw new UsageError(`one experiment at a time (got "${a.target}" and "${s}")\n${USAGE}`);
    else a.target = s;
  }
  if (a.resume && a.target) throw new UsageError(`give an experiment or --resume, not both\n${USAGE}`);
  if (a.resume && a.steps !== null)
    throw new UsageError('--steps cannot change a resumed run (its schedule depends on the step count)');
  if (!a.resume && !a.target)
    throw new UsageError(`no experiment given\n${USAGE}\navailable experiments:\n${presetList()}`);
  return a;
}

/** A spec from a JSON file (a path that exists or ends in .json) or a preset name; errors name the file/field. */
export function loadExperimentSpec(target: string, steps: number | null = null): ExperimentSpec {
  let input: ExperimentSpecInput;
  let label: string;
  if (existsSync(target) || target.endsWith('.json')) {
    if (!existsSync(target)) throw new UsageError(`${target}: no such file`);
    label = target;
    try {
      input = JSON.parse(readFileSync(target, 'utf8'));
    } catch (e) {
      throw new UsageError(`${target}: not valid JSON (${(e as Error).message})`);
    }
  } else {
    label = `experiment "${target}"`;
    input = resolvePreset(target).spec;
  }
  try {
    if (steps === null) return parseSpec(input);
    const warmup = input.train?.warmupSteps ?? 0;
    // a shortened run keeps its warm-up unless the warm-up would not fit; then it warms up over a tenth of the run
    return withOverrides(input, {
      train: { steps, ...(warmup > steps ? { warmupSteps: Math.floor(steps / 10) } : {}) },
    });
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(`${label}: ${e.message}`);
    throw e;
  }
}

/** Run the CLI; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const args = parseExperimentArgs(argv);
    const spec = args.resume ? undefined : loadExperimentSpec(args.target!, args.steps);
    const r = await runExperiment({
      spec,
      resumeDir: args.resume ?? undefined,
      runsRoot: args.out,
      backend: args.backend ?? undefined,
    });
    if (r.status === 'complete' && r.summary) {
      const s = r.summary;
      process.stderr.write(
        `done: ${s.steps} steps, ${s.tokens.toLocaleString('en-US')} tokens, ${s.tokensPerS.toFixed(0)} tokens/s; ` +
          `val loss ${s.valLoss?.toFixed(4) ?? '-'}` +
          (s.bpb !== null ? `, ${s.bpb.toFixed(3)} bits/byte` : '') +
          (s.accuracy !== null ? `, answer accuracy ${(100 * s.accuracy).toFixed(1)}%` : '') +
          '\n',
      );
    }
    process.stdout.write(r.dir + '\n');
    return r.status === 'complete' ? 0 : r.signal === 'SIGTERM' ? 143 : 130;
  } catch (e) {
    const err = e as Error;
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    if (
      e instanceof UnknownPresetError ||
      e instanceof RunError ||
      e instanceof CheckpointError ||
      e instanceof RunDirError ||
      e instanceof SpecError
    ) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${err.stack ?? err.message}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

// `npm run experiment -- NAME|FILE.json [--steps N] [--backend wasm|cpu|webgpu] [--out RUNS_ROOT]`
// `npm run experiment -- --resume RUN_DIR [--backend ...]`
// Trains headless and writes a run directory (DESIGN 2.2). Human messages go to stderr; the run directory is
// printed on stdout when the run ends (completed or interrupted). Exit codes: args.ts EXIT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendName } from '../../backend';
import type { NodeBackendInfo } from '../backend';
import type { RunResult } from '../runner';
import {
  choiceValue,
  CliError,
  EXIT,
  intValue,
  isMain,
  runCommand,
  UsageError,
  type Command,
  type Parsed,
} from './args';
import { loadSpec } from './load-spec';
import { presetHelp } from './preset-help';

/** The repository's folder: the app's workspace (`npm start`) is its workspace/ folder by default. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where runs go unless --out says otherwise: the runs folder of the workspace the app opens. */
export const DEFAULT_RUNS_ROOT = path.join(REPO_ROOT, 'workspace', 'runs');

/** A path as the help shows it: relative to the working directory when that is shorter. */
export const shownPath = (p: string) => {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
};

export const BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;

export const EXPERIMENT_FLAGS: Command['flags'] = [
  {
    name: '--steps',
    value: 'N',
    default: "the spec's train.steps",
    help: 'train N steps (a warm-up longer than the run becomes a tenth of it, and is reported)',
  },
  {
    name: '--backend',
    value: BACKENDS.join('|'),
    default: "wasm; a resumed run: the run's own",
    help: 'TensorFlow.js backend (webgpu needs a GPU; on a software adapter it is very slow)',
  },
  { name: '--out', value: 'DIR', default: shownPath(DEFAULT_RUNS_ROOT), help: 'folder the new run directory goes in' },
  { name: '--resume', value: 'RUN_DIR', help: 'continue a stopped run from its last checkpoint' },
];

/** What the experiment argument can be, for the help of `experiment` and `start`. */
export const EXPERIMENT_ARGS = [
  'NAME       an experiment preset (listed below)',
  "FILE.json  a spec file (engine/spec.ts; example: experiments/example-spec.json), or a run's spec.json to",
  "           train that spec again; a relative data.source.path is read from the spec file's folder",
];

export const EXPERIMENT: Command = {
  name: 'experiment',
  usage: ['NAME|FILE.json [--steps N] [--backend wasm|cpu|webgpu] [--out DIR]', '--resume RUN_DIR [--backend ...]'],
  summary:
    'Trains one experiment headless and writes a run directory (spec.json, metrics.jsonl, routing.jsonl, probes, ' +
    'checkpoints, summary.json). Progress goes to stderr; the run directory is printed on stdout at the end. ' +
    'Ctrl-C finishes the current step, saves a checkpoint and prints the command that resumes the run.',
  args: EXPERIMENT_ARGS,
  flags: EXPERIMENT_FLAGS,
  more: presetHelp,
  interruptible: true,
};

export interface ExperimentArgs {
  target: string | null;
  steps: number | null;
  backend: BackendName | null;
  out: string;
  resume: string | null;
}

/** Check the parsed command line: one experiment or --resume, and the flags that go with each. */
export function experimentArgs(p: Parsed): ExperimentArgs {
  if (p.positionals.length > 1)
    throw new UsageError(`one experiment at a time (got ${p.positionals.map((s) => `"${s}"`).join(', ')})`);
  const get = (f: string) => p.flags.get(f) ?? null;
  const steps = get('--steps');
  const backend = get('--backend');
  const a: ExperimentArgs = {
    target: p.positionals[0] ?? null,
    steps: steps === null ? null : intValue('--steps', steps, 1),
    backend: backend === null ? null : choiceValue('--backend', backend, BACKENDS),
    out: get('--out') ?? DEFAULT_RUNS_ROOT,
    resume: get('--resume'),
  };
  if (a.resume && a.target) throw new UsageError(`give an experiment or --resume, not both`);
  if (a.resume && a.steps !== null)
    throw new UsageError('--steps cannot change a resumed run (its schedule depends on the step count)');
  if (a.resume && !fs.existsSync(a.resume)) throw new UsageError(`--resume ${a.resume}: no such directory`);
  if (!a.resume && !a.target)
    throw new UsageError('no experiment given: name a preset or a spec file (npm run experiment -- --help lists them)');
  return a;
}

/** The backend a run will use: the flag, else (resuming) the one the run recorded, else wasm. */
function backendFor(a: ExperimentArgs): BackendName {
  if (a.backend) return a.backend;
  if (!a.resume) return 'wasm';
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(a.resume, 'spec.json'), 'utf8')) as {
      backend?: { name?: string };
    };
    const name = meta.backend?.name;
    return (BACKENDS as readonly string[]).includes(name ?? '') ? (name as BackendName) : 'wasm';
  } catch {
    return 'wasm'; // the runner reports what is wrong with the directory
  }
}

/** Start the backend and print its notes (e.g. a software WebGPU adapter); a backend that cannot start is exit 1. */
export async function startBackend(name: BackendName, say: (m: string) => void): Promise<NodeBackendInfo> {
  let info: NodeBackendInfo;
  try {
    info = await (await import('../backend')).ensureBackend(name); // loaded here: --help and usage errors need no tfjs
  } catch (e) {
    throw new CliError(`cannot start the ${name} backend: ${(e as Error).message.replace(/\s*\n\s*/g, '; ')}`);
  }
  for (const n of info.notes) say(`note: ${n}`);
  return info;
}

const say = (m: string) => process.stderr.write(m + '\n');

/** Train (or resume) as the arguments say; returns the exit code. */
export async function runFromArgs(a: ExperimentArgs): Promise<number> {
  const loaded = a.resume ? null : loadSpec(a.target!, { steps: a.steps });
  for (const c of loaded?.changes ?? []) say(`note: ${c}`);
  await startBackend(backendFor(a), say);
  const { runExperiment } = await import('../runner');
  const r = await runExperiment({
    spec: loaded?.spec,
    resumeDir: a.resume ?? undefined,
    runsRoot: a.out,
    backend: a.backend ?? undefined,
  });
  if (r.status === 'complete') sayDone(r);
  process.stdout.write(r.dir + '\n');
  return r.status === 'complete' ? EXIT.ok : r.signal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

function sayDone(r: RunResult): void {
  const s = r.summary;
  if (!s) return;
  say(
    `done: ${s.steps} steps, ${s.tokens.toLocaleString('en-US')} tokens, ${s.tokensPerS.toFixed(0)} tokens/s; ` +
      `val loss ${s.valLoss?.toFixed(4) ?? '-'}` +
      (s.bpb !== null ? `, ${s.bpb.toFixed(3)} bits/byte` : '') +
      (s.accuracy !== null ? `, answer accuracy ${(100 * s.accuracy).toFixed(1)}%` : ''),
  );
}

if (isMain(import.meta.url)) runCommand(EXPERIMENT, (p) => runFromArgs(experimentArgs(p)));

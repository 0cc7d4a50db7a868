// The headless run: drives the one training loop (engine/session.ts, in this thread through inlineEngineWorker)
// with the same protocol as the app and records its events with the same RunRecorder, into a RunDir. Fresh and
// resumed runs alike; a resumed run is rolled back to its checkpoint so that its files read exactly as if it had
// never stopped. SIGINT/SIGTERM pause between steps, checkpoint and say how to resume; a non-finite loss fails the
// run naming the step, with the last good state checkpointed by the session.
import * as fs from 'node:fs';
import { BACKEND_ORDER, type BackendName } from '../backend';
import type { WorkbenchClient } from '../client';
import type { RunSpecFile, RunSummary } from '../contracts/run-files';
import { formatParams } from '../cost';
import { type FailedEvent, type Fault, PROTOCOL_VERSION } from '../protocol';
import { RunRecorder } from '../run/recorder';
import type { ExperimentSpec } from '../spec';
import { loadDataSources } from './corpus';
import { Progress } from './progress';
import { RunError, readRunSpec } from './run-spec';
import { RunDir } from './rundir';
import { commandLine, gitCommit } from './run-origin';
import { RunDirSink } from './run-sink';
import { inlineEngineWorker, spawnEngineWorker } from './worker-host';

export type { RunSpecFile, RunSummary };

export { RunError, readRunSpec } from './run-spec';

export interface RunOptions {
  /** A new run of this spec... */
  spec?: ExperimentSpec;
  /** ...or continue the run in this directory. */
  resumeDir?: string;
  /** Where new runs go (default "runs"). */
  runsRoot?: string;
  backend?: BackendName;
  /** Progress display; null for none. Default: a Progress on stderr. */
  progress?: Progress | null;
  /** Informational messages (default: stderr). */
  log?: (msg: string) => void;
  /** Install SIGINT/SIGTERM handlers that checkpoint and stop (default true). */
  handleSignals?: boolean;
  /** Train in a worker thread instead of this one (same protocol and files; default false). */
  thread?: boolean;
  /** For spec.json and summary.md; default: this process's command line when it is a CLI, and the git commit. */
  command?: string;
  commit?: string;
  /** Test hook: a failure injected into a step (the protocol's injectFault). */
  fault?: Fault;
}

export interface RunResult {
  dir: string;
  status: 'complete' | 'interrupted';
  step: number;
  summary: RunSummary | null;
  signal?: NodeJS.Signals;
}

/** The newest usable checkpoint of a run to resume (null: start over), its step checked against its contents. */
function resumePoint(run: RunDir, say: (m: string) => void): { step: number; path: string; bytes: Uint8Array } | null {
  const { checkpoint, warnings } = run.latestCheckpoint();
  for (const w of warnings) say(`warning: ${w}`);
  if (!checkpoint && warnings.length) throw new RunError(`no usable checkpoint in ${run.dir}: ${warnings.join('; ')}`);
  if (!checkpoint) {
    say(`no usable checkpoint in ${run.dir}: restarting from step 0`);
    return null;
  }
  let held: number | undefined;
  try {
    held = JSON.parse(checkpoint.metadata.trainer_state ?? '').step;
  } catch {
    // the session names the problem when it loads the file
  }
  if (held !== undefined && held !== checkpoint.step)
    throw new RunError(`${checkpoint.path}: holds step ${held}, but its name says ${checkpoint.step}`);
  return { step: checkpoint.step, path: checkpoint.path, bytes: fs.readFileSync(checkpoint.path) };
}

/** Train a new run or continue one; resolves when it completes or is interrupted by a signal. */
export async function runExperiment(opts: RunOptions): Promise<RunResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  let resumeRun: RunDir | null = null,
    meta: RunSpecFile | null = null,
    spec: ExperimentSpec;
  if (opts.resumeDir) {
    resumeRun = RunDir.open(opts.resumeDir);
    meta = readRunSpec(resumeRun);
    spec = meta.spec;
  } else if (opts.spec) spec = opts.spec;
  else throw new RunError('runExperiment: give a spec or a run directory to resume');

  // a run from elsewhere (the PyTorch export writes backend "pytorch") continues on the default backend
  const recorded = BACKEND_ORDER.find((b) => b === meta?.backend.name);
  const backend = opts.backend ?? recorded ?? 'wasm';
  if (meta && meta.backend.name !== backend)
    log(`note: the run was trained on ${meta.backend.name}; continuing on ${backend} is not bit-exact`);
  const from = resumeRun ? resumePoint(resumeRun, log) : null;
  const sources = loadDataSources(spec); // a missing corpus fails here, before any run directory exists
  const progress = opts.progress === undefined ? new Progress({ label: spec.name }) : opts.progress;
  const say = (m: string) => (progress ? progress.log(m) : log(m));
  const sink = new RunDirSink(resumeRun ?? opts.runsRoot ?? 'runs', { kind: 'cli', log: say });
  let sinkError: (e: unknown) => void = () => {};
  const sinkFailed = new Promise<never>((_, reject) => (sinkError = reject));
  sinkFailed.catch(() => undefined); // awaited in train()
  const recorder = new RunRecorder(sink, {
    resume: meta ?? undefined,
    command: opts.command ?? commandLine(),
    commit: opts.commit ?? gitCommit(),
    onWarning: (m) => say(`warning: ${m}`),
    onError: (e) => sinkError(e),
  });
  const client = opts.thread ? spawnEngineWorker({ timeoutMs: 0 }) : inlineEngineWorker({ timeoutMs: 0 });
  client.on('*', (ev) => recorder.consume(ev));
  try {
    resumeRun?.claim('cli'); // fails while another live process writes the run
    const ready = await client
      .request('init', { protocol: PROTOCOL_VERSION, spec, sources, backend: [backend], checkpoint: from?.bytes })
      .catch((e: Error) => {
        const msg = from ? e.message.replace('checkpoint (init request)', from.path) : e.message;
        throw new RunError(from && !msg.includes(from.path) ? `${from.path}: ${msg}` : msg);
      });
    await recorder.flush(); // the run directory exists (new) or is rolled back (resumed) now
    const dir = sink.run!.dir;
    if (from) say(`resuming ${dir} from step ${from.step} (${from.path})`);
    else say(`run directory: ${dir}`);
    say(`${spec.name}: ${ready.dataset}; ${formatParams(ready.params)} parameters; backend ${ready.backend}`);
    if (opts.fault) await client.request('injectFault', { fault: opts.fault });
    watchProgress(client, progress, spec.train.steps);
    const end = await train(client, recorder, sinkFailed, opts.handleSignals ?? true, say, sink.run!);
    await recorder.flush();
    const run = sink.run!;
    if (end.kind === 'failed') throw failure(end.ev, run);
    if (end.kind === 'signal') {
      progress?.done();
      const ckpt = run.listCheckpoints().at(-1);
      say(
        `stopped at step ${end.step}/${spec.train.steps}; checkpoint ${ckpt !== undefined ? run.checkpointPath(ckpt) : '(none)'}\n` +
          `resume with: npm run experiment -- --resume ${run.dir}`,
      );
      return { dir: run.dir, status: 'interrupted', step: end.step, summary: null, signal: end.signal };
    }
    const summary = run.readSummary<RunSummary>();
    return { dir: run.dir, status: 'complete', step: summary?.steps ?? spec.train.steps, summary };
  } finally {
    progress?.done();
    await client.request('stop', {}).catch(() => undefined); // no step may run on after this
    await client.request('dispose', {}).catch(() => undefined);
    client.dispose();
    sink.run?.release(); // the recorder released it already unless the run never got going
  }
}

type End =
  { kind: 'finished' } | { kind: 'failed'; ev: FailedEvent } | { kind: 'signal'; signal: NodeJS.Signals; step: number };

/** Start training and wait for its end: finished, a fatal failure, or a signal (then pause and checkpoint). */
async function train(
  client: WorkbenchClient,
  recorder: RunRecorder,
  sinkFailed: Promise<never>,
  handleSignals: boolean,
  say: (m: string) => void,
  run: RunDir,
): Promise<End> {
  let signalled: (sig: NodeJS.Signals) => void = () => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => (signalled = resolve));
  let stop: NodeJS.Signals | null = null;
  let stopAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // A terminal's Ctrl-C reaches both this process and its wrappers (npm, tsx), which relay it: repeats within
    // 2 s are the same keypress. A later second signal gives up at once, without saving.
    if (stop && Date.now() - stopAt > 2000) process.exit(sig === 'SIGINT' ? 130 : 143);
    if (stop) return;
    stop = sig;
    stopAt = Date.now();
    say(`\n${sig}: finishing the current step, then saving a checkpoint (press again to quit without saving)`);
    signalled(sig);
  };
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  try {
    const finished = client.next('finished', () => true, 0).then((): End => ({ kind: 'finished' }));
    const failed = client.next('failed', (f) => f.fatal, 0).then((ev): End => ({ kind: 'failed', ev }));
    await client.request('start', {});
    const first = await Promise.race([finished, failed, sinkFailed, signal]);
    if (typeof first !== 'string') return first;
    const paused = await client.request('pause', {}).catch(() => null); // null: it finished or failed meanwhile
    if (!paused) return Promise.race([finished, failed]);
    await recorder.flush(); // a checkpoint of this step may be on its way to disk
    if (!run.listCheckpoints().includes(paused.step)) await client.request('saveCheckpoint', {});
    await recorder.interrupt([`Resume with \`npm run experiment -- --resume ${run.dir}\`.`]);
    return { kind: 'signal', signal: first, step: paused.step };
  } finally {
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

/** The progress line follows the metrics and evaluation events. */
function watchProgress(client: WorkbenchClient, progress: Progress | null, steps: number): void {
  if (!progress) return;
  let val: { loss: number; answer_accuracy?: number } | null = null;
  client.on('eval', (ev) => ev.requestId === undefined && (val = ev.report));
  client.on('metrics', (ev) => {
    const i = ev.count - 1;
    progress.update({
      step: ev.columns.step[i],
      steps,
      loss: ev.columns.loss[i],
      tokensPerS: ev.columns.tokens_per_s[i],
      valLoss: val?.loss,
      accuracy: val?.answer_accuracy,
    });
  });
}

/** A fatal failure as the CLI reports it: a non-finite loss names the step and where its last good state is. */
function failure(ev: FailedEvent, run: RunDir): Error {
  if (ev.reason === 'non-finite' && ev.step !== undefined && run.listCheckpoints().includes(ev.step))
    return new RunError(
      `${ev.error.message}. The last good state (step ${ev.step}) is in ${run.checkpointPath(ev.step)}`,
    );
  const e = new RunError(`training stopped at step ${ev.step ?? '?'} (${ev.reason}): ${ev.error.message}`);
  e.stack = ev.error.stack;
  return e;
}

// The headless run loop: trains one experiment with the Trainer and writes the run directory of DESIGN 2.2
// through RunDir. Fresh runs and resumed runs share the loop; a resumed run truncates the JSONL streams back to
// its checkpoint so that the files read exactly as if the run had never stopped. SIGINT/SIGTERM checkpoint and
// stop cleanly; a non-finite loss checkpoints the last good state and stops with an error naming the step.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_ORDER, type BackendName } from '../backend';
import { attentionMatrices, costReport, countParams, formatParams } from '../cost';
import { buildDataset, type Dataset } from '../data';
import { ENGINE_VERSION, parseSpec, SpecError, type ExperimentSpec } from '../spec';
import { loadCheckpoint, saveCheckpoint } from '../train/checkpoint';
import { probe, trainerRouting } from '../train/routing';
import { NonFiniteLossError, Trainer, type EvalReport, type StepReport } from '../train/trainer';
import { writeFileAtomic } from './atomic';
import { ensureBackend } from './backend';
import { loadDataSources } from './corpus';
import { Progress } from './progress';
import { RunDir } from './rundir';

/** A run that cannot start or continue; the message says what and where. */
export class RunError extends Error {
  override name = 'RunError';
}

/** spec.json of a run directory: the resolved spec plus what produced the run. */
export interface RunSpecFile {
  spec: ExperimentSpec;
  engineVersion: string;
  backend: { name: BackendName; adapter: string };
  dataset: string;
  vocabSize: number;
  createdAt: string;
}

export interface RunSummary {
  name: string;
  status: 'complete';
  engineVersion: string;
  backend: string;
  steps: number;
  tokens: number;
  trainTimeS: number; // training wall time (excludes evaluation), carried across resumes
  tokensPerS: number; // tokens / trainTimeS
  final: { train: StepReport | null; val: EvalReport | null };
  valLoss: number | null;
  bpb: number | null;
  accuracy: number | null; // synthetic tasks: validation answer accuracy (whole answer right)
  tokenAccuracy: number | null; // synthetic tasks: validation accuracy per answer token
  params: number;
  paramsPaper: string;
  attention: {
    kind: string;
    formula: string;
    macsPerLayer: number;
    memFloatsPerLayer: number;
    macsPaper: string;
    memPaper: string;
  };
  attentionMatrices: { perLayer: number; total: number };
  dataset: string;
}

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
}

export interface RunResult {
  dir: string;
  status: 'complete' | 'interrupted';
  step: number;
  summary: RunSummary | null;
  signal?: NodeJS.Signals;
}

/** Read spec.json of a run directory; errors name the file. */
export function readRunSpec(run: RunDir): RunSpecFile {
  if (!fs.existsSync(run.specPath)) throw new RunError(`${run.dir} is not a run directory: no spec.json`);
  const meta = run.readSpec<RunSpecFile>();
  if (!meta || typeof meta !== 'object' || !('spec' in meta))
    throw new RunError(`${run.specPath}: no "spec" field (not written by this workbench?)`);
  try {
    return { ...meta, spec: parseSpec(meta.spec) };
  } catch (e) {
    if (e instanceof SpecError) throw new RunError(`${run.specPath}: ${e.message}`);
    throw e;
  }
}

const due = (step: number, every: number, last: number) => step % every === 0 || step === last;

/** Rewrite a JSONL stream atomically, keeping the records with step <= maxStep (a torn last line is dropped). */
function truncateJsonl(file: string, rows: object[], maxStep: number): number {
  if (!fs.existsSync(file)) return 0;
  const keep = rows.filter(
    (r) => (r as { step?: number }).step !== undefined && (r as { step: number }).step <= maxStep,
  );
  writeFileAtomic(file, keep.map((r) => JSON.stringify(r) + '\n').join(''));
  return rows.length - keep.length;
}

/** Bring a run directory back to the state of step `step`: later rows, probes, summary and checkpoints go. */
function rollBack(run: RunDir, step: number, log: (m: string) => void): void {
  const stale = run.removeStaleTempFiles();
  if (stale.length) log(`removed ${stale.length} stale temp file(s): ${stale.join(', ')}`);
  const droppedM = truncateJsonl(run.metricsPath, run.readMetrics<object>(), step);
  const droppedR = truncateJsonl(run.routingPath, run.readRouting<object>(), step);
  if (droppedM || droppedR) log(`dropped ${droppedM} metrics and ${droppedR} routing row(s) after step ${step}`);
  for (const p of run.listProbes()) if (p > step) fs.rmSync(run.probePath(p), { force: true });
  for (const c of run.listCheckpoints()) if (c > step) fs.rmSync(run.checkpointPath(c), { force: true });
  fs.rmSync(run.summaryPath, { force: true });
}

/** The probe text for a spec: synthetic tasks get an example in their own vocabulary. */
export function probeTextFor(spec: ExperimentSpec, data: Dataset): string {
  if (!data.synthetic) return spec.log.probeText;
  try {
    data.tokenizer.encode(spec.log.probeText);
    return spec.log.probeText;
  } catch {
    const b = data.valBatches[0];
    return data.tokenizer.decode(b.input.slice(0, Math.min(b.seqLen, 32)));
  }
}

function buildSummary(
  tr: Trainer,
  backend: string,
  lastTrain: StepReport | null,
  lastVal: EvalReport | null,
): RunSummary {
  const spec = tr.spec;
  const cost = costReport(spec, tr.data.vocabSize);
  const params = countParams(spec, tr.data.vocabSize).total;
  return {
    name: spec.name,
    status: 'complete',
    engineVersion: ENGINE_VERSION,
    backend,
    steps: tr.stepCount,
    tokens: tr.tokens,
    trainTimeS: round(tr.elapsedS, 3),
    tokensPerS: round(tr.tokens / Math.max(tr.elapsedS, 1e-9), 1),
    final: { train: lastTrain, val: lastVal },
    valLoss: lastVal?.loss ?? null,
    bpb: lastVal?.bpb ?? null,
    accuracy: lastVal?.answer_accuracy ?? null,
    tokenAccuracy: lastVal?.accuracy ?? null,
    params,
    paramsPaper: formatParams(params),
    attention: {
      kind: cost.attention.kind,
      formula: cost.attention.formula,
      macsPerLayer: cost.attention.macsPerLayer,
      memFloatsPerLayer: cost.attention.memFloatsPerLayer,
      macsPaper: cost.attention.macsPaper,
      memPaper: cost.attention.memPaper,
    },
    attentionMatrices: attentionMatrices(spec),
    dataset: tr.data.description,
  };
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Train a new run or continue one; resolves when it completes or is interrupted by a signal. */
export async function runExperiment(opts: RunOptions): Promise<RunResult> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  let run: RunDir,
    spec: ExperimentSpec,
    meta: RunSpecFile | null = null;
  if (opts.resumeDir) {
    run = RunDir.open(opts.resumeDir);
    meta = readRunSpec(run);
    spec = meta.spec;
  } else if (opts.spec) {
    spec = opts.spec;
    run = RunDir.createNew(opts.runsRoot ?? 'runs', spec.name);
  } else throw new RunError('runExperiment: give a spec or a run directory to resume');

  // a run from elsewhere (the PyTorch export writes backend "pytorch") continues on the default backend
  const recorded = BACKEND_ORDER.find((b) => b === meta?.backend.name);
  const backendName = opts.backend ?? recorded ?? 'wasm';
  if (meta && meta.backend.name !== backendName)
    log(`note: the run was trained on ${meta.backend.name}; continuing on ${backendName} is not bit-exact`);
  const backend = await ensureBackend(backendName);
  const data = buildDataset(spec, loadDataSources(spec));
  const tr = new Trainer(spec, data);
  const progress = opts.progress === undefined ? new Progress({ label: spec.name }) : opts.progress;
  const say = (m: string) => (progress ? progress.log(m) : log(m));
  try {
    if (!meta) {
      const file: RunSpecFile = {
        spec,
        engineVersion: ENGINE_VERSION,
        backend: { name: backend.name, adapter: backend.adapter },
        dataset: data.description,
        vocabSize: data.vocabSize,
        createdAt: new Date().toISOString(),
      };
      run.writeSpec(file);
      say(`run directory: ${run.dir}`);
    } else resume(run, tr, say);
    say(
      `${spec.name}: ${data.description}; ${formatParams(countParams(spec, data.vocabSize).total)} parameters; backend ${backend.name}`,
    );
    return await trainLoop(run, tr, backend.name, progress, say, opts.handleSignals ?? true);
  } finally {
    progress?.done();
    tr.dispose();
  }
}

function resume(run: RunDir, tr: Trainer, say: (m: string) => void): void {
  const { checkpoint, warnings } = run.latestCheckpoint();
  for (const w of warnings) say(`warning: ${w}`);
  if (!checkpoint && warnings.length) throw new RunError(`no usable checkpoint in ${run.dir}: ${warnings.join('; ')}`);
  const step = checkpoint?.step ?? 0;
  if (checkpoint) {
    const state = loadCheckpoint(tr, fs.readFileSync(checkpoint.path), checkpoint.path);
    if (state.step !== checkpoint.step)
      throw new RunError(`${checkpoint.path}: holds step ${state.step}, but its name says ${checkpoint.step}`);
    say(`resuming ${run.dir} from step ${step} (${checkpoint.path})`);
  } else say(`no usable checkpoint in ${run.dir}: restarting from step 0`);
  rollBack(run, step, say);
}

async function trainLoop(
  run: RunDir,
  tr: Trainer,
  backend: string,
  progress: Progress | null,
  say: (m: string) => void,
  handleSignals: boolean,
): Promise<RunResult> {
  const { log: L, train } = tr.spec;
  const total = train.steps;
  let lastTrain: StepReport | null = null;
  let lastVal: EvalReport | null = [...run.readMetrics<EvalReport>()].reverse().find((r) => r.split === 'val') ?? null;
  const hasMoe = tr.spec.model.attention.kind !== 'dense' || tr.spec.model.mlp.kind === 'sigma-moe';
  let probeText: string | null = probeTextFor(tr.spec, tr.data);
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
  };
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const checkpoint = () => run.writeCheckpoint(tr.stepCount, saveCheckpoint(tr));
  try {
    if (tr.stepCount === 0 && !lastVal) {
      lastVal = tr.evaluate();
      run.appendMetrics(lastVal);
    }
    while (tr.stepCount < total && !stop) {
      let r: StepReport;
      try {
        r = tr.step();
      } catch (e) {
        if (!(e instanceof NonFiniteLossError)) throw e;
        const file = run.listCheckpoints().includes(tr.stepCount) ? run.checkpointPath(tr.stepCount) : checkpoint();
        throw new RunError(`${e.message}. The last good state (step ${tr.stepCount}) is in ${file}`);
      }
      lastTrain = r;
      const s = r.step;
      if (due(s, L.metricsInterval, total)) run.appendMetrics(r);
      if (due(s, L.evalInterval, total)) {
        lastVal = tr.evaluate();
        run.appendMetrics(lastVal);
      }
      if (hasMoe && due(s, L.routingInterval, total)) run.appendRouting(trainerRouting(tr));
      if (probeText && due(s, L.probeInterval, total)) {
        try {
          run.writeProbe(s, probe(tr, probeText));
        } catch (e) {
          say(`warning: probes disabled: ${(e as Error).message}`);
          probeText = null;
        }
      }
      if (due(s, L.checkpointInterval, total)) checkpoint();
      progress?.update({
        step: s,
        steps: total,
        loss: r.loss,
        tokensPerS: r.tokens_per_s,
        valLoss: lastVal?.loss,
        accuracy: lastVal?.answer_accuracy,
      });
      await new Promise((res) => setImmediate(res)); // let signals in between steps
    }
    if (stop) {
      const file = run.listCheckpoints().includes(tr.stepCount) ? run.checkpointPath(tr.stepCount) : checkpoint();
      progress?.done();
      say(
        `stopped at step ${tr.stepCount}/${total}; checkpoint ${file}\nresume with: npm run experiment -- --resume ${run.dir}`,
      );
      return { dir: run.dir, status: 'interrupted', step: tr.stepCount, summary: null, signal: stop };
    }
    const summary = buildSummary(tr, backend, lastTrain ?? lastTrainRow(run), lastVal);
    run.writeSummary(summary);
    return { dir: run.dir, status: 'complete', step: tr.stepCount, summary };
  } finally {
    if (handleSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

function lastTrainRow(run: RunDir): StepReport | null {
  return [...run.readMetrics<StepReport>()].reverse().find((r) => r.split === 'train') ?? null;
}

// The run controller: the one place that creates engine workers. It runs an Experiment cell's spec (a new run),
// resumes an interrupted run from its newest checkpoint, and passes Pause / Resume / Step / Stop / learning-rate
// changes to the session of a run. Runs wait in the queue (queue.ts) for their turn; each one trains in a fresh
// worker that is disposed when it ends. A lost GPU device continues the run on wasm from its last checkpoint.
import type { PlatformApi } from '../../engine/contracts/platform';
import type { RunSpecFile } from '../../engine/contracts/run-files';
import { WorkbenchClient } from '../../engine/client';
import { parseSpec } from '../../engine/spec';
import { getDoc, notebookActions } from '../state/notebook';
import type { CellId, ExperimentCell } from '../state/notebook-schema';
import { entry, patch, removeRun } from '../state/runs';
import { enqueue, finishJob, setStartProblem, updateJob, useQueue } from './queue';
import { RunSession, type BackendName, type SessionEnd } from './run-session';
import type { RunSync } from './sync';

export const BACKEND_ORDER: BackendName[] = ['webgpu', 'wasm', 'cpu'];

/** A module Web Worker running engine/worker.ts from this bundle (Vite bundles it by this exact expression). */
export function createBrowserClient(): WorkbenchClient {
  const worker = new Worker(new URL('../../engine/worker.ts', import.meta.url), { type: 'module', name: 'engine' });
  return new WorkbenchClient(worker);
}

export interface ControllerDeps {
  platform: () => PlatformApi;
  createClient: () => WorkbenchClient;
  wasmPaths?: string;
  backends?: BackendName[];
  sync?: RunSync | null;
  /** Notices for the user (a toast in the app). */
  notify?: (message: string, tone?: 'info' | 'warning' | 'error') => void;
}

export class RunController {
  /** Sessions of this page by run id (and by job, before the run id is known). */
  private readonly byRun = new Map<string, RunSession>();
  private readonly byJob = new Map<number, RunSession>();
  private readonly cancelled = new Set<number>();

  constructor(private readonly deps: ControllerDeps) {}

  /** Is this page training the run (its rows come from the worker)? */
  isLive = (runId: string): boolean => this.byRun.has(runId);

  session(runId: string): RunSession | null {
    return this.byRun.get(runId) ?? null;
  }

  /** Queue a new run of the cell's spec; returns the job id (null: not an Experiment cell). */
  runCell(cellId: CellId): number | null {
    const cell = getDoc().cells[cellId] as ExperimentCell | undefined;
    if (!cell || cell.kind !== 'experiment') return null;
    const spec = structuredClone(cell.spec); // the spec as it is now: later edits do not change a queued run
    const label = typeof spec.name === 'string' ? spec.name : 'experiment';
    setStartProblem(cellId, null);
    return enqueue({ cellId, runId: null, kind: 'new', label }, (job) => void this.launchNew(job, cellId, spec));
  }

  /**
   * Continue an interrupted (or failed) run from its newest checkpoint, on the given backends (default: the one it
   * ran on, then the usual order). Without a checkpoint it starts over at step 0.
   */
  resumeRun(runId: string, backends?: BackendName[], front = false): number | null {
    if (this.byRun.has(runId)) return null;
    const cellId = ownerCell(runId);
    const e = entry(runId);
    patch(runId, { live: { state: 'queued' }, error: null });
    const label = e.listing?.name ?? runId;
    return enqueue({ cellId, runId, kind: 'resume', label }, (job) => void this.launchResume(job, runId, backends), {
      front,
    });
  }

  /** Drop a queued job, or stop the run of a live one. */
  async cancel(jobId: number): Promise<void> {
    const s = this.byJob.get(jobId);
    if (s) return s.runId ? s.stop() : void this.cancelled.add(jobId);
    const runId = jobRun(jobId);
    if (runId) patch(runId, { live: null });
    finishJob(jobId);
  }

  /** The page is going away (pagehide): every session sends its unwritten rows now. */
  flushAll(): void {
    for (const s of this.byJob.values()) s.flushNow();
  }

  pause = (runId: string) => this.call(runId, (s) => s.pause());
  resume = (runId: string) => this.call(runId, (s) => s.resume());
  step = (runId: string) => this.call(runId, (s) => s.step());
  stop = (runId: string) => this.call(runId, (s) => s.stop());
  setLearningRate = (runId: string, lr: number) => this.call(runId, (s) => s.setLearningRate(lr));

  /** Move a run to the workspace's trash (never while this page trains it); unlinks it from its cell. */
  async trash(runId: string): Promise<void> {
    if (this.byRun.has(runId)) throw new Error('stop the run before deleting it');
    await this.deps.platform().trashRun(runId);
    const cell = ownerCell(runId);
    if (cell) notebookActions.detachRun(cell, runId);
    removeRun(runId);
  }

  private async call(runId: string, f: (s: RunSession) => Promise<void>): Promise<void> {
    const s = this.byRun.get(runId);
    if (!s) throw new Error(`run ${runId} is not training in this page`);
    try {
      await f(s);
    } catch (e) {
      this.deps.notify?.((e as Error).message, 'warning');
    }
  }

  private newSession(jobId: number, plan: ConstructorParameters<typeof RunSession>[1]): RunSession {
    const s = new RunSession(
      {
        platform: this.deps.platform(),
        createClient: this.deps.createClient,
        wasmPaths: this.deps.wasmPaths,
        warn: (m) => this.deps.notify?.(m, 'warning'),
      },
      plan,
      (state) => updateJob(jobId, { state }),
    );
    this.byJob.set(jobId, s);
    return s;
  }

  private async launchNew(jobId: number, cellId: CellId, spec: Record<string, unknown>): Promise<void> {
    const s = this.newSession(jobId, { spec, backends: this.deps.backends ?? BACKEND_ORDER });
    try {
      const sources = await this.deps.platform().loadDataSources(spec);
      await this.begin(jobId, s, sources, cellId);
    } catch (e) {
      setStartProblem(cellId, `Could not start: ${(e as Error).message}`);
      this.abandon(jobId, s);
    }
  }

  private async launchResume(jobId: number, runId: string, backends?: BackendName[]): Promise<void> {
    const platform = this.deps.platform();
    let s: RunSession | null = null;
    try {
      const listing = await platform.claimRun(runId);
      const raw = (entry(runId).specFile ??
        (await platform.readRun(runId, { metricsOffset: 0, routingOffset: 0 })).specFile) as RunSpecFile;
      const file: RunSpecFile = { ...raw, spec: parseSpec(raw.spec) };
      const step = listing.checkpoints.length ? Math.max(...listing.checkpoints) : null;
      const checkpoint = step === null ? undefined : await platform.readCheckpoint(runId, step);
      const order = backends ?? preferred(file.backend.name, this.deps.backends ?? BACKEND_ORDER);
      s = this.newSession(jobId, { spec: file.spec, backends: order, resume: { runId, file, checkpoint } });
      this.byRun.set(runId, s); // from now on the worker feeds this run: sync leaves it alone
      const sources = await platform.loadDataSources(file.spec as unknown as Record<string, unknown>);
      await this.begin(jobId, s, sources, ownerCell(runId));
    } catch (e) {
      patch(runId, { live: null, error: { name: 'ResumeError', message: `Could not resume: ${(e as Error).message}` } });
      this.byRun.delete(runId);
      if (s) this.abandon(jobId, s);
      else finishJob(jobId);
      this.deps.notify?.(`Could not resume ${runId}: ${(e as Error).message}`, 'error');
    }
  }

  /** Start the session; once the run directory exists, link it to its cell and wait for the end. */
  private async begin(jobId: number, s: RunSession, sources: unknown, cellId: CellId | null): Promise<void> {
    const runId = await s.start(sources as Parameters<RunSession['start']>[0]);
    this.byRun.set(runId, s);
    updateJob(jobId, { runId, backend: s.backend, state: 'running' });
    if (cellId) notebookActions.attachRun(cellId, runId);
    if (this.cancelled.delete(jobId)) void s.stop();
    void s.ended.then((end) => this.finish(jobId, runId, s, end));
  }

  private abandon(jobId: number, s: RunSession): void {
    s.dispose();
    this.byJob.delete(jobId);
    this.cancelled.delete(jobId);
    finishJob(jobId);
  }

  /** The run ended: forget its session, read its files back, start the next job; a lost GPU continues on wasm. */
  private finish(jobId: number, runId: string, s: RunSession, end: SessionEnd): void {
    this.byJob.delete(jobId);
    if (this.byRun.get(runId) === s) this.byRun.delete(runId);
    patch(runId, { live: null });
    this.deps.sync?.reload(runId);
    if (end.failure?.reason === 'device-lost' && !end.writeError) {
      // the worker sent the last good state as a checkpoint before failing: continue from it, next in line
      const message = `The ${end.backend} device was lost: the run continues on wasm from its last checkpoint.`;
      this.deps.notify?.(message, 'warning');
      this.resumeRun(runId, ['wasm', 'cpu'], true);
    }
    finishJob(jobId);
  }
}

/** The run's own backend first (a resume is bit-exact only there), then the others in the usual order. */
function preferred(recorded: string, order: BackendName[]): BackendName[] {
  const own = order.find((b) => b === recorded);
  return own ? [own, ...order.filter((b) => b !== own)] : order;
}

/** The Experiment cell of the open notebook that shows this run, if any. */
export function ownerCell(runId: string): CellId | null {
  const doc = getDoc();
  for (const id of doc.cellOrder) {
    const c = doc.cells[id];
    if (c?.kind === 'experiment' && c.runIds.includes(runId)) return id;
  }
  return null;
}

function jobRun(jobId: number): string | null {
  return useQueue.getState().jobs[jobId]?.runId ?? null;
}

// One run trained by this page: an engine worker (through WorkbenchClient), the engine's RunRecorder writing the run
// directory through the Platform (platform-sink.ts), and the runs store fed from the same events (live curves).
// A session is used once: it starts (a new run, or a resumed one from its checkpoint), trains, ends (finished,
// stopped or failed) and disposes its worker; the next run gets a fresh worker.
import type { PlatformApi } from '../../engine/contracts/platform';
import type { RunSpecFile } from '../../engine/contracts/run-files';
import type { WorkbenchClient } from '../../engine/client';
import { PROTOCOL_VERSION, type DataSourcesMessage, type FailedEvent, type MetricsEvent, type RequestBody, type WorkerEvent } from '../../engine/protocol';
import { RunRecorder } from '../../engine/run/recorder';
import { appendMetricColumns, appendMetricRows, appendRouting, entry, patch, rollBack, touch } from '../state/runs';
import type { LiveInfo, LiveState } from '../state/runs';
import { LivePace } from './live-pace';
import { PlatformSink } from './platform-sink';

export type BackendName = NonNullable<RequestBody<'init'>['backend']>[number];

export interface SessionDeps {
  platform: PlatformApi;
  createClient: () => WorkbenchClient;
  wasmPaths?: string;
  /** Told about warnings of the engine and the recorder (the app shows a toast). */
  warn?: (message: string) => void;
}

export interface SessionPlan {
  spec: unknown; // a new run: the cell's spec input; a resume: the run's resolved spec
  backends: BackendName[];
  /** Continue this run (its spec.json), from `checkpoint` (none: start over at step 0). */
  resume?: { runId: string; file: RunSpecFile; checkpoint?: Uint8Array };
}

/** How a session ended. `failure` for a fatal failure (NaN, worker crash, lost device). */
export interface SessionEnd {
  status: 'complete' | 'stopped' | 'failed' | 'interrupted';
  failure: FailedEvent | null;
  backend: string | null;
  writeError: unknown; // the run files could not be written (the host went away): what the sink said
}

export class RunSession {
  runId: string | null;
  backend: string | null = null;
  /** Resolves once the run ended, its files are written and its worker is gone. */
  readonly ended: Promise<SessionEnd>;
  private resolveEnd!: (e: SessionEnd) => void;
  private readonly client: WorkbenchClient;
  private readonly recorder: RunRecorder;
  private readonly sink: PlatformSink;
  private ending = false;
  private pending: MetricsEvent[] = []; // metrics batches not yet in the runs store
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly pace = new LivePace();
  private writeError: unknown = null;

  constructor(
    private readonly deps: SessionDeps,
    private readonly plan: SessionPlan,
    private readonly onState: (state: LiveState) => void = () => {},
  ) {
    this.runId = plan.resume?.runId ?? null;
    this.ended = new Promise((ok) => (this.resolveEnd = ok));
    this.sink = new PlatformSink(deps.platform, this.runId);
    this.recorder = new RunRecorder(this.sink, {
      resume: plan.resume?.file,
      onWarning: (m) => deps.warn?.(m),
      onError: (e) => this.onWriteError(e),
    });
    this.client = deps.createClient();
    this.client.on('*', (ev) => {
      this.recorder.consume(ev);
      this.onEvent(ev);
    });
  }

  /**
   * Load the data, start the worker on the first backend that works, create (or roll back) the run directory and
   * start training. Rejects when the run could not start (bad data, no backend): then no new run directory exists.
   */
  async start(sources: DataSourcesMessage): Promise<string> {
    const { resume } = this.plan;
    const ready = await this.client.request(
      'init',
      {
        protocol: PROTOCOL_VERSION,
        spec: this.plan.spec,
        sources,
        backend: this.plan.backends,
        ...(this.deps.wasmPaths ? { wasmPaths: this.deps.wasmPaths } : {}),
        ...(resume?.checkpoint ? { checkpoint: resume.checkpoint } : {}),
      },
      { timeoutMs: 0 },
    );
    await this.recorder.flush(); // the run directory exists (new) or is rolled back (resume)
    const id = this.sink.id!;
    this.runId = id;
    this.backend = ready.backend;
    if (resume) rollBack(id, ready.step === 0 ? -1 : ready.step); // a restart at step 0 drops every row
    const live: LiveInfo = {
      state: 'starting',
      backend: {
        name: ready.backend,
        adapter: ready.adapter,
        fallbacks: ready.fallbacks,
        threads: ready.limits.multithread === true,
      },
      limits: ready.limits,
      lr: ready.spec.train.lr,
      totalSteps: ready.totalSteps,
    };
    patch(id, { specFile: this.recorder.file, live, error: null, ...(resume ? { summary: null } : {}) });
    await this.client.request('start', {});
    return id;
  }

  pause = () => this.client.request('pause', {}).then(() => undefined);
  resume = () => this.client.request('resume', {}).then(() => undefined);
  step = () => this.client.request('step', {}).then(() => undefined);
  setLearningRate = async (lr: number) => {
    await this.client.request('setLearningRate', { lr });
    if (this.runId) this.live((l) => (l.lr = lr));
  };
  /** Test hook (engine/protocol injectFault): make a later step fail as a NaN, a lost device or an error would. */
  injectFault = (fault: RequestBody<'injectFault'>['fault']) =>
    this.client.request('injectFault', { fault }).then(() => undefined);

  /** End training for good: the run is saved as stopped (summary.json). */
  async stop(): Promise<void> {
    this.onState('stopping');
    if (this.runId) this.live((l) => (l.state = 'stopping'));
    await this.client.request('stop', {});
  }

  /** The page is going away: send the rows not yet written at once (keepalive requests). */
  flushNow(): void {
    this.sink.flushNow();
  }

  /** Give up a session that never started (init failed, or cancelled): drop the worker. */
  dispose(): void {
    this.client.dispose();
  }

  private onEvent(ev: WorkerEvent): void {
    const id = this.runId;
    if (!id) return; // before the run directory exists nothing but `ready` arrives
    switch (ev.type) {
      case 'metrics':
        this.pending.push(ev);
        this.flushTimer ??= setTimeout(() => this.flushMetrics(), this.pace.intervalMs);
        return;
      case 'eval':
        if (ev.requestId === undefined) appendMetricRows(id, [ev.report]);
        return;
      case 'routing':
        if (ev.requestId === undefined) appendRouting(id, [ev.report]);
        return;
      case 'state':
        this.flushMetrics(); // a pause or a single step shows its last rows at once
        if (ev.state === 'running' || ev.state === 'paused') {
          this.onState(ev.state);
          this.live((l) => (l.state = ev.state as LiveState));
        } else if (ev.state === 'stopped') void this.end('stopped', null);
        return;
      case 'finished':
        return void this.end('complete', null);
      case 'failed':
        if (!ev.fatal) return;
        patch(id, { error: { name: ev.error.name, message: ev.error.message, stack: ev.error.stack } });
        return void this.end('failed', ev);
      case 'warning':
        this.deps.warn?.(ev.message);
        return;
      default:
        return;
    }
  }

  /** The metrics batches collected since the last update into the runs store at once (one redraw of the panels,
   *  at the pace live-pace.ts sets). */
  private flushMetrics(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const id = this.runId;
    if (!id || this.pending.length === 0) return;
    const e = entry(id);
    for (const ev of this.pending) appendMetricColumns(id, ev.columns, ev.count);
    if (e.live) e.live.memory = this.pending[this.pending.length - 1].memory;
    this.pending = [];
    this.pace.measure();
  }

  /** The run ended: wait for its files, dispose the worker, say how it ended. */
  private async end(status: SessionEnd['status'], failure: FailedEvent | null): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.flushMetrics();
    try {
      await this.recorder.flush();
      await this.sink.flush();
    } catch (e) {
      this.writeError ??= e;
    }
    this.client.dispose();
    this.resolveEnd({ status, failure, backend: this.backend, writeError: this.writeError });
  }

  /** The run files cannot be written (the host is gone or refused): stop training, keep what is on screen. */
  private onWriteError(e: unknown): void {
    this.writeError ??= e;
    const message = `Could not save the run: ${(e as Error)?.message ?? String(e)}. Training stopped.`;
    if (this.runId) patch(this.runId, { error: { name: 'RunFilesError', message } });
    this.client.request('stop', {}).catch(() => undefined);
    void this.end('interrupted', null);
  }

  private live(f: (l: LiveInfo) => void): void {
    const e = entry(this.runId!);
    if (e.live) f(e.live);
    touch(e.id);
  }
}

// The run recorder's sink in the app (engine/run/recorder.ts RunSink): every write goes through the Platform
// (createRun, writeRun, writeCheckpoint), which stores it with the same run-file code the CLI uses, so an app run's
// directory reads exactly like a CLI run's.
//
// Rows are buffered here and written every WRITE_MS (one request instead of one per metrics batch: the host, the page
// and the training worker share two cores), always before any other write, in order: one request in flight at a
// time. `flushNow()` (the page is going away) sends what is buffered at once, as a keepalive request
// (renderer/platform/web.ts), so a closed tab loses at most the rows still inside the worker.
//
// One gap in the Platform contract: a rollback step must be >= 0, while a run that resumes without any checkpoint
// starts over (the recorder asks for step -1: drop everything). Rolling back to 0 keeps the step-0 evaluation of the
// first attempt; the restarted session evaluates step 0 again, and that row is not appended twice (skipped below).
import type { PlatformApi, RunWrite } from '../../engine/contracts/platform';
import type { ProbeReport } from '../../engine/contracts/reports';
import type { MetricsRow, RoutingRow, RunSpecFile, RunSummary } from '../../engine/contracts/run-files';
import type { RunSink } from '../../engine/run/recorder';

/** How long rows wait to be written together. */
export const WRITE_MS = 250;

type Rows = Extract<RunWrite, { kind: 'metrics' }>['rows'];
const rowKey = (r: { step: number; split?: string }) => `${r.split ?? 'train'}@${r.step}`;

export class PlatformSink implements RunSink {
  /** Rows kept by a restart (rollback to 0) that the new session will report again: not appended twice. */
  private keptAtZero = new Set<string>();
  private metrics: MetricsRow[] = [];
  private routing: RoutingRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private chain: Promise<unknown> = Promise.resolve(); // the writes, one after the other
  private failure: unknown = null;

  /** `runId`: the run to continue (resume); none for a new run (create() names it). */
  constructor(
    private readonly platform: PlatformApi,
    private runId: string | null = null,
  ) {}

  /** The run's id (null until a new run is created). */
  get id(): string | null {
    return this.runId;
  }

  create(file: RunSpecFile): Promise<void> {
    return this.then(async () => {
      if (this.runId) throw new Error(`run "${this.runId}" exists already: resume it instead`);
      const { id } = await this.platform.createRun(file.spec.name, file as unknown as Record<string, unknown>);
      this.runId = id;
    });
  }

  resume(step: number): Promise<MetricsRow[]> {
    return this.then(async () => {
      const id = this.need();
      await this.platform.claimRun(id); // the caller claimed it already: the holder may claim again
      await this.platform.writeRun(id, { kind: 'rollback', step: Math.max(0, step) });
      const kept = (await this.platform.readRun(id, { metricsOffset: 0, routingOffset: 0 })).metrics as MetricsRow[];
      this.keptAtZero = new Set(step < 0 ? kept.map(rowKey) : []);
      return kept;
    });
  }

  async appendMetrics(rows: MetricsRow[]): Promise<void> {
    this.check();
    let fresh = rows;
    if (this.keptAtZero.size) {
      fresh = rows.filter((r) => !(r.step === 0 && this.keptAtZero.has(rowKey(r))));
      if (rows.some((r) => r.step > 0)) this.keptAtZero.clear();
    }
    this.metrics.push(...fresh);
    this.schedule();
  }

  async appendRouting(rows: RoutingRow[]): Promise<void> {
    this.check();
    this.routing.push(...rows);
    this.schedule();
  }

  writeProbe(step: number, report: ProbeReport): Promise<void> {
    const w: RunWrite = { kind: 'probe', step, report: report as unknown as Record<string, unknown> };
    return this.then(() => this.platform.writeRun(this.need(), w));
  }

  writeCheckpoint(step: number, bytes: Uint8Array): Promise<string> {
    return this.then(async () => {
      const id = this.need();
      await this.platform.writeCheckpoint(id, step, bytes);
      return `runs/${id}/checkpoints/${step}.safetensors`;
    });
  }

  /** summary.json with summary.md and loss.svg; an interrupted run (null) gets only the two report files. */
  writeSummary(summary: RunSummary | null, markdown: string, svg: string): Promise<void> {
    const w: RunWrite = {
      kind: 'summary',
      summary: summary as unknown as Record<string, unknown> | null,
      markdown,
      svg,
    };
    return this.then(() => this.platform.writeRun(this.need(), w));
  }

  release(): Promise<void> {
    return this.then(async () => {
      if (this.runId) await this.platform.writeRun(this.runId, { kind: 'release' });
    });
  }

  /** Write the buffered rows now; resolves when every write so far is done (rejects with the first failure). */
  async flush(): Promise<void> {
    await this.then(async () => {});
  }

  /** The page is going away: send the buffered rows at once (keepalive), not waiting for the write in flight. */
  flushNow(): void {
    const writes = this.takeRows();
    if (!this.runId || this.failure) return;
    for (const w of writes) void this.platform.writeRun(this.runId, w).catch(() => undefined);
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), WRITE_MS);
  }

  private takeRows(): RunWrite[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const writes: RunWrite[] = [];
    if (this.metrics.length) writes.push({ kind: 'metrics', rows: this.metrics as unknown as Rows });
    if (this.routing.length) writes.push({ kind: 'routing', rows: this.routing as unknown as Rows });
    this.metrics = [];
    this.routing = [];
    return writes;
  }

  /** Queue `f` after the buffered rows and every earlier write. */
  private then<T>(f: () => Promise<T>): Promise<T> {
    const rows = this.takeRows();
    const run = async () => {
      this.check();
      for (const w of rows) await this.platform.writeRun(this.need(), w);
      return f();
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch((e) => void (this.failure ??= e));
    return p;
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  private need(): string {
    if (!this.runId) throw new Error('the run is created when the session is ready');
    return this.runId;
  }
}

// The run recorder's sink in the app (engine/run/recorder.ts RunSink): every write goes through the Platform
// (createRun, writeRun, writeCheckpoint), which stores it with the same run-file code the CLI uses, so an app run's
// directory reads exactly like a CLI run's.
//
// One gap in the Platform contract: a rollback step must be >= 0, while a run that resumes without any checkpoint
// starts over (the recorder asks for step -1: drop everything). Rolling back to 0 keeps the step-0 evaluation of the
// first attempt; the restarted session evaluates step 0 again, and that row is not appended twice (skipped below).
import type { PlatformApi, RunWrite } from '../../engine/contracts/platform';
import type { ProbeReport } from '../../engine/contracts/reports';
import type { MetricsRow, RoutingRow, RunSpecFile, RunSummary } from '../../engine/contracts/run-files';
import type { RunSink } from '../../engine/run/recorder';

type Rows = Extract<RunWrite, { kind: 'metrics' }>['rows'];
const rowKey = (r: { step: number; split?: string }) => `${r.split ?? 'train'}@${r.step}`;

export class PlatformSink implements RunSink {
  /** Rows kept by a restart (rollback to 0) that the new session will report again: not appended twice. */
  private keptAtZero = new Set<string>();

  /** `runId`: the run to continue (resume); none for a new run (create() names it). */
  constructor(
    private readonly platform: PlatformApi,
    private runId: string | null = null,
  ) {}

  /** The run's id (null until a new run is created). */
  get id(): string | null {
    return this.runId;
  }

  async create(file: RunSpecFile): Promise<void> {
    if (this.runId) throw new Error(`run "${this.runId}" exists already: resume it instead`);
    const { id } = await this.platform.createRun(file.spec.name, file as unknown as Record<string, unknown>);
    this.runId = id;
  }

  async resume(step: number): Promise<MetricsRow[]> {
    const id = this.need();
    await this.platform.claimRun(id); // the caller claimed it already: this holder may claim again
    await this.platform.writeRun(id, { kind: 'rollback', step: Math.max(0, step) });
    const kept = (await this.platform.readRun(id, { metricsOffset: 0, routingOffset: 0 })).metrics as MetricsRow[];
    this.keptAtZero = new Set(step < 0 ? kept.map(rowKey) : []);
    return kept;
  }

  async appendMetrics(rows: MetricsRow[]): Promise<void> {
    let fresh = rows;
    if (this.keptAtZero.size) {
      fresh = rows.filter((r) => !(r.step === 0 && this.keptAtZero.has(rowKey(r))));
      if (rows.some((r) => r.step > 0)) this.keptAtZero.clear();
    }
    if (fresh.length) await this.platform.writeRun(this.need(), { kind: 'metrics', rows: fresh as unknown as Rows });
  }

  async appendRouting(rows: RoutingRow[]): Promise<void> {
    await this.platform.writeRun(this.need(), { kind: 'routing', rows: rows as unknown as Rows });
  }

  async writeProbe(step: number, report: ProbeReport): Promise<void> {
    await this.platform.writeRun(this.need(), {
      kind: 'probe',
      step,
      report: report as unknown as Record<string, unknown>,
    });
  }

  async writeCheckpoint(step: number, bytes: Uint8Array): Promise<string> {
    const id = this.need();
    await this.platform.writeCheckpoint(id, step, bytes);
    return `runs/${id}/checkpoints/${step}.safetensors`;
  }

  /** summary.json with summary.md and loss.svg. An interrupted run (null) writes nothing: the Platform stores the
   *  report files only with a summary, and a closed page could not wait for them anyway. */
  async writeSummary(summary: RunSummary | null, markdown: string, svg: string): Promise<void> {
    if (!summary) return;
    await this.platform.writeRun(this.need(), {
      kind: 'summary',
      summary: summary as unknown as Record<string, unknown>,
      markdown,
      svg,
    });
  }

  async release(): Promise<void> {
    if (this.runId) await this.platform.writeRun(this.runId, { kind: 'release' });
  }

  private need(): string {
    if (!this.runId) throw new Error('the run is created when the session is ready');
    return this.runId;
  }
}

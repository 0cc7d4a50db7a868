// The run recorder's sink on a local disk: engine/run/recorder.ts RunSink over RunDir (the one implementation of
// the run files). A new run's directory is created only when the session is ready (spec valid, data loaded,
// backend up, model built), so a run that fails before that leaves nothing behind.
import type { MetricsRow, RoutingRow, RunSpecFile, RunSummary, WriterKind } from '../contracts/run-files';
import type { ProbeReport } from '../contracts/reports';
import type { RunSink } from '../run/recorder';
import { RunDir, RunDirError, type RunDirOptions } from './rundir';

export interface RunDirSinkOptions extends RunDirOptions {
  kind: WriterKind;
  /** Messages about what a resume dropped. */
  log?: (message: string) => void;
}

export class RunDirSink implements RunSink {
  private dir: RunDir | null;

  /** `target`: the runs root a new run goes under, or the RunDir of a run to continue. */
  constructor(
    private readonly target: string | RunDir,
    private readonly opts: RunDirSinkOptions,
  ) {
    this.dir = typeof target === 'string' ? null : target;
  }

  /** The run directory (null until a new run is created). */
  get run(): RunDir | null {
    return this.dir;
  }

  async create(file: RunSpecFile): Promise<void> {
    if (typeof this.target !== 'string') throw new RunDirError(`${this.target.dir} exists: resume it instead`);
    const run = RunDir.createNew(this.target, file.spec.name, this.opts);
    run.claim(this.opts.kind);
    run.writeSpec(file);
    this.dir = run;
  }

  async resume(step: number): Promise<MetricsRow[]> {
    const run = this.need();
    run.claim(this.opts.kind);
    const r = run.rollBack(step);
    const say = this.opts.log ?? (() => {});
    if (r.removedTemp.length) say(`removed ${r.removedTemp.length} stale temp file(s): ${r.removedTemp.join(', ')}`);
    if (r.droppedMetrics || r.droppedRouting)
      say(
        `dropped ${r.droppedMetrics} metrics and ${r.droppedRouting} routing row(s) ` +
          (step < 0 ? 'to start over' : `after step ${step}`),
      );
    return r.metrics as MetricsRow[];
  }

  async appendMetrics(rows: MetricsRow[]): Promise<void> {
    this.need().appendMetricsRows(rows);
  }

  async appendRouting(rows: RoutingRow[]): Promise<void> {
    this.need().appendRoutingRows(rows);
  }

  async writeProbe(step: number, report: ProbeReport): Promise<void> {
    this.need().writeProbe(step, report);
  }

  async writeCheckpoint(step: number, bytes: Uint8Array): Promise<string> {
    return this.need().writeCheckpoint(step, bytes);
  }

  async writeSummary(summary: RunSummary | null, markdown: string, svg: string): Promise<void> {
    const run = this.need();
    if (summary) run.writeSummary(summary);
    run.writeReport(markdown, svg);
  }

  async release(): Promise<void> {
    this.dir?.release();
  }

  private need(): RunDir {
    if (!this.dir) throw new RunDirError('the run directory is created when the session is ready');
    return this.dir;
  }
}

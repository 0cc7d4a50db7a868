// Records a run: the training session's events (engine/protocol.ts) in, the run directory of DESIGN 2.2 out,
// through a RunSink. One recorder for the CLI (sink: engine/node/run-sink.ts over RunDir) and the app (sink: the
// Platform's createRun/writeRun/writeCheckpoint), so both write the same files.
//   ready       -> a new run: spec.json (RunSpecFile); a resumed one: rolled back to its checkpoint step
//   metrics     -> metrics.jsonl train rows (stepRows: the same numbers whoever records)
//   eval        -> metrics.jsonl validation rows        (periodic ones; answers to an `evaluate` request are not rows)
//   routing     -> routing.jsonl                         (periodic ones)
//   probe       -> probes/<step>.json                    (periodic ones)
//   checkpoint  -> checkpoints/<step>.safetensors        (periodic and requested)
//   finished / state stopped / fatal failed -> summary.json (complete / stopped / failed), summary.md, loss.svg
//   interrupt() -> summary.md and loss.svg only (no summary.json: the run is resumable and shows as interrupted)
// Writes go out one at a time in arrival order, which the session makes step order; while the sink is busy the
// rows that arrive are queued and coalesced into one append. Nothing waits longer than the sink takes: a closed
// app window loses only what was in flight (the session sends metrics at least every 50 ms while training).
// After a sink error nothing more is written; flush() rejects with that error. One recorder per session init: to
// go on after a failure (e.g. a lost GPU: init again from the last checkpoint), record with a new recorder whose
// `resume` is this run's spec.json.
import type { EvalReport, ProbeReport, StepReport } from '../contracts/reports';
import type { MetricsRow, RoutingRow, RunSpecFile, RunStatus, RunSummary } from '../contracts/run-files';
import { type FailedEvent, type WorkerEvent, unreachable } from '../protocol';
import { stepRows } from '../session-metrics';
import { evalBeforeTraining } from './plan';
import { buildSummary, lossCurveSvg, summaryMarkdown, type RunEnd } from './summary';

/** Where a run's files go. Every method resolves once the write is durable enough for the host (Node: on disk). */
export interface RunSink {
  /** A new run: create it, claim it for this writer, write spec.json. */
  create(file: RunSpecFile): Promise<void>;
  /** Continue a run: claim it, then drop every row, probe, checkpoint and summary after `step` (all of them for
   *  -1). Resolves with the metrics rows kept. */
  resume(step: number): Promise<MetricsRow[]>;
  appendMetrics(rows: MetricsRow[]): Promise<void>;
  appendRouting(rows: RoutingRow[]): Promise<void>;
  writeProbe(step: number, report: ProbeReport): Promise<void>;
  /** Resolves with where the checkpoint went (a path, for messages). */
  writeCheckpoint(step: number, bytes: Uint8Array): Promise<string>;
  /** summary.json (null: none, the run was interrupted), summary.md and loss.svg. */
  writeSummary(summary: RunSummary | null, markdown: string, svg: string): Promise<void>;
  /** This writer is done with the run: release its claim. */
  release(): Promise<void>;
}

export interface RecorderOptions {
  /** Continue this run (its spec.json): roll it back to the step the session starts at. */
  resume?: RunSpecFile;
  /** For spec.json of a new run (the CLI passes them; the app none). */
  command?: string;
  commit?: string;
  /** Clock for createdAt (tests). */
  now?: () => Date;
  onWarning?: (message: string) => void;
  /** The first sink error (nothing more is written after it). */
  onError?: (e: unknown) => void;
}

type Op =
  | { kind: 'metrics'; rows: MetricsRow[] }
  | { kind: 'routing'; rows: RoutingRow[] }
  | { kind: 'task'; run: () => Promise<void> };

export class RunRecorder {
  /** spec.json of the run (set on ready). */
  file: RunSpecFile | null = null;
  /** The newest checkpoint written: its step and where it went. */
  lastCheckpoint: { step: number; path: string } | null = null;
  /** How the run ended, once its summary is written (null while it goes on). */
  ended: RunStatus | null = null;
  private closing = false; // an end (or interrupt) was consumed: later ends are ignored
  private lastTrain: StepReport | null = null;
  private lastVal: EvalReport | null = null;
  private at = { step: 0, tokens: 0, timeS: 0 };
  private backend = ''; // the session's, from ready
  private trainCurve: [number, number][] = [];
  private valCurve: [number, number][] = [];
  private ops: Op[] = [];
  private draining: Promise<void> | null = null;
  private error: unknown = null;

  constructor(
    private readonly sink: RunSink,
    private readonly opts: RecorderOptions = {},
  ) {}

  /** Take one event of the session (in the order it came). */
  consume(ev: WorkerEvent): void {
    switch (ev.type) {
      case 'ready': {
        this.backend = ev.backend;
        if (this.opts.resume) {
          this.file = this.opts.resume;
          const step = evalBeforeTraining(ev.step) ? -1 : ev.step; // a run resumed at step 0 starts over
          this.task(async () => this.note(await this.sink.resume(step)));
        } else {
          const file: RunSpecFile = {
            spec: ev.spec,
            engineVersion: ev.engineVersion,
            backend: { name: ev.backend, adapter: ev.adapter },
            dataset: ev.dataset,
            vocabSize: ev.vocab,
            createdAt: (this.opts.now?.() ?? new Date()).toISOString(),
            ...(this.opts.command ? { command: this.opts.command } : {}),
            ...(this.opts.commit ? { commit: this.opts.commit } : {}),
          };
          this.file = file;
          this.task(() => this.sink.create(file));
        }
        return;
      }
      case 'metrics':
        return this.enqueue({ kind: 'metrics', rows: stepRows(ev) });
      case 'eval':
        if (ev.requestId === undefined) this.enqueue({ kind: 'metrics', rows: [ev.report] });
        return;
      case 'routing':
        if (ev.requestId === undefined) this.enqueue({ kind: 'routing', rows: [ev.report] });
        return;
      case 'probe':
        if (ev.requestId === undefined) this.task(() => this.sink.writeProbe(ev.report.step, ev.report));
        return;
      case 'checkpoint': {
        const { step, bytes } = ev;
        this.task(async () => {
          this.lastCheckpoint = { step, path: await this.sink.writeCheckpoint(step, bytes) };
        });
        return;
      }
      case 'finished':
        return this.end(() => ({ status: 'complete', step: ev.step, tokens: ev.tokens, timeS: ev.time_s }));
      case 'state':
        if (ev.state === 'stopped') this.end(() => ({ status: 'stopped', ...this.at, step: ev.step }));
        return;
      case 'failed':
        if (ev.fatal) this.end(() => this.failure(ev));
        return;
      case 'warning':
        this.opts.onWarning?.(ev.message);
        return;
      case 'tokens': // answers to requests: not part of the run's record
      case 'atlas':
      case 'trace':
      case 'disposed':
      case 'ack':
        return;
      default:
        return unreachable(ev);
    }
  }

  /** The run stops without ending (Ctrl-C, a closed window): summary.md (with `notes`, e.g. how to resume) and
   *  loss.svg, no summary.json, claim released. Resolves when everything is written. */
  async interrupt(notes: string[] = []): Promise<void> {
    if (!this.closing && this.file) {
      this.closing = true;
      const file = this.file;
      this.task(() => {
        this.ended = 'interrupted';
        const s = {
          ...buildSummary(file, { status: 'stopped', backend: this.backend, ...this.at }, this.last()),
          status: 'interrupted' as const,
        };
        const svg = lossCurveSvg(file.spec.name, this.trainCurve, this.valCurve);
        return this.sink.writeSummary(null, summaryMarkdown(file, s, { notes }), svg);
      });
      this.task(() => this.sink.release());
    }
    return this.flush();
  }

  /** Resolves when everything consumed so far is written; rejects with the sink's first error. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
    if (this.error) throw this.error;
  }

  private failure(ev: FailedEvent): Omit<RunEnd, 'backend'> {
    const step = ev.step ?? this.at.step;
    const error = { reason: ev.reason, message: ev.error.message, step: ev.step ?? null };
    return { status: 'failed', ...this.at, step, error };
  }

  /** The run ended: summary.json, summary.md and loss.svg, built when the writes before them are done (a resumed
   *  run's earlier rows are known by then), then the claim goes. */
  private end(end: () => Omit<RunEnd, 'backend'>): void {
    if (this.closing || !this.file) return;
    this.closing = true;
    const file = this.file;
    this.task(() => {
      const e: RunEnd = { ...end(), backend: this.backend };
      this.ended = e.status;
      const summary = buildSummary(file, e, this.last());
      const svg = lossCurveSvg(file.spec.name, this.trainCurve, this.valCurve);
      return this.sink.writeSummary(summary, summaryMarkdown(file, summary), svg);
    });
    this.task(() => this.sink.release());
  }

  private last() {
    return { train: this.lastTrain, val: this.lastVal };
  }

  /** Keep what the summary and the loss curve need of the rows written (and of a resumed run's earlier rows). */
  private note(rows: MetricsRow[]): void {
    for (const r of rows)
      if (r.split === 'train') {
        this.lastTrain = r;
        this.at = { step: r.step, tokens: r.tokens, timeS: r.time_s };
        this.trainCurve.push([r.step, r.loss]);
      } else {
        this.lastVal = r;
        this.valCurve.push([r.step, r.loss]);
      }
  }

  private task(run: () => Promise<void>): void {
    this.enqueue({ kind: 'task', run });
  }

  private enqueue(op: Op): void {
    if (this.error) return;
    this.ops.push(op);
    this.draining ??= this.drain();
  }

  /** Run the queued writes one at a time; rows that queued up behind a slow write go out as one append. */
  private async drain(): Promise<void> {
    try {
      while (this.ops.length && !this.error) {
        const op = this.ops.shift()!;
        if (op.kind === 'task') await op.run();
        else if (op.kind === 'metrics') {
          const rows = [...op.rows];
          while (this.ops[0]?.kind === 'metrics') rows.push(...(this.ops.shift() as typeof op).rows);
          this.note(rows);
          await this.sink.appendMetrics(rows);
        } else {
          const rows = [...op.rows];
          while (this.ops[0]?.kind === 'routing') rows.push(...(this.ops.shift() as typeof op).rows);
          await this.sink.appendRouting(rows);
        }
      }
    } catch (e) {
      this.error = e;
      this.ops = [];
      this.opts.onError?.(e);
    } finally {
      this.draining = null;
    }
  }
}

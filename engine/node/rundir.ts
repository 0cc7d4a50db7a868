// The run directory (DESIGN 2.2), written by the CLI and the app alike (row types: engine/contracts/run-files.ts):
//   runs/<run-id>/spec.json                       resolved spec + engine version + backend
//   runs/<run-id>/metrics.jsonl                   append-only, one record per line
//   runs/<run-id>/routing.jsonl                   append-only routing statistics
//   runs/<run-id>/probes/<step>.json              attention maps / selection scores on the probe text
//   runs/<run-id>/checkpoints/<step>.safetensors  weights + optimizer state
//   runs/<run-id>/summary.json                    final metrics; `status`: complete, failed or stopped
// and, in addition to DESIGN 2.2:
//   runs/<run-id>/summary.md, loss.svg            a readable summary and the loss curve (at the end or on interrupt)
//   runs/<run-id>/writer.json                     the writer claim {pid, kind, startedAt, hostname}: present
//                                                 while a process writes the run, removed at a clean end
// How a run stands (running, interrupted, ...): run-status.ts. Run ids and paths: run-paths.ts; listing the runs:
// run-list.ts; checkpoints: run-checkpoints.ts; rolling back to a checkpoint and stale temp files: run-rollback.ts.
// JSONL is appended; everything else is written atomically. Every path stays inside the runs root.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunSummary, SummaryStatus, WriterClaim, WriterKind } from '../contracts/run-files';
import { appendJsonl, appendJsonlRows, readJson, readJsonl, writeFileAtomic } from './atomic';
import { latestCheckpoint, writeCheckpoint, type LoadedCheckpoint } from './run-checkpoints';
import { checkRunId, checkStep, makeRunId, resolveInside, RunDirError, stepsIn } from './run-paths';
import { removeStaleTempFiles, rollBack, strayTempFiles, type RollBackResult } from './run-rollback';
import { claimIsLive, describeClaim, ENDED } from './run-status';

// Ids and paths, the listing and checkpoints live in their own files; importers of the run directory get them here.
export { isRunId, makeRunId, resolveInside, RunDirError, sanitizeRunName } from './run-paths';
export { listRuns, type RunInfo } from './run-list';
export type { LoadedCheckpoint } from './run-checkpoints';

// The status functions live in run-status.ts; importers of the run directory get them here too.
export {
  claimIsLive,
  describeClaim,
  FOREIGN_CLAIM_FRESH_MS,
  processIsAlive,
  runStatus,
  statusOf,
  type ClaimLiveness,
} from './run-status';

export interface RunDirOptions {
  /** How many checkpoints writeCheckpoint keeps (the newest by step). Default 3. */
  keepCheckpoints?: number;
}

/** What a run's status follows from (see runStatus); the web host caches it while the run's files are unchanged. */
export interface RunState {
  /** How summary.json says the run ended (complete when it names no status), or null without a readable one. */
  ended: SummaryStatus | null;
  claim: WriterClaim | null;
  /** The newest modification of metrics.jsonl, routing.jsonl, checkpoints/ or writer.json (ms; 0: none). */
  lastWriteMs: number;
}

export class RunDir {
  readonly keepCheckpoints: number;

  private constructor(
    readonly runsRoot: string,
    readonly id: string,
    readonly dir: string,
    opts: RunDirOptions,
  ) {
    const keep = opts.keepCheckpoints ?? 3;
    if (!Number.isSafeInteger(keep) || keep < 1)
      throw new RunDirError(`keepCheckpoints must be an integer >= 1, got ${keep}`);
    this.keepCheckpoints = keep;
  }

  /** Create `runsRoot/runId` (and the root if needed). Fails if the run already exists. */
  static create(runsRoot: string, runId: string, opts: RunDirOptions = {}): RunDir {
    checkRunId(runId);
    const dir = resolveInside(runsRoot, runId);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new RunDirError(`run directory ${dir} already exists`);
      throw e;
    }
    return new RunDir(path.resolve(runsRoot), runId, dir, opts);
  }

  /** Create a run named `<yyyymmdd-hhmmss>-<name>`, adding -2, -3, ... if that id is taken. */
  static createNew(runsRoot: string, name: string, opts: RunDirOptions = {}, date: Date = new Date()): RunDir {
    const base = makeRunId(name, date);
    for (let i = 1; ; i++) {
      const id = i === 1 ? base : `${base}-${i}`;
      if (!fs.existsSync(resolveInside(runsRoot, id))) return RunDir.create(runsRoot, id, opts);
    }
  }

  /** Open an existing run: `open(dir)` or `open(runsRoot, runId)`. */
  static open(dirOrRoot: string, runId?: string, opts: RunDirOptions = {}): RunDir {
    const root = runId === undefined ? path.dirname(path.resolve(dirOrRoot)) : path.resolve(dirOrRoot);
    const id = runId ?? path.basename(path.resolve(dirOrRoot));
    checkRunId(id);
    const dir = resolveInside(root, id);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
      throw new RunDirError(`run directory ${dir} does not exist`);
    return new RunDir(root, id, dir, opts);
  }

  // ---- paths ----
  get specPath(): string {
    return path.join(this.dir, 'spec.json');
  }
  get metricsPath(): string {
    return path.join(this.dir, 'metrics.jsonl');
  }
  get routingPath(): string {
    return path.join(this.dir, 'routing.jsonl');
  }
  get summaryPath(): string {
    return path.join(this.dir, 'summary.json');
  }
  get summaryMarkdownPath(): string {
    return path.join(this.dir, 'summary.md');
  }
  get lossSvgPath(): string {
    return path.join(this.dir, 'loss.svg');
  }
  get writerPath(): string {
    return path.join(this.dir, 'writer.json');
  }
  get probesDir(): string {
    return path.join(this.dir, 'probes');
  }
  get checkpointsDir(): string {
    return path.join(this.dir, 'checkpoints');
  }
  probePath(step: number): string {
    checkStep(step, 'probe');
    return path.join(this.probesDir, `${step}.json`);
  }
  checkpointPath(step: number): string {
    checkStep(step, 'checkpoint');
    return path.join(this.checkpointsDir, `${step}.safetensors`);
  }

  // ---- spec, summary ----
  writeSpec(spec: unknown): void {
    writeFileAtomic(this.specPath, JSON.stringify(spec, null, 2) + '\n');
  }
  readSpec<T = unknown>(): T {
    return readJson<T>(this.specPath);
  }
  writeSummary(summary: unknown): void {
    writeFileAtomic(this.summaryPath, JSON.stringify(summary, null, 2) + '\n');
  }
  /** The summary, or null while the run has not finished. */
  readSummary<T = unknown>(): T | null {
    return fs.existsSync(this.summaryPath) ? readJson<T>(this.summaryPath) : null;
  }
  /** summary.md and loss.svg (engine/run/summary.ts builds them); a part left undefined is not written. */
  writeReport(markdown: string | undefined, svg: string | undefined): void {
    if (markdown !== undefined) writeFileAtomic(this.summaryMarkdownPath, markdown);
    if (svg !== undefined) writeFileAtomic(this.lossSvgPath, svg);
  }
  /** How summary.json says the run ended, or null when there is none (an unreadable one counts as none). */
  readEnd(): SummaryStatus | null {
    let summary: Partial<RunSummary> | null = null;
    try {
      summary = this.readSummary<Partial<RunSummary>>();
    } catch {
      return null;
    }
    if (!summary) return null;
    return ENDED.includes(summary.status as SummaryStatus) ? (summary.status as SummaryStatus) : 'complete';
  }

  // ---- the writer claim ----
  /** Claim the run for this process (replacing a stale claim). Throws while another live process holds it. */
  claim(kind: WriterKind): WriterClaim {
    const held = this.readClaim();
    if (held && held.pid !== process.pid && claimIsLive(held, this.lastWriteMs()))
      throw new RunDirError(`${this.dir} is ${describeClaim(held)}`);
    const claim: WriterClaim = { pid: process.pid, kind, startedAt: new Date().toISOString(), hostname: os.hostname() };
    writeFileAtomic(this.writerPath, JSON.stringify(claim, null, 2) + '\n');
    return claim;
  }
  /** Give up this process's claim (a clean end). */
  release(): void {
    if (this.readClaim()?.pid === process.pid) fs.rmSync(this.writerPath, { force: true });
  }
  /** writer.json, or null when there is none or it is unreadable (a claim nobody can honour). */
  readClaim(): WriterClaim | null {
    try {
      const c = JSON.parse(fs.readFileSync(this.writerPath, 'utf8')) as WriterClaim;
      return c && typeof c === 'object' && Number.isSafeInteger(c.pid) ? c : null;
    } catch {
      return null;
    }
  }

  /** The newest modification of what a writer keeps touching: metrics.jsonl, routing.jsonl, checkpoints/ (a new
   *  checkpoint renamed into it) and writer.json (a fresh claim); 0 when none exists. */
  lastWriteMs(): number {
    const paths = [this.metricsPath, this.routingPath, this.checkpointsDir, this.writerPath];
    return Math.max(0, ...paths.map((p) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  }

  /** What the run's status follows from (runStatus, statusOf). */
  state(): RunState {
    return { ended: this.readEnd(), claim: this.readClaim(), lastWriteMs: this.lastWriteMs() };
  }

  /**
   * Bring the run back to the state of step `step` (a resume from that step's checkpoint): rows after it, probes,
   * checkpoints after it, the summary and stray temp files of dead writers go; -1 drops every row, probe and
   * checkpoint (a restart from scratch). Returns the metrics rows kept and what was dropped (run-rollback.ts).
   */
  rollBack(step: number): RollBackResult {
    return rollBack(this, step);
  }

  // ---- JSONL streams ----
  appendMetrics(record: object): void {
    appendJsonl(this.metricsPath, record);
  }
  appendMetricsRows(rows: object[]): void {
    appendJsonlRows(this.metricsPath, rows);
  }
  readMetrics<T = unknown>(): T[] {
    return fs.existsSync(this.metricsPath) ? readJsonl<T>(this.metricsPath) : [];
  }
  appendRouting(record: object): void {
    appendJsonl(this.routingPath, record);
  }
  appendRoutingRows(rows: object[]): void {
    appendJsonlRows(this.routingPath, rows);
  }
  readRouting<T = unknown>(): T[] {
    return fs.existsSync(this.routingPath) ? readJsonl<T>(this.routingPath) : [];
  }

  // ---- probes ----
  writeProbe(step: number, probe: unknown): void {
    const file = this.probePath(step);
    fs.mkdirSync(this.probesDir, { recursive: true });
    writeFileAtomic(file, JSON.stringify(probe));
  }
  readProbe<T = unknown>(step: number): T {
    return readJson<T>(this.probePath(step));
  }
  listProbes(): number[] {
    return stepsIn(this.probesDir, '.json');
  }

  // ---- checkpoints ----
  /** Write a checkpoint atomically, then delete the oldest so that `keepCheckpoints` remain. Returns its path. */
  writeCheckpoint(step: number, bytes: Uint8Array): string {
    return writeCheckpoint(this, step, bytes);
  }
  /** Steps that have a checkpoint file, ascending. */
  listCheckpoints(): number[] {
    return stepsIn(this.checkpointsDir, '.safetensors');
  }
  /**
   * The newest checkpoint that decodes, or null. Files that fail to decode are skipped; each skip
   * adds a line to `warnings` saying which file and why.
   */
  latestCheckpoint(): { checkpoint: LoadedCheckpoint | null; warnings: string[] } {
    return latestCheckpoint(this);
  }

  /** Temp files of atomic writes in this run: in progress, or left behind by a process that was killed. */
  strayTempFiles(): string[] {
    return strayTempFiles(this);
  }

  /**
   * Delete temp files whose writing process is no longer running (call when resuming a run). Files of a
   * live writer, e.g. a CLI run the app is watching, are left alone. Returns the deleted paths.
   */
  removeStaleTempFiles(): string[] {
    return removeStaleTempFiles(this);
  }
}

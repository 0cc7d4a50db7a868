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
// How a run stands (running, interrupted, ...): run-status.ts.
// JSONL is appended; everything else is written atomically. Every path stays inside the runs root.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunSummary, SummaryStatus, WriterClaim, WriterKind } from '../contracts/run-files';
import { CheckpointError, decodeSafetensors, type TensorEntry } from '../safetensors';
import {
  TEMP_PREFIX,
  appendJsonl,
  appendJsonlRows,
  readJson,
  readJsonl,
  tempFileWriterPid,
  writeFileAtomic,
} from './atomic';
import { claimIsLive, describeClaim, ENDED, processIsAlive } from './run-status';

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

export class RunDirError extends Error {
  override name = 'RunDirError';
}

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Is `name` a valid run id (a folder name under the runs root)? */
export const isRunId = (name: string): boolean => RUN_ID.test(name);

/** A run name reduced to [A-Za-z0-9._-], no leading dot or dash, at most 64 characters; 'run' if nothing is left. */
export function sanitizeRunName(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+/, '')
    .slice(0, 64)
    .replace(/[-.]+$/, '');
  return s || 'run';
}

/** `<yyyymmdd-hhmmss>-<name>`, time in UTC, name sanitised. */
export function makeRunId(name: string, date: Date = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}-` +
    `${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
  return `${stamp}-${sanitizeRunName(name)}`;
}

/** Resolve `parts` under `root` and refuse anything that would land outside it (../, absolute paths). */
export function resolveInside(root: string, ...parts: string[]): string {
  const base = path.resolve(root);
  const full = path.resolve(base, ...parts);
  const rel = path.relative(base, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new RunDirError(`path '${path.join(...parts)}' is outside the runs root ${base}`);
  }
  return full;
}

function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new RunDirError(
      `invalid run id '${runId}': use letters, digits, '.', '_' and '-' only (no '/', no leading '.'), at most 128 characters`,
    );
  }
}

function checkStep(step: number, what: string): void {
  if (!Number.isSafeInteger(step) || step < 0)
    throw new RunDirError(`${what} step must be a non-negative integer, got ${step}`);
}

/** Steps of the files `<step><ext>` in `dir`, ascending; temp files and anything else are ignored. */
function stepsIn(dir: string, ext: string): number[] {
  if (!fs.existsSync(dir)) return [];
  const re = new RegExp(`^(\\d+)${ext.replace('.', '\\.')}$`);
  return fs
    .readdirSync(dir)
    .map((f) => re.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export interface RunDirOptions {
  /** How many checkpoints writeCheckpoint keeps (the newest by step). Default 3. */
  keepCheckpoints?: number;
}

export interface LoadedCheckpoint {
  step: number;
  path: string;
  tensors: Record<string, TensorEntry>;
  metadata: Record<string, string>;
}

/** What a run's status follows from (see runStatus); the web host caches it while the run's files are unchanged. */
export interface RunState {
  /** How summary.json says the run ended (complete when it names no status), or null without a readable one. */
  ended: SummaryStatus | null;
  claim: WriterClaim | null;
  /** The newest modification of metrics.jsonl, routing.jsonl, checkpoints/ or writer.json (ms; 0: none). */
  lastWriteMs: number;
}

export interface RunInfo {
  id: string;
  dir: string;
  hasSummary: boolean;
  /** Last modification of metrics.jsonl (or spec.json), ms since the epoch. */
  updatedMs: number;
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
   * checkpoint (a restart from scratch). Returns the metrics rows kept and what was dropped.
   */
  rollBack(step: number): { metrics: object[]; droppedMetrics: number; droppedRouting: number; removedTemp: string[] } {
    const removedTemp = this.removeStaleTempFiles();
    const kept = (file: string, rows: object[]) => {
      const keep = rows.filter((r) => ((r as { step?: unknown }).step as number) <= step);
      // rewritten only when rows go (a torn last line is repaired by the next append): watchers keep their offsets
      if (keep.length < rows.length) writeFileAtomic(file, keep.map((r) => JSON.stringify(r) + '\n').join(''));
      return { keep, dropped: rows.length - keep.length };
    };
    const m = kept(this.metricsPath, this.readMetrics<object>());
    const r = kept(this.routingPath, this.readRouting<object>());
    for (const p of this.listProbes()) if (p > step) fs.rmSync(this.probePath(p), { force: true });
    for (const c of this.listCheckpoints()) if (c > step) fs.rmSync(this.checkpointPath(c), { force: true });
    for (const f of [this.summaryPath, this.summaryMarkdownPath, this.lossSvgPath]) fs.rmSync(f, { force: true });
    return { metrics: m.keep, droppedMetrics: m.dropped, droppedRouting: r.dropped, removedTemp };
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
    const file = this.checkpointPath(step);
    fs.mkdirSync(this.checkpointsDir, { recursive: true });
    writeFileAtomic(file, bytes);
    const old = this.listCheckpoints().filter((s) => s !== step);
    for (const s of old.slice(0, Math.max(0, old.length - (this.keepCheckpoints - 1)))) {
      fs.rmSync(this.checkpointPath(s), { force: true });
    }
    return file;
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
    const warnings: string[] = [];
    for (const step of this.listCheckpoints().reverse()) {
      const file = this.checkpointPath(step);
      try {
        const { tensors, metadata } = decodeSafetensors(fs.readFileSync(file), `checkpoint ${file}`);
        return { checkpoint: { step, path: file, tensors, metadata }, warnings };
      } catch (e) {
        if (!(e instanceof CheckpointError) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        warnings.push(`skipped ${(e as Error).message}`);
      }
    }
    return { checkpoint: null, warnings };
  }

  /** Temp files of atomic writes in this run: in progress, or left behind by a process that was killed. */
  strayTempFiles(): string[] {
    return [this.dir, this.probesDir, this.checkpointsDir]
      .filter((d) => fs.existsSync(d))
      .flatMap((d) =>
        fs
          .readdirSync(d)
          .filter((f) => f.startsWith(TEMP_PREFIX))
          .map((f) => path.join(d, f)),
      );
  }

  /**
   * Delete temp files whose writing process is no longer running (call when resuming a run). Files of a
   * live writer, e.g. a CLI run the app is watching, are left alone. Returns the deleted paths.
   */
  removeStaleTempFiles(): string[] {
    const stale = this.strayTempFiles().filter((f) => {
      const pid = tempFileWriterPid(f);
      return pid === null || !processIsAlive(pid);
    });
    for (const f of stale) fs.rmSync(f, { force: true });
    return stale;
  }
}

/** Runs under `runsRoot` (directories with a valid run id and a spec.json), newest id first. */
export function listRuns(runsRoot: string): RunInfo[] {
  const root = path.resolve(runsRoot);
  if (!fs.existsSync(root)) return [];
  const runs: RunInfo[] = [];
  for (const ent of fs.readdirSync(root, { withFileTypes: true })) {
    if (!ent.isDirectory() || !isRunId(ent.name)) continue;
    const dir = path.join(root, ent.name);
    const spec = path.join(dir, 'spec.json');
    if (!fs.existsSync(spec)) continue;
    const metrics = path.join(dir, 'metrics.jsonl');
    const updatedMs = fs.statSync(fs.existsSync(metrics) ? metrics : spec).mtimeMs;
    runs.push({ id: ent.name, dir, hasSummary: fs.existsSync(path.join(dir, 'summary.json')), updatedMs });
  }
  return runs.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

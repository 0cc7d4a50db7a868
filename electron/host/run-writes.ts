// Writing app runs: a page creates a run (spec.json + a writer claim), or claims an interrupted one to resume it,
// then streams its events here: metrics and routing rows (appended), probes, the summary (+ summary.md, loss.svg),
// a rollback to a checkpoint's step, checkpoints (the newest N kept), and finally a release. Only the page that
// holds the claim may write. Every file goes through engine/node/rundir.ts (RunDir) and engine/node/atomic.ts,
// the same code the CLI writes its runs with.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunListing, RunWrite } from '../../engine/contracts/platform';
import { writeFileAtomic } from '../../engine/node/atomic';
import { RunDir } from '../../engine/node/rundir';
import { CheckpointError, decodeSafetensors } from '../../engine/safetensors';
import { parseSpec } from '../../engine/spec';
import type { AppClaims } from './app-claims';
import { conflict, invalid } from './errors';
import { readWriterClaim, removeWriterClaim, runStatus, writeWriterClaim } from './run-status';
import type { RunStore } from './workspace-runs';
import type { WorkspacePaths } from './workspace-paths';

export const SUMMARY_MD = 'summary.md';
export const LOSS_SVG = 'loss.svg';

export class RunWriter {
  constructor(
    private readonly paths: WorkspacePaths,
    private readonly runs: RunStore,
    private readonly claims: AppClaims,
    private readonly keepCheckpoints = 3,
  ) {}

  /** A new app run named after `name`: writes spec.json as given (its `spec` must be a valid spec) and claims it. */
  create(name: string, specFile: Record<string, unknown>, clientId: string): { id: string } {
    if (!specFile.spec || typeof specFile.spec !== 'object')
      throw invalid('createRun: the spec file has no "spec" object');
    try {
      parseSpec(specFile.spec);
    } catch (e) {
      throw invalid(`createRun: spec.${(e as Error).message}`);
    }
    this.paths.checkReal(this.paths.runsDir, 'runs');
    const run = RunDir.createNew(this.paths.runsDir, name);
    run.writeSpec(specFile);
    writeWriterClaim(run.dir, 'app');
    this.claims.setOwner(run.id, clientId);
    return { id: run.id };
  }

  /** Take over an interrupted (or failed) run to continue it; Conflict while a live writer holds it. */
  claim(id: string, clientId: string): RunListing {
    const dir = this.runs.dir(id);
    const status = runStatus(dir, (rid) => this.claims.ownerLive(rid));
    if (status === 'running' && !this.holds(dir, id, clientId)) throw conflict(`run "${id}" is ${holder(dir)}`);
    if (status === 'complete' || status === 'stopped') throw conflict(`run "${id}" is ${status}; it cannot be resumed`);
    RunDir.open(this.paths.runsDir, id).removeStaleTempFiles();
    writeWriterClaim(dir, 'app');
    this.claims.setOwner(id, clientId);
    return this.runs.listing(id);
  }

  write(id: string, w: RunWrite, clientId: string): void {
    const run = this.owned(id, clientId);
    switch (w.kind) {
      case 'metrics':
        for (const row of w.rows) run.appendMetrics(row);
        return;
      case 'routing':
        for (const row of w.rows) run.appendRouting(row);
        return;
      case 'probe':
        run.writeProbe(w.step, w.report);
        return;
      case 'summary':
        run.writeSummary(w.summary);
        if (w.markdown !== undefined) writeFileAtomic(path.join(run.dir, SUMMARY_MD), w.markdown);
        if (w.svg !== undefined) writeFileAtomic(path.join(run.dir, LOSS_SVG), w.svg);
        return;
      case 'rollback':
        rollBack(run, w.step);
        return;
      case 'release':
        removeWriterClaim(run.dir);
        this.claims.release(id);
        return;
    }
  }

  /** Write a checkpoint (a valid safetensors file) atomically; the oldest beyond keepCheckpoints are deleted. */
  writeCheckpoint(id: string, step: number, bytes: Uint8Array, clientId: string): void {
    this.owned(id, clientId); // throws unless clientId owns the run
    try {
      decodeSafetensors(bytes, `checkpoint of step ${step}`);
    } catch (e) {
      if (e instanceof CheckpointError) throw invalid(e.message);
      throw e;
    }
    RunDir.open(this.paths.runsDir, id, { keepCheckpoints: this.keepCheckpoints }).writeCheckpoint(step, bytes);
  }

  /** The run, if `clientId` holds its claim in this host process. */
  private owned(id: string, clientId: string): RunDir {
    const dir = this.runs.dir(id);
    if (!this.holds(dir, id, clientId)) {
      const other = this.claims.owner(id) !== undefined && this.claims.owner(id) !== clientId;
      throw conflict(`run "${id}" is not claimed by this page (${other ? 'another page writes it' : holder(dir)})`);
    }
    this.claims.seen(clientId);
    return RunDir.open(this.paths.runsDir, id);
  }

  /** Does `clientId` hold the run: writer.json is this process's app claim, and this page claimed it? */
  private holds(dir: string, id: string, clientId: string): boolean {
    const claim = readWriterClaim(dir);
    return claim?.kind === 'app' && claim.pid === process.pid && this.claims.owner(id) === clientId;
  }
}

/** Who holds a run, in words. */
function holder(dir: string): string {
  const c = readWriterClaim(dir);
  if (!c) return 'not claimed by any writer';
  const who = c.kind === 'cli' ? 'the CLI' : c.kind === 'app' ? 'the app' : 'an export';
  return `being written by ${who} (pid ${c.pid} on ${c.hostname}, since ${c.startedAt})`;
}

/** Bring the run back to the state of `step` (resume): later rows, probes, checkpoints and the summary go. */
export function rollBack(run: RunDir, step: number): void {
  run.removeStaleTempFiles();
  truncateJsonl(run.metricsPath, run.readMetrics<{ step?: number }>(), step);
  truncateJsonl(run.routingPath, run.readRouting<{ step?: number }>(), step);
  for (const p of run.listProbes()) if (p > step) fs.rmSync(run.probePath(p), { force: true });
  for (const c of run.listCheckpoints()) if (c > step) fs.rmSync(run.checkpointPath(c), { force: true });
  for (const f of [run.summaryPath, path.join(run.dir, SUMMARY_MD), path.join(run.dir, LOSS_SVG)])
    fs.rmSync(f, { force: true });
}

/** Rewrite a JSONL stream atomically with the rows of step <= maxStep (a torn last line is dropped). */
function truncateJsonl(file: string, rows: { step?: number }[], maxStep: number): void {
  if (!fs.existsSync(file)) return;
  const keep = rows.filter((r) => typeof r.step === 'number' && r.step <= maxStep);
  if (keep.length === rows.length) return; // nothing to drop (a torn last line is repaired by the next append)
  writeFileAtomic(file, keep.map((r) => JSON.stringify(r) + '\n').join(''));
}

// Writing app runs: a page creates a run (a writer claim + spec.json), or claims an interrupted one to resume it,
// then streams its events here: metrics and routing rows (appended), probes, the summary (summary.json with
// summary.md and loss.svg; an interrupted run sends only the last two), a rollback to a checkpoint's step,
// checkpoints (the newest N kept), and finally a release. Only the page that holds the claim may write. Every file
// goes through engine/node/rundir.ts (RunDir), the same code the CLI writes its runs with.
import type { RunListing, RunWrite } from '../../engine/contracts/platform';
import { RunDir, describeClaim, runStatus } from '../../engine/node/rundir';
import { CheckpointError, decodeSafetensors } from '../../engine/safetensors';
import { parseSpec } from '../../engine/spec';
import type { AppClaims } from './app-claims';
import { conflict, invalid } from './errors';
import type { RunStore } from './workspace-runs';
import type { WorkspacePaths } from './workspace-paths';

export class RunWriter {
  constructor(
    private readonly paths: WorkspacePaths,
    private readonly runs: RunStore,
    private readonly claims: AppClaims,
    private readonly keepCheckpoints = 3,
  ) {}

  /** A new app run named after `name`: claims it, then writes spec.json as given (its `spec` must be valid). */
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
    run.claim('app'); // before spec.json: the listing never shows the new run without its writer
    this.claims.setOwner(run.id, clientId);
    run.writeSpec(specFile);
    return { id: run.id };
  }

  /** Take over an interrupted (or failed) run to continue it; Conflict while a live writer holds it. */
  claim(id: string, clientId: string): RunListing {
    const run = this.runs.open(id);
    const status = runStatus(run, this.claims.claimLive);
    if (status === 'running' && !this.holds(run, clientId)) throw conflict(`run "${id}" is ${holder(run)}`);
    if (status === 'complete' || status === 'stopped') throw conflict(`run "${id}" is ${status}; it cannot be resumed`);
    run.removeStaleTempFiles();
    run.claim('app');
    this.claims.setOwner(id, clientId);
    return this.runs.listing(id);
  }

  write(id: string, w: RunWrite, clientId: string): void {
    const run = this.owned(id, clientId);
    switch (w.kind) {
      case 'metrics':
        return run.appendMetricsRows(w.rows);
      case 'routing':
        return run.appendRoutingRows(w.rows);
      case 'probe':
        return run.writeProbe(w.step, w.report);
      case 'summary':
        if (w.summary) run.writeSummary(w.summary); // null: an interrupted run, only its report
        return run.writeReport(w.markdown, w.svg);
      case 'rollback':
        run.rollBack(w.step);
        return;
      case 'release':
        run.release();
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
    const run = this.runs.open(id);
    if (!this.holds(run, clientId)) {
      const other = this.claims.owner(id) !== undefined && this.claims.owner(id) !== clientId;
      throw conflict(`run "${id}" is not claimed by this page (${other ? 'another page writes it' : holder(run)})`);
    }
    this.claims.seen(clientId);
    return run;
  }

  /** Does `clientId` hold the run: writer.json is this process's app claim, and this page claimed it? */
  private holds(run: RunDir, clientId: string): boolean {
    const claim = run.readClaim();
    return claim?.kind === 'app' && claim.pid === process.pid && this.claims.owner(run.id) === clientId;
  }
}

/** Who holds a run, in words. */
function holder(run: RunDir): string {
  const c = run.readClaim();
  return c ? describeClaim(c) : 'not claimed by any writer';
}

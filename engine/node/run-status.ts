// Run status and writer claims (the claim itself is RunDir.claim()/release()/readClaim(), rundir.ts):
// runStatus(run) tells how a run stands:
//   complete | failed | stopped   summary.json says so
//   running      no summary; writer.json names a live writer: a process of this host that runs, or, for a claim
//                from another host (a cluster run, a copy of one), a run written to in the last 10 minutes
//   interrupted  neither: killed, Ctrl-C, a closed window (resumable from its newest checkpoint)
import * as os from 'node:os';
import type { RunStatus, SummaryStatus, WriterClaim } from '../contracts/run-files';
import type { RunDir, RunState } from './rundir';

/** A claim of another host counts as live while the run was written to within this many ms (10 minutes). */
export const FOREIGN_CLAIM_FRESH_MS = 10 * 60_000;

/** Who holds a claim, in words: "being written by the CLI (pid 123 on host-a, since 2025-01-01T10:00:00.000Z)". */
export function describeClaim(c: WriterClaim): string {
  const who = c.kind === 'cli' ? 'the CLI' : c.kind === 'app' ? 'the app' : 'an export';
  return `being written by ${who} (pid ${c.pid} on ${c.hostname}, since ${c.startedAt})`;
}

/**
 * Is the claim's writer still there? On this host: its process runs. A claim of another host cannot be checked
 * that way (a cluster run on shared storage, or a run copied back with its writer.json): it counts as live while
 * the run was written to within FOREIGN_CLAIM_FRESH_MS of `now` (`lastWriteMs`: RunDir.lastWriteMs()).
 */
export function claimIsLive(c: WriterClaim, lastWriteMs: number, now: number = Date.now()): boolean {
  if (c.hostname === os.hostname()) return processIsAlive(c.pid);
  return now - lastWriteMs < FOREIGN_CLAIM_FRESH_MS;
}

/** The statuses summary.json can record. */
export const ENDED: readonly SummaryStatus[] = ['complete', 'failed', 'stopped'];

/** Decides a claim the caller knows better (the web host: its own pages' app claims), or undefined: claimIsLive. */
export type ClaimLiveness = (claim: WriterClaim, runId: string) => boolean | undefined;

/** The status that `state` (RunDir.state()) means; see runStatus. */
export function statusOf(state: RunState, runId: string, isLive?: ClaimLiveness, now: number = Date.now()): RunStatus {
  if (state.ended) return state.ended;
  if (!state.claim) return 'interrupted';
  const live = isLive?.(state.claim, runId) ?? claimIsLive(state.claim, state.lastWriteMs, now);
  return live ? 'running' : 'interrupted';
}

/**
 * How a run stands (see the top of this file): summary.json's status (complete when it names none), else running
 * while a live writer holds it (claimIsLive), else interrupted. `isLive` decides for claims the caller knows better
 * (the web host: an app claim of its own process is live while the page writing it is connected).
 */
export function runStatus(run: RunDir, isLive?: ClaimLiveness): RunStatus {
  return statusOf(run.state(), run.id, isLive);
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

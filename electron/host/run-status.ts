// Who is writing a run, and the status that follows (engine/contracts/platform.ts RunStatus). The writer claim is
// `runs/<id>/writer.json` {pid, kind: 'cli'|'app'|'export', startedAt, hostname}, the convention of
// engine/contracts/run-files.ts WriterClaim; it is removed when a writer ends cleanly.
// NOTE for the merge: engine/node/rundir.ts is getting a shared `runStatus(dir)` and claim helpers; `runStatus`
// below is the one function to swap for it (keep the `appClaimLive` hook: only this host knows its pages).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunListing, RunStatus } from '../../engine/contracts/platform';
import { writeFileAtomic } from '../../engine/node/atomic';

export type WriterKind = NonNullable<RunListing['writer']>;

export interface WriterClaim {
  pid: number;
  kind: WriterKind;
  startedAt: string; // ISO time
  hostname: string;
}

export const WRITER_FILE = 'writer.json';
const SUMMARY_STATUSES: readonly RunStatus[] = ['complete', 'failed', 'stopped'];

/** writer.json of a run, or null when there is none (or it is unreadable: a claim nobody can honour). */
export function readWriterClaim(dir: string): WriterClaim | null {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(dir, WRITER_FILE), 'utf8')) as WriterClaim;
    return c && typeof c === 'object' && Number.isSafeInteger(c.pid) ? c : null;
  } catch {
    return null;
  }
}

/** Claim a run for this process (atomic write of writer.json). */
export function writeWriterClaim(dir: string, kind: WriterKind): WriterClaim {
  const claim: WriterClaim = { pid: process.pid, kind, startedAt: new Date().toISOString(), hostname: os.hostname() };
  writeFileAtomic(path.join(dir, WRITER_FILE), JSON.stringify(claim, null, 2) + '\n');
  return claim;
}

export function removeWriterClaim(dir: string): void {
  fs.rmSync(path.join(dir, WRITER_FILE), { force: true });
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * The status of the run in `dir`: complete/failed/stopped from summary.json; running while a live writer holds
 * it (a process on this machine that is alive, or, for an app claim of this very process, `appClaimLive(runId)`:
 * the page that writes it is still connected); otherwise interrupted. A claim from another machine cannot be
 * checked and counts as running.
 */
export function runStatus(
  dir: string,
  appClaimLive: (runId: string) => boolean,
  claim: WriterClaim | null = readWriterClaim(dir),
  summaryStatus: unknown = readSummaryStatus(dir),
): RunStatus {
  if (summaryStatus !== undefined)
    return SUMMARY_STATUSES.includes(summaryStatus as RunStatus) ? (summaryStatus as RunStatus) : 'complete';
  if (!claim) return 'interrupted';
  if (claim.hostname !== os.hostname()) return 'running';
  if (claim.kind === 'app' && claim.pid === process.pid)
    return appClaimLive(path.basename(dir)) ? 'running' : 'interrupted';
  return processIsAlive(claim.pid) ? 'running' : 'interrupted';
}

/** summary.json's `status` (null when it has none), or undefined when there is no readable summary.json. */
export function readSummaryStatus(dir: string): unknown {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as { status?: unknown };
    return s?.status ?? null;
  } catch {
    return undefined;
  }
}

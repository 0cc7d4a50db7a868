// A run's phase as the UI shows it, from what this page knows: the live session's state while this page trains it,
// else summary.json's status, else the workspace listing's (running in the CLI or another tab, or interrupted).
import type { RunStatus } from '../../engine/contracts/platform';
import { useRuns, type LiveState, type RunEntry } from '../state/runs';

export type RunPhase = LiveState | RunStatus | 'unknown';

const ENDED: ReadonlySet<string> = new Set(['complete', 'failed', 'stopped']);

export function phaseOf(e: RunEntry | undefined): RunPhase {
  if (!e) return 'unknown';
  if (e.live) return e.live.state;
  const s = (e.summary as { status?: string } | null)?.status;
  if (s && ENDED.has(s)) return s as RunStatus;
  return e.listing?.status ?? 'unknown';
}

export const useRunPhase = (runId: string | null): RunPhase =>
  useRuns((s) => (runId ? phaseOf(s.runs[runId]) : 'unknown'));

/** Words for a phase (never colour alone). */
export const PHASE_WORDS: Record<RunPhase, string> = {
  queued: 'queued',
  starting: 'starting',
  running: 'running',
  paused: 'paused',
  stopping: 'stopping',
  complete: 'complete',
  interrupted: 'interrupted',
  failed: 'failed',
  stopped: 'stopped',
  unknown: 'loading',
};

/** Why the run failed: the live session's error, else summary.json's. */
export function failureOf(e: RunEntry | undefined): string | null {
  if (!e) return null;
  if (e.error) return e.error.message;
  const err = (e.summary as { error?: { reason?: string; message?: string; step?: number | null } } | null)?.error;
  if (!err?.message) return null;
  return err.step !== null && err.step !== undefined ? `${err.message} (step ${err.step})` : err.message;
}

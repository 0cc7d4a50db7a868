// How the run bar writes numbers: durations (ETA "1m32s"), rates ("1,840 tok/s"), memory ("3.2 MB"), and the
// progress figures a run's columns give (step of total, recent tokens/s, time left). Pure: tested without a DOM.

/** A duration in seconds as "45s", "1m32s", "2h05m" (rounded to the second; "0s" for less). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Tokens per second: "1,840 tok/s", "12.5k tok/s" from 10,000 on. */
export function formatRate(tokensPerS: number): string {
  if (!Number.isFinite(tokensPerS) || tokensPerS < 0) return '– tok/s';
  if (tokensPerS >= 10_000) return `${(tokensPerS / 1000).toFixed(1)}k tok/s`;
  return `${Math.round(tokensPerS).toLocaleString('en-US')} tok/s`;
}

/** Bytes as "812 KB", "3.2 MB", "1.1 GB" (powers of 1024). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes,
    u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export interface Progress {
  step: number; // the newest logged step (0 before the first)
  total: number;
  tokensPerS: number | null; // over the recent rows (null before two rows)
  etaS: number | null; // training time left at the recent pace (null when unknown)
}

/** How many recent rows the pace is measured over. */
export const PACE_ROWS = 20;

/**
 * Progress from a run's training columns: the last step, tokens/s and seconds per step over the last PACE_ROWS rows
 * (training wall time: evaluations are not in time_s, so the ETA slightly underestimates runs that evaluate often).
 */
export function progressOf(
  cols: { step: ArrayLike<number>; tokens: ArrayLike<number>; time_s: ArrayLike<number> },
  total: number,
): Progress {
  const n = cols.step.length;
  if (n === 0) return { step: 0, total, tokensPerS: null, etaS: null };
  const last = n - 1;
  const step = cols.step[last];
  const first = Math.max(0, n - 1 - PACE_ROWS);
  const dt = cols.time_s[last] - cols.time_s[first];
  const dSteps = cols.step[last] - cols.step[first];
  if (!(dt > 0) || !(dSteps > 0)) return { step, total, tokensPerS: null, etaS: null };
  const tokensPerS = (cols.tokens[last] - cols.tokens[first]) / dt;
  const etaS = (Math.max(0, total - step) * dt) / dSteps;
  return { step, total, tokensPerS, etaS };
}

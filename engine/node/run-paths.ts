// Run ids and paths of the run directory (rundir.ts): naming a run, checking ids and steps, and keeping every path
// inside the runs root.
import * as fs from 'node:fs';
import * as path from 'node:path';

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

export function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new RunDirError(
      `invalid run id '${runId}': use letters, digits, '.', '_' and '-' only (no '/', no leading '.'), at most 128 characters`,
    );
  }
}

export function checkStep(step: number, what: string): void {
  if (!Number.isSafeInteger(step) || step < 0)
    throw new RunDirError(`${what} step must be a non-negative integer, got ${step}`);
}

/** Steps of the files `<step><ext>` in `dir`, ascending; temp files and anything else are ignored. */
export function stepsIn(dir: string, ext: string): number[] {
  if (!fs.existsSync(dir)) return [];
  const re = new RegExp(`^(\\d+)${ext.replace('.', '\\.')}$`);
  return fs
    .readdirSync(dir)
    .map((f) => re.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

// Listing the runs under a runs root (the run directory: rundir.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isRunId } from './run-paths';

export interface RunInfo {
  id: string;
  dir: string;
  hasSummary: boolean;
  /** Last modification of metrics.jsonl (or spec.json), ms since the epoch. */
  updatedMs: number;
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

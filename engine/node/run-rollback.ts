// Bringing a run directory (rundir.ts) back to a checkpoint's step for a resume, and clearing away the temp files
// of atomic writes whose writer died.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEMP_PREFIX, tempFileWriterPid, writeFileAtomic } from './atomic';
import type { RunDir } from './rundir';
import { processIsAlive } from './run-status';

export interface RollBackResult {
  metrics: object[];
  droppedMetrics: number;
  droppedRouting: number;
  removedTemp: string[];
}

/**
 * Bring the run back to the state of step `step` (a resume from that step's checkpoint): rows after it, probes,
 * checkpoints after it, the summary and stray temp files of dead writers go; -1 drops every row, probe and
 * checkpoint (a restart from scratch). Returns the metrics rows kept and what was dropped.
 */
export function rollBack(run: RunDir, step: number): RollBackResult {
  const removedTemp = removeStaleTempFiles(run);
  const kept = (file: string, rows: object[]) => {
    const keep = rows.filter((r) => ((r as { step?: unknown }).step as number) <= step);
    // rewritten only when rows go (a torn last line is repaired by the next append): watchers keep their offsets
    if (keep.length < rows.length) writeFileAtomic(file, keep.map((r) => JSON.stringify(r) + '\n').join(''));
    return { keep, dropped: rows.length - keep.length };
  };
  const m = kept(run.metricsPath, run.readMetrics<object>());
  const r = kept(run.routingPath, run.readRouting<object>());
  for (const p of run.listProbes()) if (p > step) fs.rmSync(run.probePath(p), { force: true });
  for (const c of run.listCheckpoints()) if (c > step) fs.rmSync(run.checkpointPath(c), { force: true });
  for (const f of [run.summaryPath, run.summaryMarkdownPath, run.lossSvgPath]) fs.rmSync(f, { force: true });
  return { metrics: m.keep, droppedMetrics: m.dropped, droppedRouting: r.dropped, removedTemp };
}

/** Temp files of atomic writes in this run: in progress, or left behind by a process that was killed. */
export function strayTempFiles(run: RunDir): string[] {
  return [run.dir, run.probesDir, run.checkpointsDir]
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
export function removeStaleTempFiles(run: RunDir): string[] {
  const stale = strayTempFiles(run).filter((f) => {
    const pid = tempFileWriterPid(f);
    return pid === null || !processIsAlive(pid);
  });
  for (const f of stale) fs.rmSync(f, { force: true });
  return stale;
}

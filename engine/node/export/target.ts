// What `npm run export` exports: a spec file, a preset name, or a run directory (its spec and its latest
// checkpoint). Every problem is an ExportError whose message names the file and, for a spec, each bad field.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpecError, type ExperimentSpec } from '../../spec';
import { UnknownPresetError } from '../../../experiments/index';
import { UsageError } from '../cli/args';
import { loadSpec } from '../cli/load-spec';
import { readRunSpec, RunError } from '../run-spec';
import { RunDir, RunDirError } from '../rundir';

export class ExportError extends Error {
  override name = 'ExportError';
}

export interface ExportSource {
  /** spec: a spec handed over in memory (the app's Experiment cell); `value` then says where it came from. */
  kind: 'preset' | 'file' | 'run' | 'spec';
  /** The preset name, the spec file or the run directory, as given. */
  value: string;
}

export interface ExportTarget {
  spec: ExperimentSpec;
  from: ExportSource;
  /** A run directory to carry along (kind 'run'). */
  run?: RunDir;
}

/** SPEC.json (a path that exists or ends in .json), a run directory (a folder with spec.json), or a preset name. */
export function resolveExportTarget(target: string): ExportTarget {
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    let run: RunDir;
    try {
      run = RunDir.open(target);
      return { spec: readRunSpec(run).spec, from: { kind: 'run', value: target }, run };
    } catch (e) {
      if (e instanceof RunError || e instanceof RunDirError) throw new ExportError(e.message);
      throw e;
    }
  }
  // a preset, a spec file or a run's spec.json: loaded like every other command does (relative data paths, the
  // warm-up rule), so the export trains exactly what `npm run experiment` would
  try {
    const l = loadSpec(target);
    return { spec: l.spec, from: { kind: l.kind === 'preset' ? 'preset' : 'file', value: target } };
  } catch (e) {
    if (e instanceof UsageError || e instanceof UnknownPresetError || e instanceof SpecError)
      throw new ExportError(e.message);
    throw e;
  }
}

/** The newest checkpoint of a run that decodes, with the files of the run worth carrying (not older checkpoints). */
export function runFilesToCarry(run: RunDir): { files: string[]; checkpoint: string | null; warnings: string[] } {
  const { checkpoint, warnings } = run.latestCheckpoint();
  const files = [run.specPath, run.metricsPath, run.routingPath, run.summaryPath].filter((f) => fs.existsSync(f));
  for (const step of run.listProbes()) files.push(run.probePath(step));
  if (checkpoint) files.push(checkpoint.path);
  return { files: files.map((f) => path.relative(run.dir, f)), checkpoint: checkpoint?.path ?? null, warnings };
}

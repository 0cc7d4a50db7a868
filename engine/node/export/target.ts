// What `npm run export` exports: a spec file, a preset name, or a run directory (its spec and its latest
// checkpoint). Every problem is an ExportError whose message names the file and, for a spec, each bad field.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSpec, SpecError, type ExperimentSpec } from '../../spec';
import { resolvePreset, UnknownPresetError } from '../../../experiments/index';
import { readRunSpec, RunError } from '../runner';
import { RunDir, RunDirError } from '../rundir';

export class ExportError extends Error {
  override name = 'ExportError';
}

export interface ExportSource {
  kind: 'preset' | 'file' | 'run';
  /** The preset name, the spec file or the run directory, as given. */
  value: string;
}

export interface ExportTarget {
  spec: ExperimentSpec;
  from: ExportSource;
  /** A run directory to carry along (kind 'run'). */
  run?: RunDir;
}

/** Validate a spec; the error names the source and every bad field ("model.attention.k: k=5 exceeds nExperts=4"). */
function validated(input: unknown, label: string): ExperimentSpec {
  try {
    return parseSpec(input);
  } catch (e) {
    if (e instanceof SpecError) throw new ExportError(`${label}: ${e.message}`);
    throw e;
  }
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
  if (fs.existsSync(target) || target.endsWith('.json')) {
    if (!fs.existsSync(target)) throw new ExportError(`${target}: no such file`);
    let input: unknown;
    try {
      input = JSON.parse(fs.readFileSync(target, 'utf8'));
    } catch (e) {
      throw new ExportError(`${target}: not valid JSON (${(e as Error).message})`);
    }
    // a run's spec.json holds {spec, engineVersion, ...}: accept it too
    const spec =
      input && typeof input === 'object' && 'spec' in input && 'engineVersion' in input
        ? (input as { spec: unknown }).spec
        : input;
    return { spec: validated(spec, target), from: { kind: 'file', value: target } };
  }
  try {
    return {
      spec: validated(resolvePreset(target).spec, `experiment "${target}"`),
      from: { kind: 'preset', value: target },
    };
  } catch (e) {
    if (e instanceof UnknownPresetError) throw new ExportError(e.message);
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

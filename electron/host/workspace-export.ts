// exportPyTorch (issue 11, from the app): a run of the workspace or an Experiment cell's spec, written by
// engine/node/export as a self-contained PyTorch folder into `<workspace>/exports/<name>/` (never outside the
// workspace; a name already taken gets "-2", "-3", ...). A `file` data source must be a file inside the workspace's
// data/ folder, the same rule as for training in the app.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PlatformResults, PyTorchTarget } from '../../engine/contracts/platform';
import { ExportError, exportExperiment } from '../../engine/node/export/export';
import { RunDir } from '../../engine/node/rundir';
import { readRunSpec, RunError } from '../../engine/node/run-spec';
import { parseSpec, type ExperimentSpec } from '../../engine/spec';
import { invalid } from './errors';
import { dataFile } from './workspace-data';
import type { WorkspacePaths } from './workspace-paths';
import type { RunStore } from './workspace-runs';

/** The exports folder, created on first use. */
function exportsDir(paths: WorkspacePaths): string {
  const dir = paths.inside('exports');
  fs.mkdirSync(dir, { recursive: true });
  paths.checkReal(dir, 'exports');
  return dir;
}

/** `name`, else `name-2`, `name-3`, ...: the first that is not in `dir` (an empty folder counts as free). */
export function freeExportName(dir: string, name: string): string {
  const free = (n: string) => {
    const p = path.join(dir, n);
    return !fs.existsSync(p) || (fs.statSync(p).isDirectory() && fs.readdirSync(p).length === 0);
  };
  if (free(name)) return name;
  for (let i = 2; ; i++) if (free(`${name}-${i}`)) return `${name}-${i}`;
}

/** A run's spec, with its data file checked to be inside data/ (an app run names it relative to data/). */
function runSpec(dir: string, paths: WorkspacePaths): ExperimentSpec {
  try {
    const spec = readRunSpec(RunDir.open(dir)).spec;
    if (spec.data.source.kind === 'file') dataFile(paths, spec.data.source.path);
    return spec;
  } catch (e) {
    if (e instanceof RunError) throw invalid(`exportPyTorch: ${e.message}`);
    throw e;
  }
}

/** `cd DIR && ...`, with DIR quoted for a POSIX shell when it needs it. */
function nextCommand(dir: string, run: string | null): string {
  const q = /^[\w@%+=:,./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`;
  return `cd ${q} && python3 prepare_data.py && python3 train.py${run ? ` --resume ${run}` : ''}`;
}

export function exportPyTorch(
  paths: WorkspacePaths,
  runs: RunStore,
  target: PyTorchTarget,
  name: string,
): PlatformResults['exportPyTorch'] {
  let source: string | { spec: ExperimentSpec; label: string };
  if ('runId' in target) {
    source = runs.dir(target.runId);
    runSpec(source, paths);
  } else {
    const spec = parseSpec(target.spec); // a bad spec: InvalidRequest naming each field (errors.ts)
    if (spec.data.source.kind === 'file') dataFile(paths, spec.data.source.path);
    source = { spec, label: `an Experiment cell of the workbench app (spec “${spec.name}”)` };
  }
  const dir = exportsDir(paths);
  const chosen = freeExportName(dir, name);
  const out = path.join(dir, chosen);
  paths.checkReal(out, `exports/${chosen}`);
  let r;
  try {
    r = exportExperiment({ target: source, out, dataRoot: paths.dataDir });
  } catch (e) {
    if (e instanceof ExportError) throw invalid(`exportPyTorch: ${e.message}`);
    throw e;
  }
  return {
    name: chosen,
    folder: `exports/${chosen}`,
    path: r.dir,
    params: r.params,
    vocabSize: r.vocabSize,
    run: r.run,
    checkpoint: r.checkpoint,
    warnings: r.warnings,
    command: nextCommand(r.dir, r.run),
  };
}

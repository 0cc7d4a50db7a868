// Reading a run directory's spec.json, apart from the runner (which pulls in the whole engine): the export and
// the workspace store read specs without loading tfjs.
import * as fs from 'node:fs';
import type { RunSpecFile } from '../contracts/run-files';
import { parseSpec, SpecError } from '../spec';
import type { RunDir } from './rundir';

/** A run that cannot start or continue; the message says what and where. */
export class RunError extends Error {
  override name = 'RunError';
}

/** Read spec.json of a run directory; errors name the file. */
export function readRunSpec(run: RunDir): RunSpecFile {
  if (!fs.existsSync(run.specPath)) throw new RunError(`${run.dir} is not a run directory: no spec.json`);
  const meta = run.readSpec<RunSpecFile>();
  if (!meta || typeof meta !== 'object' || !('spec' in meta))
    throw new RunError(`${run.specPath}: no "spec" field (not written by this workbench?)`);
  try {
    return { ...meta, spec: parseSpec(meta.spec) };
  } catch (e) {
    if (e instanceof SpecError) throw new RunError(`${run.specPath}: ${e.message}`);
    throw e;
  }
}

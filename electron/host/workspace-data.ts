// The text a spec trains on, loaded on the host for the page's worker (engine/node/corpus.ts loadDataSources, the
// CLI's loader). A user `file` source names a file inside `<workspace>/data/` by a relative path; anything that
// would leave that folder (`..`, an absolute path, a symlink out) is refused.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PlatformError } from '../../engine/contracts/platform';
import { loadDataSources } from '../../engine/node/corpus';
import { parseSpec } from '../../engine/spec';
import type { DataSources } from '../../engine/data/index';
import { invalid, notFound } from './errors';
import { isWithin, type WorkspacePaths } from './workspace-paths';

export function loadSpecSources(paths: WorkspacePaths, specInput: Record<string, unknown>): DataSources {
  let spec;
  try {
    spec = parseSpec(specInput);
  } catch (e) {
    throw invalid(`loadDataSources: ${(e as Error).message}`);
  }
  const src = spec.data.source;
  if (src.kind === 'file') {
    const file = dataFile(paths, src.path);
    const rel = path.relative(paths.dataDir, file).split(path.sep).join('/');
    try {
      return loadDataSources({ ...spec, data: { ...spec.data, source: { kind: 'file', path: file } } });
    } catch (e) {
      throw invalid(`data file "${src.path}": ${(e as Error).message.replace(file, `data/${rel}`)}`);
    }
  }
  return loadDataSources(spec);
}

/** A spec's `file` source: a path relative to `<workspace>/data/` that stays inside it (also through symlinks) and
 *  exists; anything else is refused. */
export function dataFile(paths: WorkspacePaths, given: string): string {
  const rel = given.replace(/\\/g, '/');
  if (path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel))
    throw new PlatformError(
      'OutsideWorkspace',
      `data file "${given}": give a path relative to the workspace's data/ folder`,
    );
  const file = path.resolve(paths.dataDir, rel);
  if (!isWithin(paths.dataDir, file) || file === paths.dataDir)
    throw new PlatformError('OutsideWorkspace', `data file "${given}" is outside the workspace's data/ folder`);
  paths.checkReal(file, `data/${rel}`);
  if (!fs.existsSync(file)) throw notFound(`data file "data/${rel}"`);
  return file;
}

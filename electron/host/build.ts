// Building the renderer bundle for the web host: `vite build --config renderer/vite.config.ts` into dist/renderer/,
// when dist/renderer/index.html is missing or older than any source the bundle is made of (renderer/, the engine
// core the worker bundles, experiments/). Vite's output goes to stderr so stdout keeps only the host's address.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export const VITE_CONFIG = 'renderer/vite.config.ts';

/** The environment of a `vite build` of the app: always production. Started from a test runner it would inherit
 *  NODE_ENV=test, and React, recharts and the JSX runtime would ship their development builds (25% bigger and
 *  several times slower: measured as 6-10 main-thread tasks over 50 ms per training run instead of 1-2). */
export function viteBuildEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: 'production' };
}
const SOURCE_DIRS = ['renderer', 'engine', 'experiments'];
const SKIP = new Set(['node_modules', 'node', 'dist', '.git']); // engine/node is not in the bundle

export class BuildError extends Error {
  override name = 'BuildError';
}

/** Newest modification time (ms) of the files under `dir`, skipping SKIP folders. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    if (ent.isDirectory()) {
      if (!SKIP.has(ent.name)) newest = Math.max(newest, newestMtime(path.join(dir, ent.name)));
    } else if (ent.isFile()) newest = Math.max(newest, fs.statSync(path.join(dir, ent.name)).mtimeMs);
  }
  return newest;
}

/** Why dist/renderer needs a build, or null when it is up to date. */
export function buildReason(repoRoot: string, distDir: string): string | null {
  const index = path.join(distDir, 'index.html');
  if (!fs.existsSync(index)) return `${path.relative(repoRoot, index)} is missing`;
  const built = fs.statSync(index).mtimeMs;
  const sources = Math.max(
    ...SOURCE_DIRS.map((d) => path.join(repoRoot, d))
      .filter((d) => fs.existsSync(d))
      .map(newestMtime),
  );
  return sources > built ? 'the renderer sources changed since the last build' : null;
}

/** Build dist/renderer if needed; throws BuildError with one clear line when it cannot. */
export function ensureRendererBuilt(repoRoot: string, distDir: string, log: (m: string) => void): void {
  const reason = buildReason(repoRoot, distDir);
  if (!reason) return;
  if (!fs.existsSync(path.join(repoRoot, VITE_CONFIG)))
    throw new BuildError(`cannot build the workbench UI: ${VITE_CONFIG} does not exist yet (${reason})`);
  log(`building the workbench UI (${reason}) ...`);
  const vitePkg = createRequire(import.meta.url).resolve('vite/package.json'); // vite exports no bin/ subpath
  const vite = path.join(path.dirname(vitePkg), 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', VITE_CONFIG], {
    cwd: repoRoot,
    env: viteBuildEnv(),
    stdio: ['ignore', 2, 2], // vite's output on stderr
  });
  if (r.error) throw new BuildError(`cannot run vite: ${r.error.message}`);
  if (r.status !== 0) throw new BuildError(`vite build failed (exit code ${r.status}); see its output above`);
  if (!fs.existsSync(path.join(distDir, 'index.html')))
    throw new BuildError(`vite build finished but ${path.join(distDir, 'index.html')} is missing`);
}

// Building the desktop app's main and preload bundles for the tests (`electron-vite build` with
// ELECTRON_VITE_SECTIONS=main,preload), once, when they are missing or older than their sources; a lock keeps test
// files running in parallel from building at the same time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const MAIN_BUNDLE = join(ROOT, 'dist/electron/main/index.cjs');
export const PRELOAD_BUNDLE = join(ROOT, 'dist/electron/preload/index.cjs');
const SOURCES = ['electron', 'engine', 'electron.vite.config.ts'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let n = 0;
  for (const name of readdirSync(p)) if (name !== 'node_modules') n = Math.max(n, newest(join(p, name)));
  return n;
}

function stale(): boolean {
  if (!existsSync(MAIN_BUNDLE) || !existsSync(PRELOAD_BUNDLE)) return true;
  const built = Math.min(statSync(MAIN_BUNDLE).mtimeMs, statSync(PRELOAD_BUNDLE).mtimeMs);
  return SOURCES.some((s) => newest(join(ROOT, s)) > built);
}

export async function ensureElectronBuilt(): Promise<void> {
  const lock = join(ROOT, 'dist/.electron-build-lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 300_000) throw new Error(`${lock} held for 5 minutes; remove it if no build is running`);
      await sleep(250);
    }
  }
  try {
    if (!stale()) return;
    const bin = join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js');
    const r = spawnSync(process.execPath, [bin, 'build'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_VITE_SECTIONS: 'main,preload' },
    });
    if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

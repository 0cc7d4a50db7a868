// `npm start [-- --workspace DIR]`: builds the desktop app and launches Electron. Runs in plain Node (never inside
// Electron, never `import 'electron'`). Where the Electron binary cannot be had (the npm package downloads it on
// first use; offline machines and these build machines cannot), it says so in one line, with the reason, and starts
// the web workbench instead (electron/host/cli.ts, the same arguments: --port N, --workspace DIR, --no-open).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BuildError, ensureRendererBuilt } from '../host/build';
import { main as webMain } from '../host/cli';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MAIN_BUNDLE = path.join(ROOT, 'dist', 'electron', 'main', 'index.cjs');
const PRELOAD_BUNDLE = path.join(ROOT, 'dist', 'electron', 'preload', 'index.cjs');
const SOURCES = ['electron', 'engine', 'electron.vite.config.ts'];

export type ElectronFound = { binary: string } | { reason: string };

/** The most useful line of a failed `require('electron')`: its error's message ("fetch failed", ...). */
export function failureReason(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim());
  const err = lines.find((l) => /^[A-Za-z]*Error: /.test(l));
  if (err) return `the Electron binary could not be downloaded: ${err.replace(/^[A-Za-z]*Error: /, '')}`;
  const last = lines.filter(Boolean).at(-1);
  return last ? `the Electron binary could not be installed: ${last}` : 'the Electron binary could not be installed';
}

/**
 * Where the Electron binary is: `require('electron')` (the npm package's answer, downloading the binary on first
 * use), in a child process so its download output can be summed up. Says so after 3 s if a download is running.
 */
export async function findElectron(
  root = ROOT,
  log: (m: string) => void = (m) => process.stderr.write(m + '\n'),
): Promise<ElectronFound> {
  const child = spawn(process.execPath, ['-e', "process.stdout.write(require('electron'))"], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const slow = setTimeout(() => log('Downloading the Electron binary (first start only)…'), 3000);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', (e) => ((err += `Error: ${e.message}`), resolve(1)));
    child.on('exit', (c) => resolve(c));
  });
  clearTimeout(slow);
  const binary = out.trim().split('\n').at(-1) ?? ''; // after any "Downloading ..." line
  const found: ElectronFound =
    code !== 0 || /failed to install/i.test(err)
      ? { reason: failureReason(err) }
      : binary && fs.existsSync(binary)
        ? { binary }
        : { reason: `the Electron binary is missing (${binary || 'no path'})` };
  return found;
}

function newest(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let n = 0;
  for (const name of fs.readdirSync(p)) if (name !== 'node_modules') n = Math.max(n, newest(path.join(p, name)));
  return n;
}

/** Build the main and preload bundles (electron-vite) when missing or older than their sources. */
export function ensureDesktopBuilt(log: (m: string) => void): void {
  const built = Math.min(...[MAIN_BUNDLE, PRELOAD_BUNDLE].map((f) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)));
  if (built > 0 && !SOURCES.some((s) => newest(path.join(ROOT, s)) > built)) return;
  log('building the desktop app (main, preload) ...');
  const bin = path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [bin, 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, ELECTRON_VITE_SECTIONS: 'main,preload' },
  });
  if (r.status !== 0) throw new BuildError(`electron-vite build failed (exit code ${r.status}); see its output above`);
}

/** Run Electron on the built main bundle until it exits; Ctrl+C and SIGTERM are passed on. */
function runElectron(binary: string, argv: string[]): Promise<number> {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // would make the binary a plain Node
  const child = spawn(binary, [MAIN_BUNDLE, ...argv], { cwd: ROOT, stdio: 'inherit', env });
  const pass = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', pass('SIGINT'));
  process.on('SIGTERM', pass('SIGTERM'));
  return new Promise((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`error: cannot start Electron (${binary}): ${e.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export async function main(argv: string[]): Promise<number> {
  const log = (m: string) => process.stderr.write(m + '\n');
  const found = await findElectron();
  if ('reason' in found) {
    log(`Electron is not available here (${found.reason}); starting the web workbench instead.`);
    return webMain(argv);
  }
  try {
    ensureRendererBuilt(ROOT, path.join(ROOT, 'dist', 'renderer'), log);
    ensureDesktopBuilt(log);
  } catch (e) {
    log(`error: ${(e as Error).message}`);
    return 1;
  }
  return runElectron(found.binary, argv);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

// `npm run web [-- --port N --workspace DIR --no-open]` (and `npm start`, until the desktop shell exists): builds the
// workbench UI if needed, serves it with the workspace on 127.0.0.1, prints `Workbench at http://127.0.0.1:N/?token=T`
// on stdout (everything else goes to stderr) and opens the browser. Ctrl+C (SIGINT) or SIGTERM stops it cleanly.
// WORKBENCH_DIST_DIR=DIR serves an already built bundle from DIR instead (no build step).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BuildError, ensureRendererBuilt } from './build';
import { startHost, type RunningHost } from './server';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_PORT = 5178;
const USAGE = 'usage: npm run web -- [--port N] [--workspace DIR] [--no-open]';

export interface WebArgs {
  port: number | null; // null: DEFAULT_PORT, or any free port when it is taken
  workspace: string;
  open: boolean;
}

export class UsageError extends Error {}

export function parseWebArgs(argv: string[], cwd = process.cwd()): WebArgs {
  const a: WebArgs = { port: null, workspace: path.join(REPO_ROOT, 'workspace'), open: true };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${s} needs a value\n${USAGE}`);
      return v;
    };
    if (s === '--port') {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`--port must be 0-65535 (0: any free port), got "${v}"`);
      a.port = n;
    } else if (s === '--workspace') a.workspace = path.resolve(cwd, value());
    else if (s === '--no-open') a.open = false;
    else if (s === '--help' || s === '-h') throw new UsageError(USAGE);
    else throw new UsageError(`unknown argument ${s}\n${USAGE}`);
  }
  return a;
}

/** Open `url` in the system's browser; failures are ignored (the address is printed anyway). */
export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no browser opener: the printed address is enough
  }
}

async function listen(args: WebArgs, distDir: string): Promise<RunningHost> {
  const common = { workspace: args.workspace, distDir };
  try {
    return await startHost({ ...common, port: args.port ?? DEFAULT_PORT });
  } catch (e) {
    if (args.port !== null || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return startHost({ ...common, port: 0 }); // the default port is taken: any free one
  }
}

export async function main(argv: string[]): Promise<number> {
  const err = (m: string) => process.stderr.write(m + '\n');
  let args: WebArgs;
  try {
    args = parseWebArgs(argv);
  } catch (e) {
    err(`error: ${(e as Error).message}`);
    return 2;
  }
  const prebuilt = process.env.WORKBENCH_DIST_DIR; // serve this build as it is (tests, packaged builds)
  const distDir = prebuilt ? path.resolve(prebuilt) : path.join(REPO_ROOT, 'dist', 'renderer');
  let host: RunningHost;
  try {
    if (!prebuilt) ensureRendererBuilt(REPO_ROOT, distDir, err);
    host = await listen(args, distDir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof BuildError) err(`error: ${e.message}`);
    else if (code === 'EADDRINUSE') err(`error: port ${args.port} is in use; pick another with --port N (0: any free)`);
    else err(`error: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
  process.stdout.write(`Workbench at ${host.url}\n`);
  err(`workspace: ${args.workspace}\nstop with Ctrl+C`);
  if (args.open) openBrowser(host.url);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  err(`\n${signal}: stopping the workbench host`);
  await host.close();
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

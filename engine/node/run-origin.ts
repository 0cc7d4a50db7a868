// Where a CLI run comes from, for spec.json and summary.md: the command line that started this process (when it
// is one of the npm scripts in engine/node/cli/) and the git commit of the code (when it runs from a checkout).
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = /[\\/]engine[\\/]node[\\/]cli[\\/]([a-z-]+)\.ts$/;

/** "npm run experiment -- teach-copy --steps 50", or undefined when this process is not one of the CLIs. */
export function commandLine(argv: string[] = process.argv): string | undefined {
  const m = CLI.exec(argv[1] ?? '');
  if (!m) return undefined;
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const args = argv.slice(2).map(quote);
  return `npm run ${m[1]}${args.length ? ` -- ${args.join(' ')}` : ''}`;
}

/** The checkout's commit ("<sha>" or "<sha>-dirty"), or undefined outside a git checkout. */
export function gitCommit(cwd: string = ROOT): string | undefined {
  try {
    const out = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=40'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return out.toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

// File-name convention (part of `npm run lint`): TypeScript and JavaScript files are kebab-case, every dot-separated
// part of the name (`run-plan.ts`, `cvmm.test.ts`, `vite.config.ts`), and so are the folders that hold them;
// Python files are snake_case (`gen_golden_sizes.py`: importable as a module; a package's `__init__.py` too).
// Prints each offender; exit 1 if any.
// Usage: node tools/check-names.mjs [DIR]   (default: the repository root)
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
const SKIP_DIRS = new Set(['node_modules', 'dist', 'out', 'runs', 'workspace', 'reports']);
const CODE = /\.(ts|tsx|js|jsx|mjs|cjs)$/;
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SNAKE = /^([a-z0-9]+(_[a-z0-9]+)*|__init__)\.py$/;

/** Why `path` (relative, '/'-separated) breaks the convention, or null. */
function nameProblem(path) {
  const parts = path.split('/');
  const name = parts.pop();
  if (name.endsWith('.py')) return SNAKE.test(name) ? null : 'Python files are snake_case';
  if (!CODE.test(name)) return null;
  if (!name.split('.').every((s) => KEBAB.test(s))) return 'file names are kebab-case';
  const dir = parts.find((d) => !d.startsWith('.') && !KEBAB.test(d));
  return dir ? `folder "${dir}" is not kebab-case` : null;
}

function* walk(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) yield* walk(join(dir, e.name));
    } else if (e.isFile()) yield relative(ROOT, join(dir, e.name)).split('\\').join('/');
  }
}

const bad = [...walk(ROOT)].map((p) => [p, nameProblem(p)]).filter(([, why]) => why);
for (const [p, why] of bad) console.log(`${p}: ${why}`);
console.log(bad.length ? `${bad.length} file name(s) break the convention` : 'file names: ok');
process.exit(bad.length ? 1 : 0);

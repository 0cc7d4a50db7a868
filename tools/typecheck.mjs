// npm run typecheck: compile every room with its own environment (tsconfig.<room>.json, DESIGN §1), so the
// compiler refuses e.g. a Node API in the engine core or the DOM in experiments. A room with no sources yet is
// skipped with a note. Exit code 0 only if every room compiles.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const ROOMS = ['engine', 'node', 'experiments', 'renderer', 'electron', 'test'];
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const only = process.argv.slice(2);

let failed = 0;
for (const room of only.length ? only : ROOMS) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', `tsconfig.${room}.json`], { encoding: 'utf8' });
  const out = (r.stdout + r.stderr).trim();
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0 && /error TS18003/.test(out) && !/error TS(?!18003)/.test(out)) {
    console.log(`${room}: no sources yet, skipped`);
  } else if (r.status !== 0) {
    failed++;
    console.log(`${room}: FAILED (${secs} s)\n${out}`);
  } else {
    console.log(`${room}: ok (${secs} s)`);
  }
}
process.exit(failed ? 1 : 0);

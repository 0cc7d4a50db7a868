// npm run golden -- FILE.json [FILE.json ...] [--backend cpu|wasm|webgpu]   (DESIGN 2.3)
import { readFileSync } from 'node:fs';
import { checkGolden } from '../golden';
import type { BackendName } from '../../backend';
import { ensureBackend } from '../backend';

const args = process.argv.slice(2);
let backend: BackendName = 'wasm';
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--backend') backend = args[++i] as BackendName;
  else if (args[i] === '--tol') i++;
  else files.push(args[i]);
}
const tolIdx = args.indexOf('--tol');
const tol = tolIdx >= 0 ? Number(args[tolIdx + 1]) : 1e-4;
if (!['cpu', 'wasm', 'webgpu'].includes(backend)) {
  console.error(`unknown backend "${backend}" (use cpu, wasm or webgpu)`);
  process.exit(2);
}
if (files.length === 0) {
  console.error('usage: npm run golden -- FILE.json [FILE.json ...] [--backend cpu|wasm|webgpu]');
  process.exit(2);
}
const info = await ensureBackend(backend).catch((e: Error) => {
  console.error(e.message);
  process.exit(2);
});
console.log(`backend ${info.name} (${info.adapter})`);

let passed = 0,
  failed = 0;
for (const file of files) {
  let g: unknown;
  try {
    g = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    console.log(`FAIL ${file} file err=Infinity (${(e as Error).message})`);
    failed++;
    continue;
  }
  const r = checkGolden(g, tol);
  if (r.failed.length === 0) {
    console.log(`PASS ${file} max_err=${r.maxErr.toExponential(2)}`);
    passed++;
  } else {
    for (const f of r.failed) console.log(`FAIL ${file} ${f.name} err=${f.err}${f.note ? ` (${f.note})` : ''}`);
    failed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

// npm run golden -- FILE.json [FILE.json ...] [--backend cpu|wasm|webgpu] [--tol X]   (DESIGN 2.3)
// Checks the engine against the float64 oracle's golden files: `PASS file max_err=…` / `FAIL file tensor err=…`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { BackendName } from '../../backend';
import { choiceValue, EXIT, isMain, positiveValue, runCommand, UsageError, type Command, type Parsed } from './args';
import { BACKENDS, startBackend } from './experiment';

export const GOLDEN: Command = {
  name: 'golden',
  usage: ['FILE.json [FILE.json ...] [--backend wasm|cpu|webgpu] [--tol X]'],
  summary:
    'Checks the engine against golden files of the float64 PyTorch oracle (../shared/switchhead/oracle/; any sizes ' +
    'that follow its README schema): prints PASS file max_err=… or FAIL file tensor err=… per file, then a count. ' +
    'Exit code 1 when any file fails.',
  args: ['FILE.json  a golden file (e.g. ../shared/switchhead/oracle/golden/*.json)'],
  flags: [
    { name: '--backend', value: BACKENDS.join('|'), default: 'wasm', help: 'TensorFlow.js backend' },
    { name: '--tol', value: 'X', default: '1e-4', help: 'largest accepted error per tensor' },
  ],
};

function goldenArgs(p: Parsed): { files: string[]; backend: BackendName; tol: number } {
  if (p.positionals.length === 0) throw new UsageError('no golden file given (npm run golden -- --help shows how)');
  for (const f of p.positionals) {
    if (!existsSync(f)) throw new UsageError(`${f}: no such file`);
    if (statSync(f).isDirectory()) throw new UsageError(`${f} is a directory; give golden files (e.g. ${f}/*.json)`);
  }
  const backend = p.flags.get('--backend');
  const tol = p.flags.get('--tol');
  return {
    files: p.positionals,
    backend: backend === undefined ? 'wasm' : choiceValue('--backend', backend, BACKENDS),
    tol: tol === undefined ? 1e-4 : positiveValue('--tol', tol),
  };
}

async function main(p: Parsed): Promise<number> {
  const { files, backend, tol } = goldenArgs(p);
  const info = await startBackend(backend, (m) => process.stderr.write(m + '\n'));
  const { checkGolden } = await import('../golden'); // loaded here: --help and usage errors need no tfjs
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
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

if (isMain(import.meta.url)) runCommand(GOLDEN, main);

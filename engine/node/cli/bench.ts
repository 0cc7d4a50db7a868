// npm run bench -- [--backend wasm|cpu|webgpu] [--json FILE] [--repeats N] [--warmup N] [--cases a,b] [--profile]
// (DESIGN 2.4). Dense and SwitchHead side by side in one process; prints a table, optionally writes JSON.
import { writeFileSync } from 'node:fs';
import type { BackendName } from '../../backend';
import { ALL_CASES } from '../../bench/cases';
import { formatKernels, formatReport } from '../../bench/format';
import { runBench } from '../../bench/run';
import { ensureBackend } from '../backend';

const USAGE =
  'usage: npm run bench -- [--backend wasm|cpu|webgpu] [--json FILE] [--repeats N] [--warmup N] [--cases a,b] [--profile]';

interface Args {
  backend: BackendName;
  json?: string;
  repeats?: number;
  warmup?: number;
  cases?: string[];
  profile: boolean;
}

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}\ncases: ${ALL_CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const a: Args = { backend: 'wasm', profile: false };
  const value = (i: number, flag: string) => argv[i + 1] ?? fail(`${flag} needs a value`);
  const int = (s: string, flag: string, min: number) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) fail(`${flag} must be an integer >= ${min}, got "${s}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    if (f === '--backend') a.backend = value(i++, f) as BackendName;
    else if (f === '--json') a.json = value(i++, f);
    else if (f === '--repeats') a.repeats = int(value(i++, f), f, 1);
    else if (f === '--warmup') a.warmup = int(value(i++, f), f, 0);
    else if (f === '--cases')
      a.cases = value(i++, f)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (f === '--profile') a.profile = true;
    else if (f === '--help' || f === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument "${f}"`);
  }
  if (!['cpu', 'wasm', 'webgpu'].includes(a.backend)) fail(`unknown backend "${a.backend}" (use wasm, cpu or webgpu)`);
  const unknown = (a.cases ?? []).filter((n) => !ALL_CASES.some((c) => c.name === n));
  if (unknown.length) fail(`unknown case(s): ${unknown.join(', ')}`);
  return a;
}

const args = parseArgs(process.argv.slice(2));
const info = await ensureBackend(args.backend).catch((e: Error) =>
  fail(`cannot start backend ${args.backend}: ${e.message}`),
);
console.log(`backend ${info.name} (${info.adapter})`);
if (info.name !== 'wasm' && args.repeats === undefined)
  console.log(
    `note: ${info.name} is much slower than wasm here (ENV.md); consider --repeats 1 --warmup 0 --cases <names>`,
  );

const report = await runBench({ ...args, log: (l) => console.error(l) });
console.log(formatReport(report));
if (args.profile) console.log(formatKernels(report));
if (args.json) {
  writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${args.json}`);
}

// npm run bench -- [--backend wasm|cpu|webgpu] [--json FILE] [--repeats N] [--warmup N] [--cases a,b] [--profile]
// (DESIGN 2.4). Dense and SwitchHead side by side in one process; prints a table, optionally writes JSON.
// `--presets NAMES|all` times the experiment presets instead (the figures of experiments/timing.ts).
import { writeFileSync } from 'node:fs';
import type { BackendName } from '../../backend';
import { ALL_CASES } from '../../bench/cases';
import { presets } from '../../../experiments/index';
import { choiceValue, intValue, isMain, runCommand, UsageError, type Command, type Parsed } from './args';
import { BACKENDS, startBackend } from './experiment';

export const BENCH: Command = {
  name: 'bench',
  usage: [
    '[--backend wasm|cpu|webgpu] [--cases a,b] [--repeats N] [--warmup N] [--profile] [--json FILE]',
    '--presets NAMES|all [--backend ...] [--json FILE]',
  ],
  summary:
    "Dense and SwitchHead side by side in one process: median time, peak memory, parameters, and the paper's MAC and " +
    'memory formulas with their ratios, per case. Prints a table; --json also writes the full report. ' +
    'With --presets, times a few training steps and one evaluation of experiment presets instead.',
  flags: [
    { name: '--backend', value: BACKENDS.join('|'), default: 'wasm', help: 'TensorFlow.js backend' },
    { name: '--cases', value: 'a,b', default: 'all cases', help: 'run only these cases (listed below)' },
    { name: '--repeats', value: 'N', default: '5', help: 'timed runs per side; the median is reported' },
    { name: '--warmup', value: 'N', default: '1', help: 'untimed runs first' },
    { name: '--profile', help: 'also print the per-kernel time table of one run per side' },
    { name: '--json', value: 'FILE', help: 'write the full report as JSON' },
    {
      name: '--presets',
      value: 'NAMES|all',
      help: 'time these experiment presets (comma-separated, or all but the paper-size ones)',
    },
  ],
  more: () => [
    'cases:',
    ...ALL_CASES.map((c) => `  ${c.name.padEnd(14)}  ${c.description}`),
    '',
    'On cpu and webgpu (SwiftShader here) a case takes minutes; try --repeats 1 --warmup 0 --cases <name>.',
  ],
};

interface Args {
  backend: BackendName;
  json?: string;
  repeats?: number;
  warmup?: number;
  cases?: string[];
  presets?: string[];
  profile: boolean;
}

const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function benchArgs(p: Parsed): Args {
  if (p.positionals.length) throw new UsageError(`bench takes no arguments, got "${p.positionals[0]}"`);
  const f = (n: string) => p.flags.get(n);
  const a: Args = {
    backend: f('--backend') === undefined ? 'wasm' : choiceValue('--backend', f('--backend')!, BACKENDS),
    json: f('--json'),
    repeats: f('--repeats') === undefined ? undefined : intValue('--repeats', f('--repeats')!, 1),
    warmup: f('--warmup') === undefined ? undefined : intValue('--warmup', f('--warmup')!, 0),
    cases: f('--cases') === undefined ? undefined : list(f('--cases')!),
    presets: f('--presets') === undefined ? undefined : list(f('--presets')!),
    profile: p.flags.has('--profile'),
  };
  const unknown = (a.cases ?? []).filter((n) => !ALL_CASES.some((c) => c.name === n));
  if (unknown.length)
    throw new UsageError(`unknown case(s): ${unknown.join(', ')}; cases: ${ALL_CASES.map((c) => c.name).join(', ')}`);
  if (a.presets?.length === 1 && a.presets[0] === 'all')
    a.presets = Object.keys(presets).filter((n) => presets[n].group !== 'paper');
  const badPresets = (a.presets ?? []).filter((n) => !presets[n]);
  if (badPresets.length)
    throw new UsageError(
      `unknown preset(s): ${badPresets.join(', ')} (npm run experiment -- --help lists them, or use all)`,
    );
  return a;
}

async function main(p: Parsed): Promise<number> {
  const args = benchArgs(p);
  const say = (l: string) => process.stderr.write(l + '\n');
  const info = await startBackend(args.backend, say);
  console.log(`backend ${info.name} (${info.adapter})`);
  if (args.presets) return timePresets(args.presets, args.json);
  if (args.backend !== 'wasm' && args.repeats === undefined)
    say(
      `note: ${args.backend} is much slower than wasm here (ENV.md); consider --repeats 1 --warmup 0 --cases <names>`,
    );
  const { runBench } = await import('../../bench/run'); // loaded here: --help and usage errors need no tfjs
  const { formatKernels, formatReport } = await import('../../bench/format');
  const report = await runBench({ ...args, log: say });
  console.log(formatReport(report));
  if (args.profile) console.log(formatKernels(report));
  if (args.json) {
    writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
    say(`wrote ${args.json}`);
  }
  return 0;
}

async function timePresets(names: string[], json?: string): Promise<number> {
  const { formatPresetTimes, timePreset } = await import('./preset-timing');
  const rows = names.map((n) => {
    process.stderr.write(`timing ${n}...\n`);
    return timePreset(n);
  });
  console.log(formatPresetTimes(rows));
  if (json) writeFileSync(json, JSON.stringify(rows, null, 2) + '\n');
  return 0;
}

if (isMain(import.meta.url)) runCommand(BENCH, main);

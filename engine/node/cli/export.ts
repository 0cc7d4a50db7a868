// `npm run export -- SPEC.json|PRESET|RUN_DIR --out DIR [--force]`
// Writes a self-contained PyTorch folder for the experiment (engine/node/export): spec, model, DDP training script,
// data preparation, the data, README with the torchrun commands; from a run directory also the run and its latest
// checkpoint, ready for `train.py --resume`. Prints the folder on stdout. Exit codes: args.ts EXIT.
import * as fs from 'node:fs';
import { exportExperiment } from '../export/export';
import {
  EXIT,
  helpText,
  isMain,
  parseArgs,
  reportError,
  runCommand,
  UsageError,
  type Command,
  type Parsed,
} from './args';
import { loadSpec } from './load-spec';
import { presetHelp } from './preset-help';

export const EXPORT: Command = {
  name: 'export',
  usage: ['NAME|FILE.json|RUN_DIR --out DIR [--force]'],
  summary:
    'Writes a self-contained PyTorch folder for an experiment: spec, model, DDP training script, data preparation, ' +
    'the data, and a README with the torchrun commands. From a run directory also the run and its latest ' +
    'checkpoint, ready for `train.py --resume`. Prints the folder on stdout.',
  args: [
    'NAME       an experiment preset (listed below)',
    "FILE.json  a spec file, or a run's spec.json",
    'RUN_DIR    a run directory: its spec, its files and its latest checkpoint',
  ],
  flags: [
    { name: '--out', value: 'DIR', help: 'the folder to write (required; must not exist or be empty)' },
    { name: '--force', help: 'replace --out DIR even if it holds files' },
  ],
  more: presetHelp,
};

export interface ExportArgs {
  target: string;
  out: string;
  force: boolean;
}

export function exportArgs(p: Parsed): ExportArgs {
  if (p.positionals.length > 1)
    throw new UsageError(`one experiment at a time (got ${p.positionals.map((s) => `"${s}"`).join(', ')})`);
  const target = p.positionals[0];
  if (target === undefined) throw new UsageError('no experiment given: name a preset, a spec file or a run directory');
  const out = p.flags.get('--out');
  if (out === undefined) throw new UsageError('--out DIR is required');
  // a preset or spec file is checked here like everywhere else (unknown name, missing or invalid file: exit 2)
  if (!(fs.existsSync(target) && fs.statSync(target).isDirectory())) loadSpec(target);
  return { target, out, force: p.flags.has('--force') };
}

function run(p: Parsed): number {
  const r = exportExperiment(exportArgs(p));
  for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
  process.stderr.write(
    `exported ${r.spec.name} (${(r.params / 1e6).toFixed(2)}M parameters, vocabulary ${r.vocabSize})` +
      (r.run
        ? `; run ${r.run}${r.checkpoint ? ` with ${r.checkpoint}` : ' (no checkpoint: it restarts from step 0)'}`
        : '') +
      `\nnext: cd ${r.dir} && python3 prepare_data.py && python3 train.py${r.run ? ` --resume ${r.run}` : ''}  (README.md has the torchrun commands)\n`,
  );
  process.stdout.write(r.dir + '\n');
  return EXIT.ok;
}

/** The command on an argv (tests call it in-process); returns the exit code. */
export function main(argv: string[]): number {
  try {
    const p = parseArgs(EXPORT, argv);
    if (!p.help) return run(p);
    process.stdout.write(helpText(EXPORT));
    return EXIT.ok;
  } catch (e) {
    return reportError(e, EXPORT);
  }
}

if (isMain(import.meta.url)) runCommand(EXPORT, run);

// `npm run export -- SPEC.json|PRESET|RUN_DIR --out DIR [--force]`
// Writes a self-contained PyTorch folder for the experiment (engine/node/export): spec, model, DDP training script,
// data preparation, the data, README with the torchrun commands; from a run directory also the run and its latest
// checkpoint, ready for `train.py --resume`. Prints the folder on stdout. Exit codes: 0 done, 1 bad input or
// failure (the message names the file and field), 2 bad usage.
import { pathToFileURL } from 'node:url';
import { exportExperiment, ExportError } from '../export/export';

class UsageError extends Error {}

const USAGE = 'usage: npm run export -- SPEC.json|PRESET|RUN_DIR --out DIR [--force]';

export interface ExportArgs {
  target: string;
  out: string;
  force: boolean;
}

export function parseExportArgs(argv: string[]): ExportArgs {
  let target: string | null = null,
    out: string | null = null,
    force = false;
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--out') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`--out needs a folder\n${USAGE}`);
      out = v;
    } else if (s === '--force') force = true;
    else if (s === '--help' || s === '-h') throw new UsageError(USAGE);
    else if (s.startsWith('--')) throw new UsageError(`unknown option ${s}\n${USAGE}`);
    else if (target !== null) throw new UsageError(`one experiment at a time (got "${target}" and "${s}")\n${USAGE}`);
    else target = s;
  }
  if (target === null) throw new UsageError(`no experiment given\n${USAGE}`);
  if (out === null) throw new UsageError(`--out DIR is required\n${USAGE}`);
  return { target, out, force };
}

export function main(argv: string[]): number {
  let args: ExportArgs;
  try {
    args = parseExportArgs(argv);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const r = exportExperiment(args);
    for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stderr.write(
      `exported ${r.spec.name} (${(r.params / 1e6).toFixed(2)}M parameters, vocabulary ${r.vocabSize})` +
        (r.run
          ? `; run ${r.run}${r.checkpoint ? ` with ${r.checkpoint}` : ' (no checkpoint: it restarts from step 0)'}`
          : '') +
        `\nnext: cd ${r.dir} && python3 prepare_data.py && python3 train.py${r.run ? ` --resume ${r.run}` : ''}  (README.md has the torchrun commands)\n`,
    );
    process.stdout.write(r.dir + '\n');
    return 0;
  } catch (e) {
    const err = e as Error;
    process.stderr.write(`error: ${e instanceof ExportError ? err.message : (err.stack ?? err.message)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exit(main(process.argv.slice(2)));
}

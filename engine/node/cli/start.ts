// `npm start`: until the desktop app is wired in (it will replace this entry point), trains an experiment headless
// with the progress display: the default teaching experiment, another one, or a stopped run (--resume RUN_DIR).
// Takes exactly what `npm run experiment` takes.
import { DEFAULT_PRESET } from '../../../experiments/index';
import { isMain, runCommand, type Command, type Parsed } from './args';
import { EXPERIMENT, experimentArgs, runFromArgs } from './experiment';

export const START: Command = {
  ...EXPERIMENT,
  name: 'start',
  usage: ['[NAME|FILE.json] [--steps N] [--backend wasm|cpu|webgpu] [--out DIR]', '--resume RUN_DIR [--backend ...]'],
  summary:
    'The desktop app is not wired in yet, so for now `npm start` trains an experiment headless, exactly like ' +
    `\`npm run experiment\`: "${DEFAULT_PRESET}" when none is named. Ctrl-C saves a checkpoint and prints the resume command.`,
};

/** The default experiment unless one is named or a run is resumed. */
export function startArgs(p: Parsed): Parsed {
  if (p.positionals.length > 0 || p.flags.has('--resume')) return p;
  return { ...p, positionals: [DEFAULT_PRESET] };
}

if (isMain(import.meta.url))
  runCommand(START, (p) => {
    const args = experimentArgs(startArgs(p));
    process.stderr.write(
      'SwitchHead Workbench: the desktop app is not wired in yet, so `npm start` trains headless for now ' +
        `(npm start -- --help lists the experiments).\n`,
    );
    return runFromArgs(args);
  });

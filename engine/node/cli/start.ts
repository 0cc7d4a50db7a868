// `npm start`: for now, trains the default teaching experiment headless with the progress display.
// The desktop app (renderer/ + electron/) will replace this entry point; until then this shows the engine working.
// Extra arguments are passed to `npm run experiment` (e.g. `npm start -- teach-recall --steps 100`).
import { pathToFileURL } from 'node:url';
import { DEFAULT_PRESET, presetList } from '../../../experiments/index';
import { main as experiment } from './experiment';

export async function main(argv: string[]): Promise<number> {
  const args = argv.length && !argv[0].startsWith('--') ? argv : [DEFAULT_PRESET, ...argv];
  process.stderr.write(
    'SwitchHead Workbench: the desktop app is not wired in yet, so `npm start` trains an experiment headless for now\n' +
      `(the app will replace this). Training "${args[0]}"; other experiments: npm start -- NAME [--steps N]\n${presetList()}\n\n`,
  );
  return experiment(args);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

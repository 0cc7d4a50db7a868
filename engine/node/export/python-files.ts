// The PyTorch export's Python sources: every .py file under a folder, at any depth (the entry scripts train.py and
// prepare_data.py, and the package switchhead/ with model/, data/ and training/). One list for both places that ship
// them: exportExperiment() copies them into the exported folder, electron.vite.config.ts emits them next to the
// Electron main bundle.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The .py files under `dir`, relative and '/'-separated, sorted (compiled __pycache__ files are not .py). */
export function listPythonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => f.split(path.sep).join('/'))
    .filter((f) => f.endsWith('.py') && fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

// Export to PyTorch from the app (issue 11): an Experiment cell's spec or a run of the workspace, written by the host
// (Platform.exportPyTorch) into `<workspace>/exports/<name>/`; a toast names the folder and the command to run next,
// with a button that copies it.
import type { PyTorchExport, PyTorchTarget } from '../../engine/contracts/platform';
import { checkSpecCached } from '../cells/experiment/use-spec';
import { getPlatform } from '../platform/context';
import { getDoc } from '../state/notebook';
import type { CellId } from '../state/notebook-schema';
import { useRuns } from '../state/runs';
import { viewActions } from '../state/view';

/** A folder name from a spec or run name: letters, digits, '.', '_' and '-' (at most 80), never empty. */
export function exportName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[-.]+$/, '')
    .slice(0, 80)
    .replace(/[-.]+$/, '');
  return slug || 'experiment';
}

/** What the toast says about a finished export. */
export function exportMessage(name: string, r: PyTorchExport): string {
  const from = r.run
    ? ` with its run${r.checkpoint ? ' and newest checkpoint' : ' (no checkpoint: it restarts from step 0)'}`
    : '';
  const warn = r.warnings.length ? ` Warnings: ${r.warnings.join('; ')}.` : '';
  return `Exported “${name}” to PyTorch${from}: ${r.folder}/ in the workspace. Next: ${r.command}${warn}`;
}

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    viewActions.toast('Command copied.');
  } catch {
    viewActions.toast(`Copy it from here: ${text}`, { timeoutMs: 0 });
  }
}

/** Export and say how it went (the result, or null after an error toast). */
export async function exportToPyTorch(target: PyTorchTarget, name: string): Promise<PyTorchExport | null> {
  viewActions.toast(`Exporting “${name}” to PyTorch…`, { timeoutMs: 2500 });
  try {
    const r = await getPlatform().exportPyTorch(target, exportName(name));
    viewActions.toast(exportMessage(name, r), {
      timeoutMs: 0,
      action: { label: 'Copy command', run: () => void copy(r.command) },
    });
    return r;
  } catch (e) {
    viewActions.toast(`Could not export “${name}” to PyTorch: ${(e as Error).message}`, { tone: 'error' });
    return null;
  }
}

/** The Experiment cell's spec as it is now (refused, naming the problem, while the spec is invalid). */
export function exportCellToPyTorch(cellId: CellId): Promise<PyTorchExport | null> {
  const c = getDoc().cells[cellId];
  if (c?.kind !== 'experiment') return Promise.resolve(null);
  const check = checkSpecCached(c.spec);
  if (!check.ok) {
    viewActions.toast('This spec has problems; fix them before exporting it.', { tone: 'warning' });
    return Promise.resolve(null);
  }
  return exportToPyTorch({ spec: c.spec }, check.spec.name);
}

/** A run of the workspace, with its files and newest checkpoint (train.py --resume continues it). */
export function exportRunToPyTorch(runId: string): Promise<PyTorchExport | null> {
  const name = useRuns.getState().runs[runId]?.listing?.name ?? runId;
  return exportToPyTorch({ runId }, name);
}

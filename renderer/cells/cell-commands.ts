// What the cell buttons and the keyboard do, in one place: add, move, duplicate, delete (with an Undo toast, and a
// confirmation when the cell has runs), focus movement, run.
import { getDoc, notebookActions } from '../state/notebook';
import { useFiles } from '../state/notebook-files';
import { neighbour } from '../state/notebook-ops';
import type { CellId, CellKind } from '../state/notebook-schema';
import { setSpecPanel, useView, viewActions } from '../state/view';
import { getExperimentRunner } from './experiment/runner';
import { checkSpecCached } from './experiment/use-spec';
import { CELL_KINDS } from './registry';

export function addCell(kind: CellKind, anchor: CellId | null = null, where: 'above' | 'below' = 'below') {
  const def = CELL_KINDS[kind];
  if (!def) return null;
  const id = notebookActions.add(def.create(), anchor, where);
  if (!id) return null;
  viewActions.focusCell(id);
  if (kind === 'note') viewActions.edit(id);
  if (kind === 'experiment') setSpecPanel(id, 'form');
  return id;
}

export function moveCell(id: CellId, delta: number): void {
  notebookActions.move(id, delta);
  viewActions.focusCell(id);
}

export function duplicateCell(id: CellId): void {
  const copy = notebookActions.duplicate(id);
  if (copy) viewActions.focusCell(copy);
}

export async function deleteCell(id: CellId): Promise<void> {
  const cell = getDoc().cells[id];
  if (!cell) return;
  if (cell.kind === 'experiment' && cell.runIds.length > 0) {
    const n = cell.runIds.length;
    const ok = await viewActions.confirm(
      'Delete this Experiment cell?',
      `It has ${n} run${n === 1 ? '' : 's'}. The run${n === 1 ? ' stays' : 's stay'} in the workspace (sidebar, RUNS); the cell can be brought back with Undo.`,
      'Delete cell',
    );
    if (!ok) return;
  }
  const notebook = useFiles.getState().current;
  const next = neighbour(getDoc(), id, 1) ?? neighbour(getDoc(), id, -1);
  const tombstone = notebookActions.remove(id);
  if (!tombstone) return;
  if (useView.getState().editingCell === id) viewActions.edit(null);
  viewActions.focusCell(next);
  viewActions.toast('Cell deleted.', {
    action: {
      label: 'Undo',
      run: () => {
        if (useFiles.getState().current !== notebook) return; // another notebook is open now
        if (notebookActions.restore(tombstone)) viewActions.focusCell(tombstone.cell.id);
      },
    },
  });
}

export function focusNeighbour(direction: -1 | 1): void {
  const { focusedCell } = useView.getState();
  const next = neighbour(getDoc(), focusedCell, direction);
  if (next) viewActions.focusCell(next);
}

/** Shift+Enter: a Note shows its rendering; an Experiment runs (when its spec is valid and a runner exists). */
export function runCell(id: CellId): void {
  const cell = getDoc().cells[id];
  if (!cell) return;
  if (useView.getState().editingCell === id) {
    notebookActions.endBurst();
    viewActions.edit(null);
  }
  viewActions.focusCell(id);
  if (cell.kind === 'experiment') {
    const runner = getExperimentRunner();
    const check = checkSpecCached(cell.spec);
    if (!check.ok) viewActions.toast('This spec has problems; fix them before running.', { tone: 'warning' });
    else if (runner) runner(id);
    else viewActions.toast('Training from the notebook is not available in this build yet.');
  }
}

/** Enter on a focused cell: edit a Note; open an Experiment's spec form and put the cursor in it. */
export function editCell(id: CellId): void {
  const cell = getDoc().cells[id];
  if (!cell) return;
  if (cell.kind === 'note') viewActions.edit(id);
  else if (cell.kind === 'experiment') {
    setSpecPanel(id, useView.getState().specPanel[id] ?? 'form');
    requestAnimationFrame(() => {
      const el = document.querySelector<HTMLElement>(`#cell-${id} .cell-body :is(input, select, textarea)`);
      el?.focus();
    });
  }
}

// Which of an Experiment cell's runs its panels show: the newest by default (a new run takes over the panels as it
// starts), or the one the user picked from the cell's run list. View state: never saved, never undone.
import { create } from 'zustand';
import { useNotebook } from '../state/notebook';
import type { CellId, ExperimentCell } from '../state/notebook-schema';

const usePicked = create<{ picked: Record<CellId, string> }>(() => ({ picked: {} }));

const NONE: string[] = [];

/** The cell's run ids, oldest first (the document's order). */
export const useCellRunIds = (cellId: CellId): string[] =>
  useNotebook((s) => (s.cells[cellId] as ExperimentCell | undefined)?.runIds ?? NONE);

/** The run the cell's panels show: the picked one while it is still the cell's, else the newest; null: none. */
export function useSelectedRun(cellId: CellId): string | null {
  const ids = useCellRunIds(cellId);
  const picked = usePicked((s) => s.picked[cellId]);
  if (picked && ids.includes(picked)) return picked;
  return ids.length ? ids[ids.length - 1] : null;
}

/** Show `runId` in the cell's panels (null: back to the newest). */
export function selectRun(cellId: CellId, runId: string | null): void {
  const { [cellId]: _old, ...rest } = usePicked.getState().picked;
  usePicked.setState({ picked: runId === null ? rest : { ...rest, [cellId]: runId } });
}

// The lens's view state per Inspect cell (never saved with the notebook, never undone): the open tab, the
// counterfactual interventions, whether the user asked to compute a probe for a run without saved ones, and the
// hovered token (a pointer store: only the views that show it re-render when it moves).
import { create } from 'zustand';
import type { ProbeIntervention } from '../../../engine/contracts/reports';
import { createPointerStore, type PointerStore } from '../../canvas/highlight';
import type { CellId } from '../../state/notebook-schema';

export interface LensHover {
  row: number | null; // query token (attention row, destination/MLP row)
  col: number | null; // key token (attention column, source column)
}

/** The token a hover names: the query row, else the key column. */
export const hoveredToken = (h: LensHover): number | null => h.row ?? h.col;

const sameHover = (a: LensHover, b: LensHover) => a.row === b.row && a.col === b.col;

interface LensViewState {
  tab: Record<CellId, string>;
  interventions: Record<CellId, ProbeIntervention[]>;
  computeOk: Record<CellId, string>; // run id the user asked to compute a probe for (no saved probes)
}

export const useLensState = create<LensViewState>(() => ({ tab: {}, interventions: {}, computeOk: {} }));

const NONE: ProbeIntervention[] = [];

export const useInterventions = (id: CellId): ProbeIntervention[] => useLensState((s) => s.interventions[id] ?? NONE);

export const lensActions = {
  setTab: (id: CellId, tab: string) => useLensState.setState((s) => ({ tab: { ...s.tab, [id]: tab } })),
  setInterventions: (id: CellId, list: ProbeIntervention[]) =>
    useLensState.setState((s) => ({ interventions: { ...s.interventions, [id]: list } })),
  allowCompute: (id: CellId, runId: string) =>
    useLensState.setState((s) => ({ computeOk: { ...s.computeOk, [id]: runId } })),
};

const hovers = new Map<CellId, PointerStore<LensHover>>();

/** The cell's hovered-token store (created on first use, kept while the page lives). */
export function hoverStore(id: CellId): PointerStore<LensHover> {
  let s = hovers.get(id);
  if (!s) hovers.set(id, (s = createPointerStore<LensHover>({ row: null, col: null }, sameHover)));
  return s;
}

// The notebook store: the open notebook's document {title, cellOrder, cells}, with undo/redo by zundo.
// History holds only the document (partialize), skips sets that leave it unchanged (shallow equality), keeps the
// last HISTORY_LIMIT steps, and folds a typing burst on one field into one step (handleSet below). Run data never
// enters this store (state/runs.ts). Components select by id; actions come from `notebookActions` (no subscription).
import { create, useStore } from 'zustand';
import { shallow } from 'zustand/shallow';
import { temporal } from 'zundo';
import * as ops from './notebook-ops';
import type { CellDoc, CellId, NotebookDoc } from './notebook-schema';
import { emptyDoc } from './notebook-schema';

export const HISTORY_LIMIT = 200;
/** Edits with the same group key closer together than this are one undo step (a typing burst). */
export const BURST_MS = 1000;

export interface NotebookState extends NotebookDoc {
  /** Edits are refused (a newer or corrupt file, shown as far as it can be read). Not part of undo. */
  readOnly: boolean;
}

const toDoc = (s: NotebookDoc): NotebookDoc => ({ title: s.title, cellOrder: s.cellOrder, cells: s.cells });

// zundo hands handleSet its internal recorder typed as setState; it is called with (past, replace, current, delta).
type RecordStep = (past: unknown, replace: unknown, current: unknown, delta: unknown) => void;

// The group key of the set in progress (null: a step of its own) and the burst it may extend.
let pendingGroup: string | null = null;
let burst: { key: string; at: number } | null = null;
let clock: () => number = () => Date.now();

/** Tests drive the burst window with their own clock. */
export function setHistoryClock(now: () => number): void {
  clock = now;
}

export const useNotebook = create<NotebookState>()(
  temporal((): NotebookState => ({ ...emptyDoc(''), readOnly: false }), {
    partialize: toDoc,
    equality: shallow,
    limit: HISTORY_LIMIT,
    handleSet: (record) => (past, replace, current, delta) => {
      const now = clock();
      const key = pendingGroup;
      if (key !== null && burst?.key === key && now - burst.at < BURST_MS) {
        burst.at = now; // same burst: the step recorded at its start already holds the state before it
        return;
      }
      burst = key === null ? null : { key, at: now };
      (record as unknown as RecordStep)(past, replace, current, delta);
    },
  }),
);

const temporalState = () => useNotebook.temporal.getState();

function commit(next: NotebookDoc, group: string | null = null): boolean {
  const s = useNotebook.getState();
  if (s.readOnly) return false;
  if (next.title === s.title && next.cellOrder === s.cellOrder && next.cells === s.cells) return false;
  pendingGroup = group;
  try {
    useNotebook.setState(toDoc(next));
  } finally {
    pendingGroup = null;
  }
  return true;
}

const docNow = (): NotebookDoc => toDoc(useNotebook.getState());

/** The last delete, so "Undo" in its toast can step back in history when nothing happened since. */
let lastDelete: { tombstone: ops.Tombstone; after: NotebookDoc } | null = null;

/** Change an Experiment cell's run ids in the document and in every past and future step, without a step. */
function patchEverywhere(id: CellId, f: (runIds: string[]) => string[]): boolean {
  if (useNotebook.getState().readOnly) return false;
  const patch = <T extends Partial<NotebookDoc>>(doc: T): T => {
    const c = doc.cells?.[id];
    if (c?.kind !== 'experiment') return doc;
    const runIds = f(c.runIds);
    return runIds === c.runIds ? doc : { ...doc, cells: { ...doc.cells, [id]: { ...c, runIds } } };
  };
  const now = docNow();
  const next = patch(now);
  if (next === now) return false;
  const t = temporalState();
  useNotebook.temporal.setState({ pastStates: t.pastStates.map(patch), futureStates: t.futureStates.map(patch) });
  t.pause();
  useNotebook.setState({ cells: next.cells });
  t.resume();
  if (lastDelete?.after.cells === now.cells) lastDelete = { ...lastDelete, after: next }; // nothing happened since
  return true;
}

export type NewCell = CellDoc extends infer C ? (C extends CellDoc ? Omit<C, 'id'> : never) : never;

/** Every change to the document goes through these (components call them; they never subscribe). */
export const notebookActions = {
  /** Replace the document (a notebook was opened): no undo step, history cleared. */
  load(doc: NotebookDoc, readOnly = false): void {
    temporalState().pause();
    useNotebook.setState({ ...toDoc(doc), readOnly });
    temporalState().resume();
    temporalState().clear();
    burst = null;
    lastDelete = null;
  },

  /** Add a cell above or below `anchor` (at the end when null); returns its new id, or null when read-only. */
  add(cell: NewCell, anchor: CellId | null = null, where: 'above' | 'below' = 'below'): CellId | null {
    const doc = docNow();
    const id = ops.newCellId(doc.cells);
    return commit(ops.insertNear(doc, { ...cell, id } as CellDoc, anchor, where)) ? id : null;
  },

  move(id: CellId, delta: number): boolean {
    return commit(ops.moveCell(docNow(), id, delta));
  },

  duplicate(id: CellId): CellId | null {
    const doc = docNow();
    const newId = ops.newCellId(doc.cells);
    return commit(ops.duplicateCell(doc, id, newId)) ? newId : null;
  },

  /** Delete a cell; its tombstone brings it back under the same id. */
  remove(id: CellId): ops.Tombstone | null {
    const { doc, tombstone } = ops.deleteCell(docNow(), id);
    if (!tombstone || !commit(doc)) return null;
    lastDelete = { tombstone, after: docNow() };
    return tombstone;
  },

  /** Bring a deleted cell back (same id, same place): one undo step back if nothing changed since, else a new edit. */
  restore(t: ops.Tombstone): boolean {
    const now = docNow();
    const d = lastDelete;
    if (d && d.tombstone.cell.id === t.cell.id && d.after.cellOrder === now.cellOrder && d.after.cells === now.cells) {
      notebookActions.undo();
      return true;
    }
    return commit(ops.restoreCell(now, t));
  },

  /** Change a cell's fields; `group` (e.g. "source:<id>") folds a burst of such edits into one undo step. */
  update<C extends CellDoc>(id: CellId, fields: Partial<Omit<C, 'id' | 'kind'>>, group: string | null = null) {
    return commit(ops.updateCell<C>(docNow(), id, fields), group);
  },

  setTitle(title: string): boolean {
    return commit(ops.setTitle(docNow(), title), 'title');
  },

  undo(): void {
    if (useNotebook.getState().readOnly) return;
    burst = null;
    temporalState().undo();
  },

  redo(): void {
    if (useNotebook.getState().readOnly) return;
    burst = null;
    temporalState().redo();
  },

  /** Link a run to an Experiment cell. Not an edit of its own: the link is written into every history step that
   *  holds the cell too, so no undo or redo ever drops it (run events never enter history; UI-ANCHORS rule 2). */
  attachRun(id: CellId, runId: string): boolean {
    return patchEverywhere(id, (ids) => (ids.includes(runId) ? ids : [...ids, runId]));
  },

  /** Unlink a run (it went to the trash), in the document and in every history step. */
  detachRun(id: CellId, runId: string): boolean {
    return patchEverywhere(id, (ids) => (ids.includes(runId) ? ids.filter((r) => r !== runId) : ids));
  },

  /** End the current typing burst (the next edit starts a new undo step), e.g. when an editor closes. */
  endBurst(): void {
    burst = null;
  },
};

// ---- selectors (subscribe by id; UI-ANCHORS rule 4) ----

export const useCell = (id: CellId): CellDoc | undefined => useNotebook((s) => s.cells[id]);
export const useCellOrder = (): CellId[] => useNotebook((s) => s.cellOrder);
export const useTitle = (): string => useNotebook((s) => s.title);
export const useReadOnly = (): boolean => useNotebook((s) => s.readOnly);
export const useCanUndo = (): boolean => useStore(useNotebook.temporal, (s) => s.pastStates.length > 0);
export const useCanRedo = (): boolean => useStore(useNotebook.temporal, (s) => s.futureStates.length > 0);

/** The document right now (for autosave and tests), without subscribing. */
export const getDoc = docNow;

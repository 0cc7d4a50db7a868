// Pure operations on the notebook document ({title, cellOrder, cells}): each returns a new document and never
// mutates its input, so the store can hand the previous one to undo history untouched. Tested without a DOM.
import type { CellDoc, CellId, NotebookDoc } from './notebook-schema';

/** A deleted cell and where it stood, enough to put it back under the same id (UI-ANCHORS rule 3). */
export interface Tombstone {
  cell: CellDoc;
  index: number;
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh 8-character id not used by `taken`. `random` returns numbers in [0, 1). */
export function newCellId(taken: ReadonlySet<string> | Record<string, unknown>, random: () => number = Math.random) {
  const has = (id: string) => (taken instanceof Set ? taken.has(id) : Object.hasOwn(taken, id));
  for (;;) {
    let id = '';
    for (let i = 0; i < 8; i++) id += ID_CHARS[Math.floor(random() * ID_CHARS.length)];
    if (!has(id)) return id;
  }
}

const clamp = (i: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, i));

/** Insert `cell` at `index` (clamped to the ends). Throws if its id is already in the notebook. */
export function insertCell(doc: NotebookDoc, cell: CellDoc, index: number): NotebookDoc {
  if (Object.hasOwn(doc.cells, cell.id)) throw new Error(`cell id "${cell.id}" is already in the notebook`);
  const order = doc.cellOrder.slice();
  order.splice(clamp(index, 0, order.length), 0, cell.id);
  return { ...doc, cellOrder: order, cells: { ...doc.cells, [cell.id]: cell } };
}

/** Insert `cell` just above or below `anchor` (at the end when the anchor is null or gone). */
export function insertNear(doc: NotebookDoc, cell: CellDoc, anchor: CellId | null, where: 'above' | 'below') {
  const i = anchor === null ? -1 : doc.cellOrder.indexOf(anchor);
  if (i < 0) return insertCell(doc, cell, doc.cellOrder.length);
  return insertCell(doc, cell, where === 'above' ? i : i + 1);
}

/** Move a cell by `delta` places (clamped); the same document if it cannot move. */
export function moveCell(doc: NotebookDoc, id: CellId, delta: number): NotebookDoc {
  const from = doc.cellOrder.indexOf(id);
  if (from < 0) return doc;
  const to = clamp(from + delta, 0, doc.cellOrder.length - 1);
  if (to === from) return doc;
  const order = doc.cellOrder.slice();
  order.splice(from, 1);
  order.splice(to, 0, id);
  return { ...doc, cellOrder: order };
}

/** A copy of a cell under a new id, placed just below it. An Experiment copy keeps its spec but not the runs. */
export function duplicateCell(doc: NotebookDoc, id: CellId, newId: CellId): NotebookDoc {
  const cell = doc.cells[id];
  if (!cell) return doc;
  const copy = structuredClone(cell) as CellDoc;
  copy.id = newId;
  if (copy.kind === 'experiment') copy.runIds = [];
  return insertNear(doc, copy, id, 'below');
}

/** Remove a cell; the tombstone puts it back (null when the id is unknown). */
export function deleteCell(doc: NotebookDoc, id: CellId): { doc: NotebookDoc; tombstone: Tombstone | null } {
  const index = doc.cellOrder.indexOf(id);
  if (index < 0) return { doc, tombstone: null };
  const { [id]: cell, ...cells } = doc.cells;
  return { doc: { ...doc, cellOrder: doc.cellOrder.filter((c) => c !== id), cells }, tombstone: { cell, index } };
}

/** Put a deleted cell back where it was, under the same id. No-op if a cell with that id is present. */
export function restoreCell(doc: NotebookDoc, t: Tombstone): NotebookDoc {
  if (Object.hasOwn(doc.cells, t.cell.id)) return doc;
  return insertCell(doc, t.cell, t.index);
}

/** Replace a cell's fields (never its id or kind). The same document if nothing changed. */
export function updateCell<C extends CellDoc>(doc: NotebookDoc, id: CellId, fields: Partial<Omit<C, 'id' | 'kind'>>) {
  const cell = doc.cells[id];
  if (!cell) return doc;
  const changed = Object.entries(fields).some(([k, v]) => (cell as Record<string, unknown>)[k] !== v);
  if (!changed) return doc;
  return { ...doc, cells: { ...doc.cells, [id]: { ...cell, ...fields, id, kind: cell.kind } as CellDoc } };
}

export function setTitle(doc: NotebookDoc, title: string): NotebookDoc {
  return title === doc.title ? doc : { ...doc, title };
}

/** The cell next to `id` in `direction` (-1 up, +1 down), or null at the ends. */
export function neighbour(doc: NotebookDoc, id: CellId | null, direction: -1 | 1): CellId | null {
  if (doc.cellOrder.length === 0) return null;
  const i = id === null ? -1 : doc.cellOrder.indexOf(id);
  if (i < 0) return direction > 0 ? doc.cellOrder[0] : doc.cellOrder[doc.cellOrder.length - 1];
  return doc.cellOrder[i + direction] ?? null;
}

// Edits of an Experiment cell's spec, as document changes (undoable; typing in one field is one undo step).
import { presets } from '../../../experiments/index';
import { getDoc, notebookActions } from '../../state/notebook';
import type { CellId, ExperimentCell } from '../../state/notebook-schema';
import { UNION_KINDS, unionSwitch } from './spec-fields';
import { setIn, type Path } from './spec-schema';

function cellOf(id: CellId): ExperimentCell | null {
  const c = getDoc().cells[id];
  return c && c.kind === 'experiment' ? c : null;
}

/** Set one field; choosing another data source or tokenizer kind replaces that whole object. */
export function setSpecField(id: CellId, path: Path, value: unknown, typing: boolean): void {
  const cell = cellOf(id);
  if (!cell) return;
  const key = path.join('.');
  const spec = UNION_KINDS.has(key)
    ? setIn(cell.spec, path.slice(0, -1), unionSwitch(path, String(value)))
    : setIn(cell.spec, path, value);
  notebookActions.update<ExperimentCell>(id, { spec }, typing ? `spec:${id}:${key}` : null);
}

/** Replace the whole spec (the raw JSON editor); one undo step per typing burst. */
export function setSpecJson(id: CellId, spec: Record<string, unknown>): void {
  if (!cellOf(id)) return;
  notebookActions.update<ExperimentCell>(id, { spec }, `json:${id}`);
}

/** Start from a preset: a fresh copy of its spec (one undo step). */
export function applyPreset(id: CellId, name: string): void {
  const p = presets[name];
  if (!p || !cellOf(id)) return;
  notebookActions.update<ExperimentCell>(id, {
    preset: name,
    spec: structuredClone(p.spec) as Record<string, unknown>,
  });
}

/** Whether the spec differs from its preset's. */
export function isEdited(preset: string | null, spec: Record<string, unknown>): boolean {
  if (!preset || !presets[preset]) return false;
  return JSON.stringify(presets[preset].spec) !== JSON.stringify(spec);
}

// Per-cell selectors of an Experiment cell's spec, and its validation, computed once per spec object.
import { useNotebook } from '../../state/notebook';
import type { CellId, ExperimentCell } from '../../state/notebook-schema';
import { useView } from '../../state/view';
import { checkSpec, type SpecCheck } from './spec-schema';
import { labelOf } from './spec-fields';

const checked = new WeakMap<object, SpecCheck>();

/** checkSpec, memoised on the spec object (the document replaces it on every edit, so identity is enough). */
export function checkSpecCached(spec: Record<string, unknown>): SpecCheck {
  let r = checked.get(spec);
  if (!r) checked.set(spec, (r = checkSpec(spec)));
  return r;
}

const EMPTY: Record<string, unknown> = {};
const asExperiment = (c: unknown) => c as ExperimentCell | undefined;

export const useSpec = (id: CellId): Record<string, unknown> =>
  useNotebook((s) => asExperiment(s.cells[id])?.spec ?? EMPTY);
export const usePreset = (id: CellId): string | null => useNotebook((s) => asExperiment(s.cells[id])?.preset ?? null);
export const useSpecCheck = (id: CellId): SpecCheck => checkSpecCached(useSpec(id));

/** Why this cell cannot run now (the first problem, naming its field), or null when its spec is valid. */
export function useSpecProblem(id: CellId): string | null {
  const check = useSpecCheck(id);
  const jsonError = useView((s) => s.jsonDraftError[id] ?? null);
  if (jsonError) return `the JSON does not parse: ${jsonError}`;
  if (check.ok) return null;
  const first = check.issues[0];
  const label = labelOf(first.path);
  const where = first.path ? (label ? `${label} (${first.path})` : first.path) : 'spec';
  const more = check.issues.length > 1 ? ` (+${check.issues.length - 1} more)` : '';
  return `${where}: ${first.message}${more}`;
}

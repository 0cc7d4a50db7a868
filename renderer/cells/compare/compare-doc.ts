// A Compare cell in the notebook (renderer/state/notebook-schema.ts `compare`): {runIds, colors, hidden, xAxis,
// yMetric, smoothing, sort}, plus fields the schema keeps as they are (passthrough): logX, logY, filter (the
// table's text filter), colorBy ("run" or a column key) and followCells (Experiment cells whose runs it shows as
// they appear: the paper comparison binds its three queued runs this way, before they have ids). Pure.
import type { NewCell } from '../../state/notebook';
import type { CellDoc, CompareCell, ExperimentCell } from '../../state/notebook-schema';
import { DEFAULT_Y_METRIC } from './y-metrics';

export interface CompareExtras {
  logX?: boolean;
  logY?: boolean;
  filter?: string;
  colorBy?: string;
  followCells?: string[];
}

export type CompareDoc = CompareCell & CompareExtras;

export const DEFAULT_SORT = { column: 'valLoss', dir: 'asc' } as const;

export function newCompare(runIds: string[] = []): NewCell {
  return {
    kind: 'compare',
    runIds,
    colors: {},
    hidden: [],
    xAxis: 'step',
    yMetric: DEFAULT_Y_METRIC,
    smoothing: 0.6,
    sort: { ...DEFAULT_SORT },
  } as NewCell;
}

/** The runs the cell shows: its own, then those of the Experiment cells it follows (oldest first), once each. */
export function cellRunIds(c: CompareDoc, cells: Record<string, CellDoc>): string[] {
  const out = [...c.runIds];
  for (const id of c.followCells ?? []) {
    const e = cells[id];
    if (e?.kind === 'experiment') for (const r of e.runIds) if (!out.includes(r)) out.push(r);
  }
  return out;
}

/** The change that takes a run out of the cell: out of its own list, or, for a followed cell's run, that cell is
 *  no longer followed and its other runs stay as the cell's own. */
export function withoutRun(c: CompareDoc, cells: Record<string, CellDoc>, runId: string): Partial<CompareDoc> {
  const follow = (c.followCells ?? []).find((id) => {
    const e = cells[id];
    return e?.kind === 'experiment' && e.runIds.includes(runId);
  });
  if (!follow) return { runIds: c.runIds.filter((r) => r !== runId), hidden: c.hidden.filter((r) => r !== runId) };
  const others = (cells[follow] as ExperimentCell).runIds.filter((r) => r !== runId && !c.runIds.includes(r));
  return {
    runIds: [...c.runIds, ...others],
    followCells: (c.followCells ?? []).filter((id) => id !== follow),
    hidden: c.hidden.filter((r) => r !== runId),
  };
}

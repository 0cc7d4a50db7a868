// The live panels under an Experiment cell (renderer/panels): bound to the run the cell shows (selection.ts) and to
// the cell's `view` in the notebook (x-axis, log axes, smoothing, routing layer and side), so a reload restores them
// and Undo walks them back. A smoothing drag is one undo step (a burst), every other change one step each.
import { memo, useCallback, useMemo } from 'react';
import { PanelGrid } from '../../panels/panel-grid';
import type { PanelsView, ViewChange } from '../../panels/panel-view';
import { useSelectedRun } from '../../runs/selection';
import { getDoc, notebookActions, useNotebook } from '../../state/notebook';
import type { CellId, ExperimentCell } from '../../state/notebook-schema';

export const RunPanels = memo(function RunPanels({ id }: { id: CellId }) {
  const selected = useSelectedRun(id);
  const view = useNotebook((s) => (s.cells[id] as ExperimentCell | undefined)?.view) as PanelsView | undefined;
  const runIds = useMemo(() => (selected ? [selected] : []), [selected]);
  const onViewChange = useCallback<ViewChange>(
    (change) => {
      const cell = getDoc().cells[id] as ExperimentCell | undefined;
      if (cell?.kind !== 'experiment') return;
      const group = Object.keys(change).length === 1 && 'smoothing' in change ? `view:${id}:smoothing` : null;
      notebookActions.update<ExperimentCell>(id, { view: { ...cell.view, ...change } }, group);
    },
    [id],
  );
  return <PanelGrid runIds={runIds} view={view} onViewChange={onViewChange} label="Run panels" />;
});

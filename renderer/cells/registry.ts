// The cell kinds the notebook can show and add: notes, experiments, inspect (the routing lens) and compare.
import type { ComponentType } from 'react';
import type { NewCell } from '../state/notebook';
import type { CellId, CellKind } from '../state/notebook-schema';
import { exportCellToPyTorch } from '../export/pytorch-export';
import type { CellMenuItem } from './cell-menu';
import { CompareCell, CompareTitle } from './compare/compare-cell';
import { newCompare } from './compare/compare-doc';
import { newExperiment, newNote } from './defaults';
import { useRuns } from '../state/runs';
import { ExperimentCell, ExperimentTitle } from './experiment/experiment-cell';
import { InspectCell, InspectTitle } from './inspect/inspect-cell';
import { NoteCell } from './note/note-cell';

export interface CellKindDef {
  label: string; // shown in the cell header and on the "+ Label" button
  create(): NewCell;
  Body: ComponentType<{ id: string }>;
  /** A few words after the kind in the cell's header (an Experiment's spec name); optional. */
  Title?: ComponentType<{ id: string }>;
  /** Shift+Enter on a cell of this kind; absent: the kind has nothing to run. */
  runnable: boolean;
  /** Actions of the cell's "More" menu in its header; absent: no menu. */
  menu?: (id: CellId) => CellMenuItem[];
}

export const CELL_KINDS: Partial<Record<CellKind, CellKindDef>> = {
  note: { label: 'Note', create: () => newNote(), Body: NoteCell, runnable: false },
  experiment: {
    label: 'Experiment',
    create: () => newExperiment(),
    Body: ExperimentCell,
    Title: ExperimentTitle,
    runnable: true,
    menu: (id) => [
      {
        label: 'Export to PyTorch',
        title: 'Write this spec as a PyTorch folder (model, DDP training script, data) into the workspace’s exports/',
        run: () => void exportCellToPyTorch(id),
      },
    ],
  },
  inspect: {
    label: 'Inspect',
    // the newest run of the workspace, if any: the lens has something to show at once
    create: () => ({
      kind: 'inspect',
      runId: useRuns.getState().order[0] ?? null,
      probeText: null,
      layer: 0,
      head: 0,
      step: null,
    }),
    Body: InspectCell,
    Title: InspectTitle,
    runnable: false,
  },
  compare: { label: 'Compare', create: () => newCompare(), Body: CompareCell, Title: CompareTitle, runnable: false },
};

export const addableKinds = (): [CellKind, CellKindDef][] => Object.entries(CELL_KINDS) as [CellKind, CellKindDef][];

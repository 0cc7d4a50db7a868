// The cell kinds the notebook can show and add. Compare (issue 9) registers here the same way.
import type { ComponentType } from 'react';
import type { NewCell } from '../state/notebook';
import type { CellKind } from '../state/notebook-schema';
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
}

export const CELL_KINDS: Partial<Record<CellKind, CellKindDef>> = {
  note: { label: 'Note', create: () => newNote(), Body: NoteCell, runnable: false },
  experiment: {
    label: 'Experiment',
    create: () => newExperiment(),
    Body: ExperimentCell,
    Title: ExperimentTitle,
    runnable: true,
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
};

export const addableKinds = (): [CellKind, CellKindDef][] => Object.entries(CELL_KINDS) as [CellKind, CellKindDef][];

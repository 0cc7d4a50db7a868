// The cell kinds the notebook can show and add. Compare and Inspect (issue 9) register here the same way.
import type { ComponentType } from 'react';
import type { NewCell } from '../state/notebook';
import type { CellKind } from '../state/notebook-schema';
import { newExperiment, newNote } from './defaults';
import { ExperimentCell, ExperimentTitle } from './experiment/experiment-cell';
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
};

export const addableKinds = (): [CellKind, CellKindDef][] => Object.entries(CELL_KINDS) as [CellKind, CellKindDef][];

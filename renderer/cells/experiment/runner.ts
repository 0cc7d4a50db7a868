// Where the run controller (renderer/runs/) plugs in: it registers the function that runs an Experiment cell.
// Until one is registered the cell's Run button stays disabled and says why.
import { create } from 'zustand';
import type { CellId } from '../../state/notebook-schema';

export type ExperimentRunner = (cellId: CellId) => void;

const useRunner = create<{ run: ExperimentRunner | null }>(() => ({ run: null }));

export const setExperimentRunner = (run: ExperimentRunner | null): void => useRunner.setState({ run });
export const useExperimentRunner = (): ExperimentRunner | null => useRunner((s) => s.run);
export const getExperimentRunner = (): ExperimentRunner | null => useRunner.getState().run;

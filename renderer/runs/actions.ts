// What the run bar, the cell's run list and the sidebar do with runs, in one place (components call these; they
// never hold the controller). Each one reports problems as a toast instead of throwing into React.
import type { CellId } from '../state/notebook-schema';
import { useRuns } from '../state/runs';
import { viewActions } from '../state/view';
import { getRunController } from './install';
import { selectRun } from './selection';

function controller() {
  const c = getRunController();
  if (!c) viewActions.toast('Training is not available: the page is not connected to its workspace.', { tone: 'error' });
  return c;
}

const report = (what: string) => (e: unknown) =>
  viewActions.toast(`${what}: ${(e as Error)?.message ?? String(e)}`, { tone: 'error' });

export const runActions = {
  /** Queue a new run of the cell's spec; its panels switch to it. */
  run(cellId: CellId): void {
    selectRun(cellId, null);
    controller()?.runCell(cellId);
  },
  /** Continue an interrupted run from its newest checkpoint. */
  resumeInterrupted(runId: string): void {
    controller()?.resumeRun(runId);
  },
  pause: (runId: string) => void controller()?.pause(runId).catch(report('Pause')),
  resume: (runId: string) => void controller()?.resume(runId).catch(report('Resume')),
  step: (runId: string) => void controller()?.step(runId).catch(report('Step')),
  stop: (runId: string) => void controller()?.stop(runId).catch(report('Stop')),
  cancel: (jobId: number) => void controller()?.cancel(jobId).catch(report('Cancel')),
  setLearningRate: (runId: string, lr: number) =>
    void controller()?.setLearningRate(runId, lr).catch(report('Learning rate')),

  /** Move a run to the workspace's trash after asking (its files stay recoverable in trash/). */
  async trash(runId: string): Promise<void> {
    const c = controller();
    if (!c) return;
    const name = useRuns.getState().runs[runId]?.listing?.name ?? runId;
    const ok = await viewActions.confirm(
      `Delete run “${name}”?`,
      `The run folder ${runId} moves to the workspace’s trash/ folder; nothing is erased. Its curves leave this notebook.`,
      'Move to trash',
    );
    if (!ok) return;
    await c.trash(runId).catch(report('Delete run'));
  },
};

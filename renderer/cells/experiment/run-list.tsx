// The runs of an Experiment cell, newest first: pick the one the panels show (the newest by default), resume an
// interrupted one, move one to the trash (after asking). Absent while the cell has no run.
import { memo } from 'react';
import { Icon, type IconName } from '../../app/icons';
import { runActions } from '../../runs/actions';
import { selectRun, useCellRunIds, useSelectedRun } from '../../runs/selection';
import { PHASE_WORDS, useRunPhase, type RunPhase } from '../../runs/status';
import type { CellId } from '../../state/notebook-schema';
import { useRuns } from '../../state/runs';

const ICON: Partial<Record<RunPhase, IconName>> = {
  running: 'dot',
  complete: 'check',
  interrupted: 'pause',
  paused: 'pause',
  failed: 'close',
  stopped: 'square',
};

function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const RunRow = memo(function RunRow(p: { cellId: CellId; runId: string; n: number; selected: boolean }) {
  const phase = useRunPhase(p.runId);
  const created = useRuns((s) => {
    const e = s.runs[p.runId];
    return e?.listing?.createdAt ?? (e?.specFile as { createdAt?: string } | null)?.createdAt ?? null;
  });
  const steps = useRuns((s) => {
    const l = s.runs[p.runId]?.listing;
    return l ? `${l.lastStep.toLocaleString('en-US')}/${l.totalSteps.toLocaleString('en-US')}` : '';
  });
  const busy =
    phase === 'queued' || phase === 'starting' || phase === 'running' || phase === 'paused' || phase === 'stopping';
  const label = `Run ${p.n}`;
  return (
    <li className={`cell-run cell-run-${phase}`} data-selected={p.selected || undefined}>
      <button
        type="button"
        className="cell-run-pick"
        aria-pressed={p.selected}
        aria-label={`${label}: ${PHASE_WORDS[phase]}${p.selected ? ', shown' : ''}`}
        title={`${p.runId}\nShow this run in the panels below`}
        onClick={() => selectRun(p.cellId, p.runId)}
      >
        <span className="cell-run-icon">{ICON[phase] && <Icon name={ICON[phase]!} size={13} />}</span>
        <span className="cell-run-name">{label}</span>
        <span className="cell-run-when">{when(created)}</span>
        <span className="cell-run-phase">{PHASE_WORDS[phase]}</span>
        <span className="cell-run-steps">{steps}</span>
      </button>
      {phase === 'interrupted' && (
        <button
          type="button"
          className="btn btn-small"
          aria-label={`Resume ${label}`}
          title="Continue from its newest checkpoint"
          onClick={() => runActions.resumeInterrupted(p.runId)}
        >
          Resume
        </button>
      )}
      <button
        type="button"
        className="icon-btn icon-btn-small"
        aria-label={`Delete ${label}`}
        title={busy ? 'Stop the run before deleting it' : 'Move this run to the trash'}
        disabled={busy}
        onClick={() => void runActions.trash(p.runId)}
      >
        <Icon name="trash" size={13} />
      </button>
    </li>
  );
});

export const RunList = memo(function RunList({ id }: { id: CellId }) {
  const ids = useCellRunIds(id);
  const selected = useSelectedRun(id);
  if (ids.length === 0) return null;
  return (
    <ul className="cell-runs" aria-label="Runs of this cell">
      {ids
        .map((runId, i) => ({ runId, n: i + 1 }))
        .reverse()
        .map(({ runId, n }) => (
          <RunRow key={runId} cellId={id} runId={runId} n={n} selected={runId === selected} />
        ))}
    </ul>
  );
});

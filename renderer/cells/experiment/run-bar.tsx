// The Experiment cell's run bar: Run (Shift+Enter), Pause / Resume, Step, Stop, the learning rate while training,
// then the progress line (step of total, tokens/s, ETA), the backend badge and live tensor memory. Run is disabled
// while the spec is invalid, naming the field. A run that could not start, or failed, says why under the bar.
import './run-bar.css';
import { memo, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { BackendBadge, TensorMemory } from '../../app/backend-badge';
import { Icon } from '../../app/icons';
import { runActions } from '../../runs/actions';
import { formatDuration, formatRate, progressOf } from '../../runs/format';
import { queuedOfCell, queuePosition, useCellJob, useQueue, useStartProblem, type Job } from '../../runs/queue';
import { useSelectedRun } from '../../runs/selection';
import { failureOf, PHASE_WORDS, useRunPhase } from '../../runs/status';
import type { CellId } from '../../state/notebook-schema';
import { entry, useRuns, useRunVersion } from '../../state/runs';
import { useSpecProblem } from './use-spec';

function StepIcon() {
  return (
    <svg className="icon" width={14} height={14} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path d="M6 6v12l8.5-6z" fill="none" stroke="currentColor" strokeWidth={1.75} strokeLinejoin="round" />
      <path d="M18 6v12" stroke="currentColor" strokeWidth={1.75} strokeLinecap="round" />
    </svg>
  );
}

/** The learning rate of a training run: type a new one, Enter (or Set) applies it from the next step on. */
function LearningRate({ runId, enabled }: { runId: string; enabled: boolean }) {
  const lr = useRuns((s) => s.runs[runId]?.live?.lr ?? null);
  const [text, setText] = useState(lr === null ? '' : String(lr));
  useEffect(() => setText(lr === null ? '' : String(lr)), [lr]);
  const value = Number(text);
  const valid = text.trim() !== '' && Number.isFinite(value) && value > 0;
  const apply = () => valid && value !== lr && runActions.setLearningRate(runId, value);
  return (
    <form
      className="run-lr"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <label className="run-lr-label" htmlFor={`lr-${runId}`}>
        lr
      </label>
      <input
        id={`lr-${runId}`}
        className="field-input run-lr-input"
        aria-label="Learning rate"
        inputMode="decimal"
        value={text}
        disabled={!enabled}
        aria-invalid={valid ? undefined : true}
        title="The base learning rate (the schedule scales it); applies from the next step"
        onChange={(e) => setText(e.target.value)}
      />
      <button type="submit" className="btn btn-small" disabled={!enabled || !valid || value === lr}>
        Set
      </button>
    </form>
  );
}

/** "step 120 / 200 · 1,840 tok/s · ETA 42s" for a live run; the outcome for one that ended. */
function ProgressLine({ runId }: { runId: string }) {
  useRunVersion(runId);
  const phase = useRunPhase(runId);
  const e = entry(runId);
  const total = e.live?.totalSteps ?? e.listing?.totalSteps ?? 0;
  const p = progressOf(
    { step: e.train.get('step'), tokens: e.train.get('tokens'), time_s: e.train.get('time_s') },
    total,
  );
  const step = Math.max(p.step, e.listing && !e.live ? e.listing.lastStep : 0);
  const live = phase === 'running' || phase === 'paused' || phase === 'stopping';
  const parts = [`step ${step.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`];
  if (p.tokensPerS !== null) parts.push(formatRate(p.tokensPerS));
  if (phase === 'running' && p.etaS !== null) parts.push(`ETA ${formatDuration(p.etaS)}`);
  return (
    <p className="run-progress" aria-label="Progress" aria-live="off">
      <span className={`run-phase run-phase-${phase}`}>{PHASE_WORDS[phase]}</span>
      <span className="run-progress-text">{parts.join(' · ')}</span>
      {live && total > 0 && (
        <span className="run-meter" aria-hidden="true">
          <span style={{ width: `${Math.min(100, (100 * step) / total)}%` }} />
        </span>
      )}
    </p>
  );
}

function QueuedNote({ job }: { job: Job }) {
  const pos = useQueue((s) => queuePosition(s, job.id));
  return (
    <p className="run-progress" aria-label="Progress">
      <span className="run-phase run-phase-queued">{job.state === 'queued' ? 'queued' : 'starting'}</span>
      <span className="run-progress-text">
        {job.state === 'queued'
          ? `waits for the run before it${pos > 1 ? ` (${pos} in line)` : ''}: one run at a time on the CPU`
          : `${job.label}: loading the data and the engine…`}
      </span>
    </p>
  );
}

/** Runs of this cell waiting behind its live one: how many, and a way to take them out of the queue. */
function MoreQueued({ id, live }: { id: CellId; live: Job | null }) {
  const waiting = useQueue(useShallow((s) => queuedOfCell(s, id).filter((j) => j.id !== live?.id)));
  if (!live || waiting.length === 0) return null;
  const n = waiting.length;
  return (
    <p className="run-queued-more" role="status">
      {n} more run{n === 1 ? '' : 's'} of this spec queued
      <button type="button" className="btn btn-small" onClick={() => waiting.forEach((j) => runActions.cancel(j.id))}>
        Cancel queued
      </button>
    </p>
  );
}

/** The buttons: what applies now is enabled; the rest stay in place (disabled), so nothing jumps. */
function Controls({ id, job, runId }: { id: CellId; job: Job | null; runId: string | null }) {
  const problem = useSpecProblem(id);
  const phase = useRunPhase(job?.runId ?? null);
  const livePhase = job ? (job.runId ? phase : job.state) : null;
  const running = livePhase === 'running';
  const paused = livePhase === 'paused';
  const active = job?.runId ?? null;
  const selectedPhase = useRunPhase(runId);
  const canResumeInterrupted = !job && runId !== null && selectedPhase === 'interrupted';
  const why = problem
    ? `Fix the spec first: ${problem}`
    : job
      ? 'Queue another run of this spec'
      : 'Train this spec (Shift+Enter)';
  return (
    <div className="run-controls" role="group" aria-label="Run controls">
      <button
        type="button"
        className="btn btn-primary"
        disabled={problem !== null}
        title={why}
        onClick={() => runActions.run(id)}
      >
        <Icon name="play" size={14} /> Run
      </button>
      {canResumeInterrupted ? (
        <button
          type="button"
          className="btn"
          title="Continue this interrupted run from its newest checkpoint"
          onClick={() => runActions.resumeInterrupted(runId!)}
        >
          <Icon name="play" size={14} /> Resume
        </button>
      ) : paused ? (
        <button type="button" className="btn" onClick={() => active && runActions.resume(active)}>
          <Icon name="play" size={14} /> Resume
        </button>
      ) : (
        <button type="button" className="btn" disabled={!running} onClick={() => active && runActions.pause(active)}>
          <Icon name="pause" size={14} /> Pause
        </button>
      )}
      <button
        type="button"
        className="btn"
        disabled={!paused}
        title="Train exactly one step (while paused)"
        onClick={() => active && runActions.step(active)}
      >
        <StepIcon /> Step
      </button>
      <button
        type="button"
        className="btn"
        disabled={!job || livePhase === 'stopping'}
        title={
          job?.state === 'queued' ? 'Take this run out of the queue' : 'End this run for good (it is saved as stopped)'
        }
        onClick={() => job && (job.runId ? runActions.stop(job.runId) : runActions.cancel(job.id))}
      >
        <Icon name="square" size={14} /> {job?.state === 'queued' ? 'Cancel' : 'Stop'}
      </button>
      {active && <LearningRate runId={active} enabled={running || paused} />}
    </div>
  );
}

function Problem({ id, runId, job }: { id: CellId; runId: string | null; job: Job | null }) {
  const specProblem = useSpecProblem(id);
  const startProblem = useStartProblem(id);
  const failure = useRuns((s) => (runId ? failureOf(s.runs[runId]) : null));
  const phase = useRunPhase(runId);
  if (specProblem)
    return (
      <p className="run-problem" role="status">
        Spec problem: {specProblem}
      </p>
    );
  if (startProblem && !job)
    return (
      <p className="run-error" role="alert">
        {startProblem}
      </p>
    );
  if (failure && (phase === 'failed' || phase === 'interrupted' || phase === 'stopped'))
    return (
      <p className="run-error" role="alert">
        <strong>Run failed:</strong> {failure}. Its curves and checkpoints are kept; the next run starts a fresh worker.
      </p>
    );
  return null;
}

export const RunBar = memo(function RunBar({ id }: { id: CellId }) {
  const job = useCellJob(id);
  const selected = useSelectedRun(id);
  const shown = job?.runId ?? selected; // the live run of the cell, else the one its panels show
  return (
    <div className="run-bar">
      <div className="run-bar-row">
        <Controls id={id} job={job} runId={selected} />
        <div className="run-status">
          {job && !job.runId ? <QueuedNote job={job} /> : shown && <ProgressLine runId={shown} />}
          {shown && <TensorMemory runId={shown} />}
          {shown && <BackendBadge runId={shown} />}
        </div>
      </div>
      <MoreQueued id={id} live={job} />
      <Problem id={id} runId={shown} job={job} />
    </div>
  );
});

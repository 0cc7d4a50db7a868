// The sidebar: the workspace's notebooks (open, new, rename, move to trash) and every run in the workspace, the
// app's and the CLI's, with its state as an icon and a word (never colour alone); an interrupted run offers Resume,
// and clicking a run shows the cell that owns it.
import { memo, useState } from 'react';
import type { RunListing } from '../../engine/contracts/platform';
import { createNotebook, openNotebook, trashNotebook, useFiles } from '../state/notebook-files';
import { exportRunToPyTorch } from '../export/pytorch-export';
import { runActions } from '../runs/actions';
import { ownerCell } from '../runs/controller';
import { selectRun } from '../runs/selection';
import { useRunPhase, type RunPhase } from '../runs/status';
import { useRuns } from '../state/runs';
import { viewActions } from '../state/view';
import { Icon, type IconName } from './icons';
import { RenameField } from './top-bar';
import { useWorkspaceInfo } from './workspace';

function NotebookItem({ name }: { name: string }) {
  const current = useFiles((s) => s.current === name);
  const [renaming, setRenaming] = useState(false);
  if (renaming)
    return (
      <li className="nb-item">
        <RenameField from={name} onDone={() => setRenaming(false)} />
      </li>
    );
  const trash = async () => {
    const ok = await viewActions.confirm(
      `Move “${name}” to the trash?`,
      'The file moves to the workspace’s trash/ folder; nothing is erased. Its runs stay in the workspace.',
      'Move to trash',
    );
    if (ok) await trashNotebook(name);
  };
  return (
    <li className="nb-item" data-current={current || undefined}>
      <button
        type="button"
        className="nb-open"
        aria-current={current ? 'page' : undefined}
        onClick={() => !current && void openNotebook(name)}
      >
        {name}
      </button>
      <span className="item-actions">
        <button
          type="button"
          className="icon-btn icon-btn-small"
          aria-label={`Rename ${name}`}
          title="Rename"
          onClick={() => setRenaming(true)}
        >
          <Icon name="pencil" size={14} />
        </button>
        <button
          type="button"
          className="icon-btn icon-btn-small"
          aria-label={`Move ${name} to trash`}
          title="Move to trash"
          onClick={() => void trash()}
        >
          <Icon name="trash" size={14} />
        </button>
      </span>
    </li>
  );
}

function Notebooks() {
  const list = useFiles((s) => s.list);
  const busy = useFiles((s) => s.busy);
  return (
    <section className="side-section" aria-labelledby="side-notebooks">
      <div className="side-head">
        <h2 id="side-notebooks">Notebooks</h2>
        <button
          type="button"
          className="icon-btn icon-btn-small"
          aria-label="New notebook"
          title="New notebook"
          disabled={busy}
          onClick={() => void createNotebook()}
        >
          <Icon name="plus" size={14} />
        </button>
      </div>
      {list.length === 0 ? (
        <p className="side-empty">No notebooks yet.</p>
      ) : (
        <ul className="nb-list">
          {list.map((n) => (
            <NotebookItem key={n.name} name={n.name} />
          ))}
        </ul>
      )}
    </section>
  );
}

const STATUS: Record<RunPhase, { icon: IconName; word: string }> = {
  running: { icon: 'dot', word: 'running' },
  complete: { icon: 'check', word: 'complete' },
  interrupted: { icon: 'pause', word: 'interrupted' },
  failed: { icon: 'close', word: 'failed' },
  stopped: { icon: 'square', word: 'stopped' },
  queued: { icon: 'dot', word: 'queued' },
  starting: { icon: 'dot', word: 'starting' },
  paused: { icon: 'pause', word: 'paused' },
  stopping: { icon: 'square', word: 'stopping' },
  unknown: { icon: 'dot', word: 'loading' },
};

function progress(l: RunListing): string {
  if (!l.totalSteps) return '';
  return `${Math.floor((100 * l.lastStep) / l.totalSteps)}%`;
}

/** Show the run's cell (scrolled into view, focused, the run picked in its panels), when a cell of this notebook has it. */
function revealRun(id: string): void {
  const cell = ownerCell(id);
  if (!cell) return void viewActions.toast('No cell of this notebook shows this run.');
  selectRun(cell, id);
  viewActions.focusCell(cell);
  const el = document.getElementById(`cell-${cell}`);
  el?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  el?.focus({ preventScroll: true });
}

const RunItem = memo(function RunItem({ id }: { id: string }) {
  const l = useRuns((s) => s.runs[id]?.listing ?? null);
  const phase = useRunPhase(id);
  if (!l) return null;
  const st = STATUS[phase === 'unknown' ? l.status : phase];
  const who = l.writer === 'cli' ? 'CLI' : l.writer === 'app' ? 'app' : l.writer === 'export' ? 'export' : null;
  const title = [
    `${l.name} (${l.id})`,
    `${st.word}, step ${l.lastStep.toLocaleString('en-US')} of ${l.totalSteps.toLocaleString('en-US')}`,
    who && `written by the ${who}`,
    l.createdAt && `created ${new Date(l.createdAt).toLocaleString()}`,
  ]
    .filter(Boolean)
    .join('\n');
  const live = phase === 'running' || phase === 'paused' || phase === 'stopping';
  return (
    <li
      className={`run-item run-${phase === 'paused' ? 'interrupted' : phase}`}
      title={title}
      tabIndex={0}
      aria-label={`${l.name}: ${st.word}${who ? `, ${who}` : ''}`}
      onClick={(e) => !(e.target as Element).closest('button') && revealRun(id)}
      onKeyDown={(e) => e.key === 'Enter' && e.target === e.currentTarget && revealRun(id)}
    >
      <span className="run-icon">
        <Icon name={st.icon} size={14} />
      </span>
      <span className="run-name">{l.name}</span>
      <span className="run-sub">
        {who === 'CLI' && <span className="tag">CLI</span>}
        {phase === 'interrupted' ? (
          <button
            type="button"
            className="btn btn-small run-resume"
            aria-label={`Resume ${l.name}`}
            title={`Interrupted at ${progress(l)}: continue from its newest checkpoint`}
            onClick={() => runActions.resumeInterrupted(id)}
          >
            Resume
          </button>
        ) : (
          <span className="run-meta">
            {live ? `${st.word === 'running' ? '' : st.word + ' '}${progress(l)}` : st.word}
          </span>
        )}
      </span>
      <button
        type="button"
        className="icon-btn icon-btn-small run-export"
        aria-label={`Export ${l.name} to PyTorch`}
        title="Export to PyTorch: the run's spec, files and newest checkpoint as a folder in the workspace's exports/"
        onClick={() => void exportRunToPyTorch(id)}
      >
        <Icon name="export" size={14} />
      </button>
    </li>
  );
});

function Runs() {
  const order = useRuns((s) => s.order);
  return (
    <section className="side-section side-runs" aria-labelledby="side-runs">
      <div className="side-head">
        <h2 id="side-runs">Runs</h2>
        <span className="side-count">{order.length || ''}</span>
      </div>
      {order.length === 0 ? (
        <p className="side-empty">No runs yet. Runs from the app and from npm run experiment appear here.</p>
      ) : (
        <ul className="run-list">
          {order.map((id) => (
            <RunItem key={id} id={id} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function Sidebar() {
  const info = useWorkspaceInfo((s) => s.info);
  return (
    <nav className="sidebar" aria-label="Workspace">
      <Notebooks />
      <Runs />
      {info && (
        <p className="side-foot" title={info.root}>
          workspace <span className="mono">{info.name}</span>
        </p>
      )}
    </nav>
  );
}

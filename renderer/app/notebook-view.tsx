// The notebook column: a read-only banner when the file could not be read as a whole, the title, the cells
// (the list subscribes only to the order; each cell to itself), and the bar that adds cells.
import { CellShell } from '../cells/cell-shell';
import { addCell } from '../cells/cell-commands';
import { addableKinds } from '../cells/registry';
import { useCellOrder, useReadOnly, useTitle } from '../state/notebook';
import { createNotebook, useFiles } from '../state/notebook-files';
import { Icon } from './icons';

function ProblemBanner() {
  const problem = useFiles((s) => s.problem);
  const name = useFiles((s) => s.current);
  const shown = useCellOrder().length;
  if (!problem) return null;
  const title =
    problem.kind === 'newer' ? 'Opened read-only: a newer file' : 'Opened read-only: this file has a problem';
  const cells =
    shown === 0
      ? 'None of its cells can be shown.'
      : shown < problem.cellsInFile
        ? `${shown} of its ${problem.cellsInFile} cells can be shown; they are below.`
        : 'Its cells are shown below.';
  return (
    <div className="callout callout-warning banner" role="alert">
      <Icon name="warning" size={18} />
      <div className="banner-body">
        <p className="banner-title">{title}</p>
        <p>
          “{name}” {problem.message}. The workbench will not write to this file, so nothing in it is lost. {cells}
        </p>
        {problem.text !== null && (
          <details className="banner-raw">
            <summary>Show the file as text</summary>
            <pre>{problem.text}</pre>
          </details>
        )}
      </div>
    </div>
  );
}

function AddCellBar() {
  const readOnly = useReadOnly();
  const empty = useCellOrder().length === 0;
  if (readOnly) return null;
  return (
    <div className={`add-bar${empty ? ' add-bar-empty' : ''}`}>
      {empty && <p className="add-hint">This notebook is empty. Start with a note or an experiment.</p>}
      <div className="add-buttons">
        {addableKinds().map(([kind, def]) => (
          <button
            key={kind}
            type="button"
            className="btn btn-quiet"
            aria-label={`Add ${def.label} cell`}
            onClick={() => addCell(kind)}
          >
            <Icon name="plus" size={14} /> {def.label}
          </button>
        ))}
      </div>
    </div>
  );
}

function Cells() {
  const order = useCellOrder();
  return (
    <div className="cells">
      {order.map((id) => (
        <CellShell key={id} id={id} />
      ))}
    </div>
  );
}

function Welcome() {
  const listed = useFiles((s) => s.listed);
  const count = useFiles((s) => s.list.length);
  const busy = useFiles((s) => s.busy);
  if (!listed) return <p className="welcome-loading">Opening the workspace…</p>;
  return (
    <div className="welcome">
      <h1>SwitchHead Workbench</h1>
      <p>
        Train small SwitchHead transformers in this page and watch them learn: loss, routing, cost against dense
        attention. {count > 0 ? 'Open a notebook from the sidebar, or start a new one.' : 'Start with a notebook.'}
      </p>
      <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void createNotebook()}>
        <Icon name="plus" size={14} /> New notebook
      </button>
    </div>
  );
}

export function NotebookView() {
  const current = useFiles((s) => s.current);
  const title = useTitle();
  if (!current) return <Welcome />;
  return (
    <article className="notebook" aria-label={`Notebook ${current}`}>
      <ProblemBanner />
      <h1 className="nb-title">{title || current}</h1>
      <Cells />
      <AddCellBar />
    </article>
  );
}

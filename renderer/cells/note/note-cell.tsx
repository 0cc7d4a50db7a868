// The Note cell: markdown with KaTeX math, rendered; double-click (or Enter on the focused cell) edits it,
// Escape or Shift+Enter shows it rendered again. A typing burst is one undo step.
import './note.css';
import { memo, useMemo } from 'react';
import { notebookActions, useNotebook, useReadOnly } from '../../state/notebook';
import type { CellId, NoteCell as NoteDoc } from '../../state/notebook-schema';
import { useIsEditing, useView, viewActions } from '../../state/view';
import { renderMarkdown } from './markdown';

const useSource = (id: CellId) => useNotebook((s) => (s.cells[id] as NoteDoc | undefined)?.source ?? '');

function Rendered({ source, onEdit }: { source: string; onEdit?: () => void }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  if (!source.trim())
    return (
      <p className="note-empty" onDoubleClick={onEdit}>
        Empty note. Double-click or press Enter to write markdown; <code>$math$</code> and <code>$$display$$</code>{' '}
        work.
      </p>
    );
  return <div className="markdown" onDoubleClick={onEdit} dangerouslySetInnerHTML={{ __html: html }} />;
}

function Editor({ id, source }: { id: CellId; source: string }) {
  return (
    <div className="note-editor">
      <textarea
        className="note-input"
        aria-label="Note markdown"
        placeholder="Markdown. Math: $\sigma(x W_S)$ inline, $$...$$ on its own lines."
        value={source}
        autoFocus
        spellCheck
        onChange={(e) => notebookActions.update<NoteDoc>(id, { source: e.target.value }, `note:${id}`)}
        onBlur={() => {
          if (!document.hasFocus()) return; // the window lost focus: stay in the editor
          notebookActions.endBurst();
          if (useView.getState().editingCell === id) viewActions.edit(null);
        }}
      />
      {source.trim() && (
        <div className="note-preview" aria-label="Preview">
          <Rendered source={source} />
        </div>
      )}
    </div>
  );
}

export const NoteCell = memo(function NoteCell({ id }: { id: CellId }) {
  const source = useSource(id);
  const editing = useIsEditing(id);
  const readOnly = useReadOnly();
  if (editing && !readOnly) return <Editor id={id} source={source} />;
  return <Rendered source={source} onEdit={readOnly ? undefined : () => viewActions.edit(id)} />;
});

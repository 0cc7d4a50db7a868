// The top bar: the open notebook's name (click to rename), its save state, undo/redo, the backend badge slot,
// the theme toggle and the shortcut sheet.
import { useState } from 'react';
import { notebookActions, useCanRedo, useCanUndo } from '../state/notebook';
import { renameNotebook, useFiles } from '../state/notebook-files';
import { nextTheme, resolveTheme, useView, viewActions, type ThemePref } from '../state/view';
import { NotebookMenu } from '../export/notebook-menu';
import { BackendBadge } from './backend-badge';
import { Icon } from './icons';

function SaveState() {
  const open = useFiles((s) => s.current !== null);
  const save = useFiles((s) => s.save);
  const detail = useFiles((s) => s.saveDetail);
  const text = {
    saved: 'Saved ✓',
    unsaved: 'Unsaved changes',
    saving: 'Saving…',
    error: 'Not saved',
    'read-only': 'Read-only',
  }[save];
  if (!open) return null;
  return (
    <span className={`save-state save-${save}`} role="status" title={detail ?? undefined}>
      {text}
      {save === 'error' && detail && <span className="visually-hidden">: {detail}</span>}
    </span>
  );
}

export function RenameField({ from, onDone }: { from: string; onDone(): void }) {
  const [value, setValue] = useState(from);
  const [error, setError] = useState<string | null>(null);
  const commit = async () => {
    const problem = await renameNotebook(from, value);
    if (problem) setError(problem);
    else onDone();
  };
  return (
    <form
      className="rename"
      onSubmit={(e) => {
        e.preventDefault();
        void commit();
      }}
    >
      <input
        className="field-input rename-input"
        aria-label="Notebook name"
        value={value}
        autoFocus
        onFocus={(e) => e.target.select()}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          setValue(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          }
        }}
        onBlur={() => !error && void commit()}
      />
      {error && (
        <span className="rename-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function NotebookName() {
  const current = useFiles((s) => s.current);
  const [renaming, setRenaming] = useState(false);
  if (!current) return <span className="crumb-empty">No notebook open</span>;
  if (renaming) return <RenameField from={current} onDone={() => setRenaming(false)} />;
  return (
    <button
      type="button"
      className="crumb"
      title="Rename this notebook"
      aria-label={`Rename notebook ${current}`}
      onClick={() => setRenaming(true)}
    >
      <span className="crumb-name">{current}</span>
      <span className="crumb-edit">
        <Icon name="pencil" size={13} />
      </span>
    </button>
  );
}

const THEME_NAMES: Record<ThemePref, string> = { system: 'system', light: 'light', dark: 'dark' };

function ThemeToggle() {
  const theme = useView((s) => s.theme);
  const systemDark = useView((s) => s.systemDark);
  const shown = resolveTheme(theme, systemDark);
  const next = nextTheme(theme, systemDark);
  const label = `Theme: ${THEME_NAMES[theme]}${theme === 'system' ? ` (${shown})` : ''}. Switch to ${THEME_NAMES[next]}`;
  return (
    <button type="button" className="icon-btn" aria-label={label} title={label} onClick={viewActions.cycleTheme}>
      <Icon name={shown === 'dark' ? 'moon' : 'sun'} />
    </button>
  );
}

function UndoRedo() {
  const canUndo = useCanUndo();
  const canRedo = useCanRedo();
  return (
    <div className="undo-redo">
      <button
        type="button"
        className="icon-btn"
        aria-label="Undo"
        title="Undo (Ctrl+Z)"
        disabled={!canUndo}
        onClick={notebookActions.undo}
      >
        <Icon name="undo" />
      </button>
      <button
        type="button"
        className="icon-btn"
        aria-label="Redo"
        title="Redo (Ctrl+Shift+Z)"
        disabled={!canRedo}
        onClick={notebookActions.redo}
      >
        <Icon name="redo" />
      </button>
    </div>
  );
}

export function TopBar() {
  return (
    <header className="top-bar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          SH
        </span>
        <span className="brand-name">SwitchHead Workbench</span>
      </div>
      <span className="crumb-sep" aria-hidden="true">
        /
      </span>
      <NotebookName />
      <SaveState />
      <div className="top-bar-end">
        <NotebookMenu />
        <UndoRedo />
        <BackendBadge />
        <ThemeToggle />
        <button
          type="button"
          className="icon-btn"
          aria-label="Keyboard shortcuts"
          title="Keyboard shortcuts (?)"
          onClick={() => viewActions.setSheet(true)}
        >
          <Icon name="keyboard" />
        </button>
      </div>
    </header>
  );
}

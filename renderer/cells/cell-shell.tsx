// The frame of every cell: a header naming its kind, with its actions (move, duplicate, delete) shown on hover or
// focus and always reachable by keyboard; a visible focus ring on the focused cell; the body from the registry.
// Subscribes by id (UI-ANCHORS rule 4): a change to another cell does not re-render this one.
import './cell-shell.css';
import { memo, useEffect, useRef } from 'react';
import { useNotebook, useReadOnly } from '../state/notebook';
import type { CellId } from '../state/notebook-schema';
import { useIsFocused, viewActions } from '../state/view';
import { Icon, type IconName } from '../app/icons';
import { deleteCell, duplicateCell, moveCell } from './cell-commands';
import { CellMenu } from './cell-menu';
import { CELL_KINDS } from './registry';

type Place = 'only' | 'first' | 'last' | 'middle';

function usePlace(id: CellId): Place {
  return useNotebook((s) => {
    const i = s.cellOrder.indexOf(id);
    const n = s.cellOrder.length;
    return n <= 1 ? 'only' : i === 0 ? 'first' : i === n - 1 ? 'last' : 'middle';
  });
}

interface IconButtonProps {
  label: string;
  icon: IconName;
  onClick(): void;
  disabled?: boolean;
}

function IconButton({ label, icon, onClick, disabled }: IconButtonProps) {
  return (
    <button
      type="button"
      className="icon-btn icon-btn-small"
      aria-label={label}
      title={label}
      onClick={onClick}
      disabled={disabled}
    >
      <Icon name={icon} size={15} />
    </button>
  );
}

function CellActions({ id, label }: { id: CellId; label: string }) {
  const place = usePlace(id);
  const menu = CELL_KINDS[useNotebook((s) => s.cells[id]?.kind) ?? 'note']?.menu;
  const readOnly = useReadOnly();
  if (readOnly) return null;
  return (
    <div className="cell-actions" role="toolbar" aria-label={`${label} cell actions`}>
      <IconButton
        label="Move cell up"
        icon="up"
        disabled={place === 'first' || place === 'only'}
        onClick={() => moveCell(id, -1)}
      />
      <IconButton
        label="Move cell down"
        icon="down"
        disabled={place === 'last' || place === 'only'}
        onClick={() => moveCell(id, 1)}
      />
      <IconButton label="Duplicate cell" icon="copy" onClick={() => duplicateCell(id)} />
      <IconButton label="Delete cell" icon="trash" onClick={() => void deleteCell(id)} />
      {menu && <CellMenu label={label} items={menu(id)} />}
    </div>
  );
}

function UnknownKind({ kind }: { kind: string }) {
  return (
    <p className="callout">
      A <strong>{kind}</strong> cell: this version of the workbench cannot show it yet. It is kept as it is in the file.
    </p>
  );
}

export const CellShell = memo(function CellShell({ id }: { id: CellId }) {
  const kind = useNotebook((s) => s.cells[id]?.kind);
  const focused = useIsFocused(id);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (focused && el && !el.contains(document.activeElement)) {
      el.focus({ preventScroll: true }); // focus moved by keyboard or a command, not by a click inside the cell
      el.scrollIntoView({ block: 'nearest' });
    }
  }, [focused]);
  if (!kind) return null;
  const def = CELL_KINDS[kind];
  const label = def?.label ?? kind;
  return (
    <section
      ref={ref}
      id={`cell-${id}`}
      className="cell"
      data-cell-id={id}
      data-kind={kind}
      data-focused={focused || undefined}
      tabIndex={0}
      aria-label={`${label} cell`}
      onFocus={() => viewActions.focusCell(id)}
    >
      <header className="cell-head">
        <span className="cell-kind">{label}</span>
        {def?.Title && <def.Title id={id} />}
        <CellActions id={id} label={label} />
      </header>
      <div className="cell-body">{def ? <def.Body id={id} /> : <UnknownKind kind={kind} />}</div>
    </section>
  );
});

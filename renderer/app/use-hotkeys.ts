// The document's keydown listener: finds what the key means in the HOTKEYS table (hotkeys.ts) and does it.
import { useEffect } from 'react';
import { addCell, editCell, focusNeighbour, moveCell, runCell } from '../cells/cell-commands';
import { notebookActions } from '../state/notebook';
import { flushNotebook } from '../state/notebook-files';
import type { CellId } from '../state/notebook-schema';
import { useView, viewActions } from '../state/view';
import { matchHotkey, type HotkeyId } from './hotkeys';

const TEXT =
  'input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), textarea, [contenteditable=""], [contenteditable="true"]';

function cellOf(el: Element | null): { id: CellId; el: HTMLElement } | null {
  const c = el?.closest<HTMLElement>('[data-cell-id]');
  return c ? { id: c.dataset.cellId as CellId, el: c } : null;
}

function focusCellElement(id: CellId): void {
  viewActions.focusCell(id);
  document.getElementById(`cell-${id}`)?.focus();
}

/** Do the shortcut; false when it does not apply here (the event then goes on as usual). */
function perform(id: HotkeyId, target: Element, onCell: boolean): boolean {
  const here = cellOf(target)?.id ?? null;
  const focused = useView.getState().focusedCell;
  switch (id) {
    case 'run': {
      const cell = here ?? focused;
      if (!cell) return false;
      runCell(cell);
      focusCellElement(cell);
      return true;
    }
    case 'edit':
      if (focused) editCell(focused);
      return focused !== null;
    case 'leave': {
      const editing = useView.getState().editingCell;
      if (editing) {
        notebookActions.endBurst();
        viewActions.edit(null);
        focusCellElement(editing);
        return true;
      }
      if (here && !onCell) {
        focusCellElement(here);
        return true;
      }
      return false;
    }
    case 'addAbove':
    case 'addBelow':
      addCell('note', focused, id === 'addAbove' ? 'above' : 'below');
      return true;
    case 'focusPrev':
    case 'focusNext':
      focusNeighbour(id === 'focusPrev' ? -1 : 1);
      return true;
    case 'moveUp':
    case 'moveDown':
      if (focused) moveCell(focused, id === 'moveUp' ? -1 : 1);
      return focused !== null;
    case 'undo':
      notebookActions.undo();
      return true;
    case 'redo':
      notebookActions.redo();
      return true;
    case 'save':
      void flushNotebook();
      return true;
    case 'sheet':
      viewActions.setSheet(true);
      return true;
  }
}

export function useHotkeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      if (document.querySelector('dialog[open]')) return; // the shortcut sheet or a confirmation has the keyboard
      const target = e.target instanceof Element ? e.target : document.body;
      const onCell = target.matches('[data-cell-id]');
      const id = matchHotkey(e, { inText: target.matches(TEXT), onCell });
      if (id && perform(id, target, onCell)) e.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}

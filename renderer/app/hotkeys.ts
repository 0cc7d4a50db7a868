// The keyboard shortcuts: ONE table, read by the document listener (use-hotkeys.ts) and by the `?` sheet.
// Scopes: `command` = a cell itself has focus (not a field inside it; Jupyter's command mode), `outside-text` =
// anywhere except a text field or editor (there the browser's own text undo and typing win), `anywhere` = also
// inside editors. Pure: matching is tested without a DOM.

export type HotkeyScope = 'command' | 'outside-text' | 'anywhere';

export interface Hotkey {
  /** Key combinations: modifiers `Mod` (Ctrl, or Cmd on a Mac), `Shift`, `Alt`, then the key ("Enter", "A", "?"). */
  keys: readonly string[];
  label: string;
  group: 'Cells' | 'Editing' | 'Notebook';
  scope: HotkeyScope;
}

export const HOTKEYS = {
  run: { keys: ['Shift+Enter'], label: 'Run the cell (a Note: show it rendered)', group: 'Cells', scope: 'anywhere' },
  edit: { keys: ['Enter'], label: 'Edit the focused cell', group: 'Cells', scope: 'command' },
  leave: { keys: ['Escape'], label: 'Leave the editor (back to the cell)', group: 'Cells', scope: 'anywhere' },
  addAbove: { keys: ['A'], label: 'Add a Note above', group: 'Cells', scope: 'command' },
  addBelow: { keys: ['B'], label: 'Add a Note below', group: 'Cells', scope: 'command' },
  focusPrev: { keys: ['ArrowUp', 'K'], label: 'Focus the cell above', group: 'Cells', scope: 'command' },
  focusNext: { keys: ['ArrowDown', 'J'], label: 'Focus the cell below', group: 'Cells', scope: 'command' },
  moveUp: { keys: ['Alt+ArrowUp'], label: 'Move the cell up', group: 'Cells', scope: 'command' },
  moveDown: { keys: ['Alt+ArrowDown'], label: 'Move the cell down', group: 'Cells', scope: 'command' },
  undo: { keys: ['Mod+Z'], label: 'Undo (cells, specs, notes)', group: 'Editing', scope: 'outside-text' },
  redo: { keys: ['Mod+Shift+Z', 'Mod+Y'], label: 'Redo', group: 'Editing', scope: 'outside-text' },
  save: { keys: ['Mod+S'], label: 'Save now (autosave runs anyway)', group: 'Notebook', scope: 'anywhere' },
  sheet: { keys: ['?'], label: 'Show these shortcuts', group: 'Notebook', scope: 'outside-text' },
} as const satisfies Record<string, Hotkey>;

export type HotkeyId = keyof typeof HOTKEYS;

/** The parts of a KeyboardEvent matching needs. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Where the key was pressed. */
export interface KeyContext {
  inText: boolean; // a text field, textarea, select or contenteditable has focus
  onCell: boolean; // a cell container itself has focus (command mode)
}

interface Combo {
  mod: boolean;
  shift: boolean;
  alt: boolean;
  key: string;
}

export function parseCombo(spec: string): Combo {
  const parts = spec.split('+');
  const key = parts.pop() as string;
  return { mod: parts.includes('Mod'), shift: parts.includes('Shift'), alt: parts.includes('Alt'), key };
}

function matches(c: Combo, e: KeyLike): boolean {
  const mod = e.ctrlKey || e.metaKey;
  if (c.mod !== mod || c.alt !== e.altKey) return false;
  if (c.key === '?') return e.key === '?'; // Shift is how most layouts type it
  if (c.shift !== e.shiftKey) return false;
  return c.key.length === 1 ? e.key.toLowerCase() === c.key.toLowerCase() : e.key === c.key;
}

function inScope(scope: HotkeyScope, ctx: KeyContext): boolean {
  if (scope === 'anywhere') return true;
  if (scope === 'outside-text') return !ctx.inText;
  return ctx.onCell && !ctx.inText;
}

/** The shortcut this key press means here, or null. */
export function matchHotkey(e: KeyLike, ctx: KeyContext): HotkeyId | null {
  for (const [id, h] of Object.entries(HOTKEYS) as [HotkeyId, Hotkey][]) {
    if (!inScope(h.scope, ctx)) continue;
    if (h.keys.some((k) => matches(parseCombo(k), e))) return id;
  }
  return null;
}

/** A combination as the sheet shows it ("Ctrl+Shift+Z", or "⌘⇧Z" on a Mac). */
export function displayCombo(spec: string, mac: boolean): string {
  const c = parseCombo(spec);
  const names: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', Escape: 'Esc', Enter: 'Enter' };
  const key = names[c.key] ?? c.key;
  if (mac) return `${c.mod ? '⌘' : ''}${c.alt ? '⌥' : ''}${c.shift ? '⇧' : ''}${key}`;
  return [c.mod && 'Ctrl', c.alt && 'Alt', c.shift && 'Shift', key].filter(Boolean).join('+');
}

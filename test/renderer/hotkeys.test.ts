// One hotkey table for the listener and the sheet: what each key means where it is pressed.
import { describe, expect, it } from 'vitest';
import { displayCombo, HOTKEYS, matchHotkey, type KeyLike } from '../../renderer/app/hotkeys';
import { nextTheme, resolveTheme } from '../../renderer/state/view';
import { markdownToHtml } from '../../renderer/cells/note/markdown';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});
const onCell = { inText: false, onCell: true };
const inText = { inText: true, onCell: false };
const elsewhere = { inText: false, onCell: false };

describe('hotkeys', () => {
  it('command-mode keys act only when a cell itself has focus', () => {
    expect(matchHotkey(key('a'), onCell)).toBe('addAbove');
    expect(matchHotkey(key('b'), onCell)).toBe('addBelow');
    expect(matchHotkey(key('j'), onCell)).toBe('focusNext');
    expect(matchHotkey(key('ArrowUp'), onCell)).toBe('focusPrev');
    expect(matchHotkey(key('ArrowUp', { altKey: true }), onCell)).toBe('moveUp');
    expect(matchHotkey(key('a'), inText)).toBeNull(); // typing an "a" in an editor
    expect(matchHotkey(key('a'), elsewhere)).toBeNull();
    expect(matchHotkey(key('a', { ctrlKey: true }), onCell)).toBeNull(); // Ctrl+A is select-all
  });

  it('Shift+Enter and Escape work inside editors; undo leaves text fields to the browser', () => {
    expect(matchHotkey(key('Enter', { shiftKey: true }), inText)).toBe('run');
    expect(matchHotkey(key('Enter'), inText)).toBeNull();
    expect(matchHotkey(key('Enter'), onCell)).toBe('edit');
    expect(matchHotkey(key('Escape'), inText)).toBe('leave');
    expect(matchHotkey(key('z', { ctrlKey: true }), elsewhere)).toBe('undo');
    expect(matchHotkey(key('z', { metaKey: true }), onCell)).toBe('undo');
    expect(matchHotkey(key('Z', { ctrlKey: true, shiftKey: true }), elsewhere)).toBe('redo');
    expect(matchHotkey(key('y', { ctrlKey: true }), elsewhere)).toBe('redo');
    expect(matchHotkey(key('z', { ctrlKey: true }), inText)).toBeNull();
    expect(matchHotkey(key('?', { shiftKey: true }), elsewhere)).toBe('sheet');
    expect(matchHotkey(key('?', { shiftKey: true }), inText)).toBeNull();
  });

  it('every entry has a label and displays per platform', () => {
    for (const h of Object.values(HOTKEYS)) expect(h.label.length).toBeGreaterThan(3);
    expect(displayCombo('Mod+Shift+Z', false)).toBe('Ctrl+Shift+Z');
    expect(displayCombo('Mod+Shift+Z', true)).toBe('⌘⇧Z');
    expect(displayCombo('ArrowUp', false)).toBe('↑');
  });
});

describe('theme toggle', () => {
  it('first moves away from what the system shows, then back, then to system', () => {
    expect(nextTheme('system', false)).toBe('dark');
    expect(nextTheme('dark', false)).toBe('light');
    expect(nextTheme('light', false)).toBe('system');
    expect(nextTheme('system', true)).toBe('light');
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('light', true)).toBe('light');
  });
});

describe('note markdown', () => {
  it('renders inline and display math with KaTeX, and markdown around it', () => {
    const html = markdownToHtml('# Title\n\nPick $k$ of $E$.\n\n$$\n\\sigma(x W_S)\n$$\n');
    expect(html).toMatch(/<h2>Title<\/h2>/); // the notebook title is the page's h1
    expect(html.match(/class="katex"/g)?.length).toBe(3);
    expect(html).toMatch(/katex-display/);
    expect(markdownToHtml('no math, $5 and $10')).not.toMatch(/katex/);
  });
});

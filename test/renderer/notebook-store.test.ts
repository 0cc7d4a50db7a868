// The notebook store's undo/redo (zundo): every structural edit is one step, a typing burst on one field is one
// step, deletes come back under the same id, loading clears history, read-only refuses every edit.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BURST_MS,
  getDoc,
  HISTORY_LIMIT,
  notebookActions as nb,
  setHistoryClock,
  useNotebook,
} from '../../renderer/state/notebook';
import { emptyDoc, type NoteCell } from '../../renderer/state/notebook-schema';

let now = 0;
setHistoryClock(() => now);
const past = () => useNotebook.temporal.getState().pastStates.length;
const order = () => getDoc().cellOrder;
const sourceOf = (id: string) => (getDoc().cells[id] as NoteCell).source;

beforeEach(() => {
  now = 1_000_000;
  nb.load(emptyDoc('t'));
});

describe('notebook store history', () => {
  it('undoes and redoes add, move, duplicate and delete one step each', () => {
    const a = nb.add({ kind: 'note', source: 'a' })!;
    const b = nb.add({ kind: 'note', source: 'b' })!;
    nb.move(b, -1);
    const c = nb.duplicate(a)!;
    nb.remove(b);
    expect(order()).toEqual([a, c]);
    expect(past()).toBe(5);
    nb.undo();
    expect(order()).toEqual([b, a, c]);
    nb.undo();
    expect(order()).toEqual([b, a]);
    nb.undo();
    expect(order()).toEqual([a, b]);
    nb.redo();
    nb.redo();
    nb.redo();
    expect(order()).toEqual([a, c]);
  });

  it('folds a typing burst on one field into one step, and starts a new one after a pause or another field', () => {
    const a = nb.add({ kind: 'note', source: '' })!;
    const b = nb.add({ kind: 'note', source: '' })!;
    const before = past();
    for (const text of ['h', 'he', 'hel', 'hell', 'hello']) {
      now += 100;
      nb.update<NoteCell>(a, { source: text }, `note:${a}`);
    }
    expect(past()).toBe(before + 1);
    now += 100;
    nb.update<NoteCell>(b, { source: 'x' }, `note:${b}`); // another field: its own step
    now += BURST_MS + 1;
    nb.update<NoteCell>(a, { source: 'hello world' }, `note:${a}`); // after a pause: its own step
    expect(past()).toBe(before + 3);
    nb.undo();
    expect(sourceOf(a)).toBe('hello');
    nb.undo();
    expect(sourceOf(b)).toBe('');
    nb.undo();
    expect(sourceOf(a)).toBe('');
  });

  it('does not record a set that leaves the document as it was', () => {
    const a = nb.add({ kind: 'note', source: 'same' })!;
    const before = past();
    nb.update<NoteCell>(a, { source: 'same' });
    nb.move(a, -1);
    useNotebook.setState({ readOnly: false }); // not part of the document
    expect(past()).toBe(before);
  });

  it('brings a deleted cell back under the same id, by undo or through its tombstone after later edits', () => {
    const a = nb.add({ kind: 'note', source: 'keep' })!;
    const b = nb.add({ kind: 'note', source: 'other' })!;
    const t = nb.remove(a)!;
    expect(nb.restore(t)).toBe(true); // nothing happened since: this is an undo (redo can delete it again)
    expect(order()).toEqual([a, b]);
    expect(useNotebook.temporal.getState().futureStates.length).toBe(1);
    const t2 = nb.remove(a)!;
    nb.update<NoteCell>(b, { source: 'edited later' });
    expect(nb.restore(t2)).toBe(true); // later edits are kept; the cell returns to its place
    expect(order()).toEqual([a, b]);
    expect(sourceOf(a)).toBe('keep');
    expect(sourceOf(b)).toBe('edited later');
  });

  it('keeps at most HISTORY_LIMIT steps', () => {
    const a = nb.add({ kind: 'note', source: '' })!;
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) nb.update<NoteCell>(a, { source: String(i) });
    expect(past()).toBe(HISTORY_LIMIT);
  });

  it('starts a loaded notebook with no history, and refuses edits when read-only', () => {
    nb.add({ kind: 'note', source: 'x' });
    nb.load(emptyDoc('other'), true);
    expect(past()).toBe(0);
    expect(nb.add({ kind: 'note', source: 'y' })).toBeNull();
    expect(nb.setTitle('renamed')).toBe(false);
    nb.undo();
    expect(getDoc()).toEqual(emptyDoc('other'));
  });
});

describe('notebook names', () => {
  it('picks a free name and explains a bad one', async () => {
    const { freeName, nameProblem } = await import('../../renderer/state/notebook-files');
    expect(freeName('Untitled', [])).toBe('Untitled');
    expect(freeName('Untitled', ['untitled', 'Untitled 2'])).toBe('Untitled 3');
    expect(nameProblem('Lab notes', ['other'])).toBeNull();
    expect(nameProblem('lab NOTES', ['Lab notes'])).toMatch(/exists already/);
    expect(nameProblem('a/b', [])).toMatch(/notebook name/);
    expect(nameProblem('trailing.', [])).toMatch(/cannot end with/);
  });
});

describe('run links', () => {
  it('attaching a run is no undo step and survives undo and redo of other edits', () => {
    const e = nb.add({
      kind: 'experiment',
      preset: null,
      spec: {},
      runIds: [],
      view: { xAxis: 'step', logX: false, logY: false, smoothing: 0, routingLayer: 0, routingSide: 'src' },
    })!;
    const n = nb.add({ kind: 'note', source: 'a' })!;
    nb.update<NoteCell>(n, { source: 'b' });
    const steps = past();
    expect(nb.attachRun(e, 'run-1')).toBe(true);
    expect(nb.attachRun(e, 'run-1')).toBe(false); // already linked
    expect(past()).toBe(steps);
    const runIds = () => (getDoc().cells[e] as { runIds: string[] }).runIds;
    nb.undo(); // the note edit
    nb.undo(); // the note
    expect(runIds()).toEqual(['run-1']);
    nb.redo();
    nb.redo();
    expect(runIds()).toEqual(['run-1']);
    expect(sourceOf(n)).toBe('b');
    nb.detachRun(e, 'run-1');
    nb.undo();
    expect(runIds()).toEqual([]);
  });
});

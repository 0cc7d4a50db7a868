// The notebook file format and the pure document operations (renderer/state/notebook-schema.ts, notebook-ops.ts).
import { describe, expect, it } from 'vitest';
import * as ops from '../../renderer/state/notebook-ops';
import {
  emptyDoc,
  parseNotebook,
  serializeNotebook,
  type CellDoc,
  type NotebookDoc,
} from '../../renderer/state/notebook-schema';

const note = (id: string, source = ''): CellDoc => ({ id, kind: 'note', source });
const experiment = (id: string, runIds: string[] = []): CellDoc => ({
  id,
  kind: 'experiment',
  preset: 'teach-copy',
  spec: { name: 'x', train: { steps: 10 } },
  runIds,
  view: { xAxis: 'step', logX: false, logY: true, smoothing: 0.6, routingLayer: 0, routingSide: 'src' },
});

function docOf(...cells: CellDoc[]): NotebookDoc {
  return cells.reduce((d, c) => ops.insertCell(d, c, d.cellOrder.length), emptyDoc('t'));
}

describe('notebook file format', () => {
  it('round-trips a document, keeping unknown fields on the file and on cells', () => {
    const text = JSON.stringify({
      format: 'switchhead-notebook',
      version: 1,
      title: 'lab',
      cells: [{ ...note('aaaaaaaa', '# hi'), folded: true }, experiment('bbbbbbbb', ['run-1'])],
      author: 'someone',
    });
    const r = parseNotebook(text);
    if (!r.ok) throw new Error(r.problem);
    expect(r.doc.cellOrder).toEqual(['aaaaaaaa', 'bbbbbbbb']);
    expect(r.extra).toEqual({ author: 'someone' });
    const again = JSON.parse(serializeNotebook(r.doc, r.extra));
    expect(again).toEqual(JSON.parse(text));
  });

  it('names the problem of a file that is not JSON, not a notebook, or breaks the schema', () => {
    const bad = parseNotebook('{"format": "switchhead-notebook", "version": 1, "title": "x", "cells": [');
    expect(bad).toMatchObject({ ok: false, kind: 'corrupt' });
    expect(!bad.ok && bad.problem).toMatch(/not valid JSON/);
    const other = parseNotebook('{"format": "jupyter"}');
    expect(!other.ok && other.problem).toMatch(/not a SwitchHead notebook.*"jupyter"/);
    const schema = parseNotebook(
      JSON.stringify({
        format: 'switchhead-notebook',
        version: 1,
        title: 'x',
        cells: [note('aaaaaaaa'), { id: 'BAD', kind: 'note', source: 1 }],
      }),
    );
    expect(schema.ok).toBe(false);
    if (schema.ok) return;
    expect(schema.problem).toMatch(/cells\.1\.id/);
    expect(schema.problem).toMatch(/cells\.1\.source/);
    expect(schema.doc?.cellOrder).toEqual(['aaaaaaaa']); // what can be read is shown, read-only
  });

  it('reports duplicate cell ids', () => {
    const r = parseNotebook(
      JSON.stringify({
        format: 'switchhead-notebook',
        version: 1,
        title: 'x',
        cells: [note('aaaaaaaa'), note('aaaaaaaa')],
      }),
    );
    expect(!r.ok && r.problem).toMatch(/duplicate cell id "aaaaaaaa"/);
  });

  it('refuses a newer version by name, showing the cells it can read', () => {
    const r = parseNotebook(
      JSON.stringify({
        format: 'switchhead-notebook',
        version: 7,
        title: 'x',
        cells: [note('aaaaaaaa', 'hi'), { id: 'cccccccc', kind: 'hologram' }],
      }),
    );
    expect(r).toMatchObject({ ok: false, kind: 'newer' });
    if (r.ok) return;
    expect(r.problem).toMatch(/file version 7; this app reads version 1/);
    expect(r.doc?.cellOrder).toEqual(['aaaaaaaa']);
  });
});

describe('document operations', () => {
  it('inserts near an anchor and never mutates the input', () => {
    const d0 = docOf(note('aaaaaaaa'), note('bbbbbbbb'));
    const frozen = JSON.stringify(d0);
    const d1 = ops.insertNear(d0, note('cccccccc'), 'bbbbbbbb', 'above');
    const d2 = ops.insertNear(d1, note('dddddddd'), 'aaaaaaaa', 'below');
    expect(d2.cellOrder).toEqual(['aaaaaaaa', 'dddddddd', 'cccccccc', 'bbbbbbbb']);
    expect(JSON.stringify(d0)).toBe(frozen);
    expect(() => ops.insertCell(d2, note('aaaaaaaa'), 0)).toThrow(/already in the notebook/);
  });

  it('moves by a clamped delta and returns the same document when nothing moves', () => {
    const d = docOf(note('aaaaaaaa'), note('bbbbbbbb'), note('cccccccc'));
    expect(ops.moveCell(d, 'aaaaaaaa', 5).cellOrder).toEqual(['bbbbbbbb', 'cccccccc', 'aaaaaaaa']);
    expect(ops.moveCell(d, 'cccccccc', -1).cellOrder).toEqual(['aaaaaaaa', 'cccccccc', 'bbbbbbbb']);
    expect(ops.moveCell(d, 'aaaaaaaa', -1)).toBe(d);
    expect(ops.moveCell(d, 'zzzzzzzz', 1)).toBe(d);
  });

  it('duplicates below, deep-copied, and an Experiment copy has no runs', () => {
    const d = docOf(experiment('aaaaaaaa', ['r1']), note('bbbbbbbb'));
    const d2 = ops.duplicateCell(d, 'aaaaaaaa', 'cccccccc');
    expect(d2.cellOrder).toEqual(['aaaaaaaa', 'cccccccc', 'bbbbbbbb']);
    const copy = d2.cells.cccccccc;
    expect(copy.kind === 'experiment' && copy.runIds).toEqual([]);
    expect(copy.kind === 'experiment' && copy.spec).not.toBe((d.cells.aaaaaaaa as { spec: object }).spec);
  });

  it('deletes to a tombstone that restores the same id at the same place', () => {
    const d = docOf(note('aaaaaaaa', 'one'), experiment('bbbbbbbb', ['r1']), note('cccccccc'));
    const { doc, tombstone } = ops.deleteCell(d, 'bbbbbbbb');
    expect(doc.cellOrder).toEqual(['aaaaaaaa', 'cccccccc']);
    expect(doc.cells.bbbbbbbb).toBeUndefined();
    const back = ops.restoreCell(doc, tombstone!);
    expect(back.cellOrder).toEqual(d.cellOrder);
    expect(back.cells.bbbbbbbb).toEqual(d.cells.bbbbbbbb);
    expect(ops.restoreCell(back, tombstone!)).toBe(back); // already there: no second copy
    expect(ops.deleteCell(d, 'zzzzzzzz').tombstone).toBeNull();
  });

  it('updates only what changed, keeping id and kind', () => {
    const d = docOf(note('aaaaaaaa', 'x'));
    expect(ops.updateCell(d, 'aaaaaaaa', { source: 'x' })).toBe(d);
    const d2 = ops.updateCell(d, 'aaaaaaaa', { source: 'y', id: 'zzzzzzzz' } as never);
    expect(d2.cells.aaaaaaaa).toEqual({ id: 'aaaaaaaa', kind: 'note', source: 'y' });
  });

  it('mints 8-character ids that avoid taken ones, and finds neighbours', () => {
    let n = 0;
    const seq = [0, 0, 0, 0, 0, 0, 0, 0, 0.99, 0, 0, 0, 0, 0, 0, 0];
    const id = ops.newCellId(new Set(['aaaaaaaa']), () => seq[n++ % seq.length]);
    expect(id).toMatch(/^[a-z0-9]{8}$/);
    expect(id).not.toBe('aaaaaaaa');
    const d = docOf(note('aaaaaaaa'), note('bbbbbbbb'));
    expect(ops.neighbour(d, 'aaaaaaaa', 1)).toBe('bbbbbbbb');
    expect(ops.neighbour(d, 'aaaaaaaa', -1)).toBeNull();
    expect(ops.neighbour(d, null, 1)).toBe('aaaaaaaa');
    expect(ops.neighbour(d, null, -1)).toBe('bbbbbbbb');
  });
});

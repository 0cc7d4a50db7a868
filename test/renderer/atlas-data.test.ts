// The expert atlas's pure parts: slots of a report, context windows that stay inside their row, text colouring
// spans (runs of one first-choice expert, the marked occurrence on its own), signature sorting by frequency and by
// dominant expert, visible whitespace, and the exports.
import { describe, expect, it } from 'vitest';
import type { AtlasReport } from '../../engine/contracts/reports';
import { buildAtlas, type AtlasSelection } from '../../engine/train/atlas';
import {
  atlasSlots,
  colourSpans,
  contextWindow,
  expertsCsv,
  expertSummaries,
  findGroup,
  groupJson,
  nameTable,
  signatureCsv,
  signatureRows,
  visibleToken,
} from '../../renderer/cells/inspect/atlas/atlas-data';

// Two rows of 5 tokens: "a b a c ." | "b b a . c" (ids 1 2 1 3 4 | 2 2 1 4 3); one src group of 3 experts, k = 1.
const IDS = Int32Array.from([1, 2, 1, 3, 4, 2, 2, 1, 4, 3]);
const NAMES: Record<number, string> = { 1: 'a', 2: 'b', 3: 'c', 4: ' ' };
// first-choice expert at each position, and gates
const E0 = [0, 0, 1, 1, 2, 2, 2, 0, 1, 1];
const G0 = [0.9, 0.8, 0.7, 0.6, 0.5, 0.95, 0.4, 0.3, 0.2, 0.85];

function report(): AtlasReport {
  const sel: AtlasSelection = {
    layer: 1,
    side: 'src',
    G: 2,
    E: 3,
    k: 1,
    // [P, G=2, k=1]: head 0 as above, head 1 always expert 2
    idx: Int32Array.from(E0.flatMap((e) => [e, 2])),
    gates: Float32Array.from(G0.flatMap((g) => [g, 0.5])),
  };
  const dst: AtlasSelection = { ...sel, side: 'dst', G: 1, idx: Int32Array.from(E0), gates: Float32Array.from(G0) };
  return buildAtlas(
    IDS,
    5,
    [sel, dst],
    { maxTokens: 10, topTokens: 3, topContexts: 3, signatureTypes: 4 },
    (id) => NAMES[id]!,
    { step: 5, source: 'two rows' },
  );
}

describe('atlas slots and groups', () => {
  it('lists each (layer, side) once with its heads, in side order', () => {
    const r = report();
    expect(atlasSlots(r)).toEqual([
      { layer: 1, side: 'src', heads: 2, experts: 3, k: 1 },
      { layer: 1, side: 'dst', heads: 1, experts: 3, k: 1 },
    ]);
    expect(findGroup(r, 1, 'src', 1)!.counts).toEqual([0, 0, 10]);
    expect(findGroup(r, 1, 'mlp', 0)).toBeUndefined();
  });
});

describe('context windows and colour spans', () => {
  const r = report();
  const g = findGroup(r, 1, 'src', 0)!;
  const names = nameTable(r);

  it('cuts the window at its row and carries each token’s chosen expert and gate', () => {
    const w = contextWindow(r, g, 6, 3, names); // row 1 = positions 5..9
    expect(w.row).toBe(1);
    expect(w.cells.map((c) => c.pos)).toEqual([5, 6, 7, 8, 9]);
    expect(w.cells.map((c) => c.name).join('')).toBe('bba c');
    expect(w.cells.map((c) => c.experts[0])).toEqual([2, 2, 0, 1, 1]);
    expect(w.cells[0]!.gates[0]).toBeCloseTo(0.95, 6);
    const first = contextWindow(r, g, 1, 2, names);
    expect(first.cells.map((c) => c.pos)).toEqual([0, 1, 2, 3]); // never into row 1, never before 0
    expect(() => contextWindow(r, g, 10, 2, names)).toThrow(/outside the atlas/);
  });

  it('merges runs of one first-choice expert and keeps the marked occurrence on its own', () => {
    const w = contextWindow(r, g, 2, 4, names); // row 0: a b a c ' ' with experts 0 0 1 1 2
    const plain = colourSpans(w.cells, null);
    expect(plain.map((s) => [s.expert, s.text, s.from, s.to])).toEqual([
      [0, 'ab', 0, 2],
      [1, 'ac', 2, 4],
      [2, ' ', 4, 5],
    ]);
    const marked = colourSpans(w.cells, 2);
    expect(marked.map((s) => [s.expert, s.text, s.mark])).toEqual([
      [0, 'ab', false],
      [1, 'a', true],
      [1, 'c', false],
      [2, ' ', false],
    ]);
    // spans cover every cell once, in order
    expect(marked.flatMap((s) => Array.from({ length: s.to - s.from }, (_, i) => s.from + i))).toEqual([0, 1, 2, 3, 4]);
    expect(colourSpans(w.cells, null, ' ')[0]!.text).toBe('a b'); // word-like tokens keep a space between them
  });

  it('summarises each expert: share, top tokens with their type counts, contexts by gate', () => {
    const s = expertSummaries(r, g);
    expect(s.map((x) => x.count)).toEqual([3, 4, 3]);
    expect(s.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1, 12);
    expect(s[1]!.tokens[0]).toEqual({ name: 'c', count: 2, ofType: 2 }); // c twice, both times expert 1
    expect(s[2]!.contexts.map((c) => c.pos)).toEqual([5, 4, 6]); // gates .95, .5, .4
  });
});

describe('routing signature rows', () => {
  const r = report();
  const g = findGroup(r, 1, 'src', 0)!;

  it('by frequency: the report’s order (most frequent first), each row summing to k', () => {
    const rows = signatureRows(r, g, 'frequency');
    expect(rows.map((x) => x.name)).toEqual(r.typeNames.slice(0, r.signatureTypes));
    expect(rows.map((x) => x.count)).toEqual([...rows.map((x) => x.count)].sort((a, b) => b - a));
    for (const row of rows) expect(row.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(g.k, 5);
  });

  it('by dominant expert: grouped by expert, clearest preference first within a group', () => {
    const rows = signatureRows(r, g, 'dominant');
    const dom = rows.map((x) => x.dominant);
    expect(dom).toEqual([...dom].sort((a, b) => a - b));
    // a: experts 0,1,0 -> dominant 0 (2/3); b: 0,2,2 -> 2 (2/3); c: 1,1 -> 1 (1); ' ': 2,1 -> tie, lowest id 1 (1/2)
    expect(rows.map((x) => [x.name, x.dominant])).toEqual([
      ['a', 0],
      ['c', 1],
      [' ', 1],
      ['b', 2],
    ]);
    for (let i = 1; i < rows.length; i++)
      if (rows[i]!.dominant === rows[i - 1]!.dominant)
        expect(rows[i - 1]!.shares[rows[i - 1]!.dominant]).toBeGreaterThanOrEqual(rows[i]!.shares[rows[i]!.dominant]!);
  });

  it('exports the signature as CSV rows equal to the table and the group as JSON', () => {
    const rows = signatureRows(r, g, 'dominant');
    const csv = signatureCsv(rows, 3).trim().split('\n');
    expect(csv[0]).toBe('token,count,dominant_expert,expert_0,expert_1,expert_2');
    expect(csv).toHaveLength(rows.length + 1);
    expect(csv[3]).toBe(' ,2,1,0,0.5,0.5'); // the space token, tie between experts 1 and 2
    const doc = JSON.parse(groupJson(r, g, 2, rows));
    expect(doc).toMatchObject({ format: 'switchhead-expert-atlas', layer: 1, side: 'src', head: 0, k: 1 });
    expect(doc.experts[2].contexts[0]).toMatchObject({ pos: 5, row: 1, token: 'b', text: ['b', 'b', 'a'] });
    const ex = expertsCsv(r, g, 1).trim().split('\n');
    expect(ex.filter((l) => l.includes(',context,'))).toHaveLength(g.topContexts.reduce((a, c) => a + c.pos.length, 0));
  });
});

describe('visible tokens', () => {
  it('shows whitespace as symbols in chips, as the lens does', () => {
    expect(visibleToken(' ')).toBe('·');
    expect(visibleToken('<0x0a>')).toBe('↵');
    expect(visibleToken(' the')).toBe('·the');
    expect(visibleToken('x')).toBe('x');
  });
});

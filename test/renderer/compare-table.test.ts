// The Compare cell's pure parts (renderer/cells/compare/): a row per run from spec.json, summary.json and the last
// metric rows (as `npm run compare` reads them), the columns (only the spec fields that differ get one), sorting
// (numbers as numbers, empty cells last both ways), the text filter, colours by run (palette picks that follow the
// theme) and by a column (with its key), what does not compare across tokenizers, data and tokens per step, and
// the runs a cell shows when it follows Experiment cells.
import { describe, expect, it } from 'vitest';
import { attentionCost, countParams } from '../../engine/cost';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { presets, REPRODUCTION } from '../../experiments/index';
import { RUN_PALETTE } from '../../renderer/charts/palette';
import { comparability } from '../../renderer/cells/compare/comparability';
import { resolvePick, runColoring } from '../../renderer/cells/compare/compare-colors';
import { cellRunIds, withoutRun, type CompareDoc } from '../../renderer/cells/compare/compare-doc';
import { compareRow, differingFields, type CompareRow } from '../../renderer/cells/compare/compare-rows';
import { compareColumns, filterRows, nextSort, sortRows } from '../../renderer/cells/compare/compare-table';
import { Y_METRICS } from '../../renderer/cells/compare/y-metrics';
import type { CellDoc } from '../../renderer/state/notebook-schema';

function row(id: string, input: ExperimentSpecInput, o: { valLoss?: number; summary?: object; status?: string } = {}) {
  const spec = parseSpec(input);
  return compareRow({
    id,
    name: spec.name,
    status: o.status ?? 'complete',
    specFile: { spec, vocabSize: 256, engineVersion: '0.1.0' },
    summary: o.summary ?? null,
    lastVal: o.valLoss === undefined ? null : { loss: o.valLoss, bpb: o.valLoss * 1.2 },
    lastTrain: { tokens: 1000, time_s: 4 },
  });
}

const sh = presets[REPRODUCTION.switchhead].spec;
const xl = presets[REPRODUCTION.dense].spec;
const xlH2 = presets[REPRODUCTION.denseSameHeads].spec;

describe('compare rows and columns', () => {
  const rows = [row('a', sh, { valLoss: 1.9 }), row('b', xl, { valLoss: 1.8 }), row('c', xlH2)];

  it('reads what npm run compare shows: model, params, MACs, memory, matrices, losses, tokens/s', () => {
    const [a, b, c] = rows;
    expect(a.attention).toBe('SH H2 E5 k2');
    expect(b.attention).toBe('dense H10');
    const spec = parseSpec(sh);
    expect(a.params).toBe(countParams(spec, 256).total);
    expect(a.macs).toBe(attentionCost(spec).macs);
    expect(a.matrices).toBe(8); // 2 heads x 4 layers
    expect(b.matrices).toBe(40);
    expect(a.valLoss).toBe(1.9);
    expect(c.valLoss).toBeNull();
    expect(a.tokensPerS).toBe(250);
    expect(a.tokenizer).toBe('byte');
    expect(a.dataset).toBe('gutenberg');
    // summary.json wins over the last rows when the run ended
    const ended = row('d', sh, { valLoss: 1.9, summary: { valLoss: 1.5, bpb: 2.1, tokensPerS: 99, params: 7 } });
    expect([ended.valLoss, ended.bpb, ended.tokensPerS, ended.params]).toEqual([1.5, 2.1, 99, 7]);
    // no readable spec: a row that says so, never a crash
    const broken = compareRow({
      id: 'x',
      name: null,
      status: 'failed',
      specFile: { spec: { model: 3 } },
      summary: null,
      lastVal: null,
      lastTrain: null,
    });
    expect([broken.name, broken.attention, broken.params, broken.macs]).toEqual(['x', '?', null, null]);
  });

  it('gives a column only to the spec fields that differ, after the fixed columns', () => {
    const diff = differingFields(rows);
    expect(diff).toContain('model.dFF');
    expect(diff).toContain('model.attention.dHead');
    expect(diff).not.toContain('name');
    expect(diff).not.toContain('train.seed'); // the same in all three
    const keys = compareColumns(rows).map((c) => c.key);
    expect(keys.slice(0, 11)).toEqual([
      'name',
      'attention',
      'params',
      'macs',
      'mem',
      'matrices',
      'valLoss',
      'bpb',
      'tokensPerS',
      'status',
      keys[10],
    ]);
    expect(keys).toContain('spec:model.dFF');
    expect(keys).not.toContain('spec:model.attention.kind'); // the attention column says it
    expect(compareColumns([rows[0]]).some((c) => c.key.startsWith('spec:'))).toBe(false);
  });

  it('sorts numbers as numbers and text naturally, empty cells last in both directions', () => {
    const cols = compareColumns(rows);
    const ids = (s: CompareRow[]) => s.map((r) => r.id);
    expect(ids(sortRows(rows, cols, { column: 'valLoss', dir: 'asc' }))).toEqual(['b', 'a', 'c']);
    expect(ids(sortRows(rows, cols, { column: 'valLoss', dir: 'desc' }))).toEqual(['a', 'b', 'c']);
    expect(ids(sortRows(rows, cols, { column: 'matrices', dir: 'desc' }))).toEqual(['b', 'a', 'c']);
    expect(ids(sortRows(rows, cols, { column: 'spec:model.dFF', dir: 'asc' }))).toEqual(['b', 'c', 'a']); // 640 640 644
    expect(ids(sortRows(rows, cols, { column: 'gone', dir: 'asc' }))).toEqual(['a', 'b', 'c']);
    expect(nextSort({ column: 'valLoss', dir: 'asc' }, 'valLoss')).toEqual({ column: 'valLoss', dir: 'desc' });
    expect(nextSort({ column: 'valLoss', dir: 'desc' }, 'params')).toEqual({ column: 'params', dir: 'asc' });
  });

  it('filters by every word over the id and the shown columns', () => {
    const cols = compareColumns(rows);
    expect(filterRows(rows, cols, 'dense').map((r) => r.id)).toEqual(['b', 'c']);
    expect(filterRows(rows, cols, 'DENSE h2').map((r) => r.id)).toEqual(['c']);
    expect(filterRows(rows, cols, 'SH k2').map((r) => r.id)).toEqual(['a']);
    expect(filterRows(rows, cols, '  ').length).toBe(3);
    expect(filterRows(rows, cols, 'nothing-like-this')).toEqual([]);
  });
});

describe('colours', () => {
  const rows = [row('a', sh), row('b', xl), row('c', xlH2)];
  const cols = compareColumns(rows);

  it('by run: the palette in the cell’s order, a pick as a palette slot that follows the theme', () => {
    const light = runColoring(rows, ['a', 'b', 'c'], { c: 'palette:4' }, 'run', cols, 'light');
    expect(light.styles.a.color).toBe(RUN_PALETTE.light[0]);
    expect(light.styles.b.color).toBe(RUN_PALETTE.light[1]);
    expect(light.styles.c.color).toBe(RUN_PALETTE.light[4]);
    const dark = runColoring(rows, ['a', 'b', 'c'], { c: 'palette:4' }, 'run', cols, 'dark');
    expect(dark.styles.c.color).toBe(RUN_PALETTE.dark[4]);
    expect(light.key).toEqual([]);
    expect(resolvePick('#abcdef', 'light')).toBe('#abcdef');
    expect(resolvePick('red; x', 'light')).toBeNull();
  });

  it('by a column: one colour per value, with the key', () => {
    const byAtt = runColoring(rows, ['a', 'b', 'c'], { a: 'palette:6' }, 'attention', cols, 'light');
    expect(byAtt.key.map((k) => k.value)).toEqual(['dense H2', 'dense H10', 'SH H2 E5 k2']); // natural order
    expect(byAtt.styles.b.color).toBe(byAtt.key[1].color);
    expect(byAtt.styles.a.color).toBe(byAtt.key[2].color); // the pick does not apply while colouring by a column
    const byMatrices = runColoring(rows, ['a', 'b', 'c'], {}, 'matrices', cols, 'light');
    expect(byMatrices.key.map((k) => k.value)).toEqual(['8', '40']);
    expect(byMatrices.styles.a.color).toBe(byMatrices.styles.c.color);
    // a column that is gone falls back to the runs' colours
    expect(runColoring(rows, ['a', 'b', 'c'], {}, 'spec:gone', cols, 'light').key).toEqual([]);
  });
});

describe('comparability', () => {
  const base: ExperimentSpecInput = {
    name: 'a',
    data: { source: { kind: 'corpus', name: 'alice' }, seqLen: 16, batchSize: 4 },
  };

  it('has nothing to say about the paper’s three runs (same data, tokenizer, tokens per step)', () => {
    const c = comparability([row('a', sh), row('b', xl), row('c', xlH2)], Y_METRICS);
    expect(c.notes).toEqual([]);
    expect(c.badMetrics.size).toBe(0);
  });

  it('names tokenizers, data and tokens per step that differ, and the metrics and axes they spoil', () => {
    const bpe = { ...base, name: 'b', data: { ...base.data, tokenizer: { kind: 'bpe' as const, vocabSize: 300 } } };
    const c = comparability([row('a', base), row('b', bpe)], Y_METRICS);
    expect(c.notes).toHaveLength(1);
    expect(c.notes[0]).toMatch(/different tokenizers \(byte: a; BPE 300: b\).*bits per byte is/);
    expect([...c.badMetrics]).toEqual(expect.arrayContaining(['val.loss', 'train.ce', 'val.ppl']));
    expect(c.badMetrics.has('val.bpb')).toBe(false);
    expect(c.badAxes.has('tokens')).toBe(true);

    const task = {
      name: 't',
      data: { source: { kind: 'synthetic' as const, task: 'copy' as const }, seqLen: 16, batchSize: 8 },
    };
    const d = comparability([row('a', base), row('t', task)], Y_METRICS);
    expect(d.notes.join(' ')).toMatch(/different data \(alice: a; copy task \(length 8, 16 symbols\): t\)/);
    expect(d.notes.join(' ')).toMatch(
      /different numbers of tokens per step \(64 tokens\/step: a; 128 tokens\/step: t\)/,
    );
    expect(d.notes.join(' ')).toMatch(/Bits per byte is not measured on synthetic tasks \(t\)/);
    expect(d.badMetrics.has('val.bpb')).toBe(true);
    expect(d.badMetrics.has('train.lr')).toBe(false);
    expect(d.badAxes.has('step')).toBe(true);
  });
});

describe('the runs a Compare cell shows', () => {
  const exp = (id: string, runIds: string[]) =>
    ({ id, kind: 'experiment', preset: null, spec: {}, runIds, view: {} }) as unknown as CellDoc;
  const cells = { e1: exp('e1', ['r1', 'r2']), e2: exp('e2', ['r3']) } as Record<string, CellDoc>;
  const c = { runIds: ['x', 'r3'], hidden: ['r2'], followCells: ['e1', 'e2', 'gone'] } as unknown as CompareDoc;

  it('its own, then the runs of the cells it follows, once each', () => {
    expect(cellRunIds(c, cells)).toEqual(['x', 'r3', 'r1', 'r2']);
  });

  it('taking out a followed run stops following its cell and keeps the cell’s other runs', () => {
    expect(withoutRun(c, cells, 'r2')).toEqual({ runIds: ['x', 'r3', 'r1'], followCells: ['e2', 'gone'], hidden: [] });
    expect(withoutRun(c, cells, 'x')).toEqual({ runIds: ['r3'], hidden: ['r2'] });
  });
});

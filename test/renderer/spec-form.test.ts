// The spec form is generated from the engine's zod schema: controls, bounds, defaults, union resolution, live
// validation naming the field; the cost readout against the preset's dense baseline; the summary line.
import { describe, expect, it } from 'vitest';
import { costRatios, costReport } from '../../engine/cost';
import { parseSpec } from '../../engine/spec';
import { baselines, presets } from '../../experiments/index';
import { costSummary, formatCount } from '../../renderer/cells/experiment/cost-summary';
import { labelOf, resolveFields, SPEC_SECTIONS, unionSwitch } from '../../renderer/cells/experiment/spec-fields';
import { checkSpec, getIn, schemaAt, setIn } from '../../renderer/cells/experiment/spec-schema';
import { specSummary } from '../../renderer/cells/experiment/spec-summary';

const section = (title: string) => SPEC_SECTIONS.find((s) => s.title === title)!;

describe('fields generated from the schema', () => {
  it('reads controls, bounds and defaults from engine/spec.ts', () => {
    expect(schemaAt(['model', 'attention', 'kind'], {})).toEqual({
      control: { kind: 'enum', options: ['switchhead', 'dense', 'moa'] },
      defaultValue: 'switchhead',
    });
    expect(schemaAt(['model', 'attention', 'nHeads'], {})).toEqual({
      control: { kind: 'int', min: 1, minExclusive: false },
      defaultValue: 2,
    });
    expect(schemaAt(['train', 'lr'], {})?.control).toEqual({ kind: 'number', min: 0, minExclusive: true });
    expect(schemaAt(['model', 'attention', 'moe', 'v'], {})).toEqual({ control: { kind: 'bool' }, defaultValue: true });
    expect(schemaAt(['model', 'nope'], {})).toBeUndefined();
  });

  it('resolves data source fields through the union member the spec holds', () => {
    const synthetic = { data: { source: { kind: 'synthetic', task: 'copy' } } };
    expect(schemaAt(['data', 'source', 'kind'], synthetic)?.control).toEqual({
      kind: 'enum',
      options: ['corpus', 'text', 'file', 'synthetic'],
    });
    expect(schemaAt(['data', 'source', 'task'], synthetic)?.control).toMatchObject({ kind: 'enum' });
    expect(schemaAt(['data', 'source', 'modulus'], synthetic)?.defaultValue).toBe(17);
    // no source given: the default member (corpus) answers
    expect(schemaAt(['data', 'source', 'name'], {})).toMatchObject({ defaultValue: 'gutenberg' });
    expect(schemaAt(['data', 'source', 'task'], {})).toBeUndefined();
  });

  it('shows only the fields that apply, with the spec value or the default', () => {
    const dense = { model: { attention: { kind: 'dense', nHeads: 10 } } };
    const att = resolveFields(dense, section('Attention'));
    const keys = att.map((f) => f.key);
    expect(keys).toContain('model.attention.nHeads');
    expect(keys).not.toContain('model.attention.nExperts');
    expect(keys).not.toContain('model.attention.moe.v');
    expect(att.find((f) => f.key === 'model.attention.nHeads')).toMatchObject({ value: 10, explicit: true });
    expect(att.find((f) => f.key === 'model.attention.dHead')).toMatchObject({ value: 32, explicit: false });
    const sh = resolveFields(presets['teach-copy'].spec, section('Attention')).map((f) => f.key);
    expect(sh).toEqual(
      expect.arrayContaining(['model.attention.nExperts', 'model.attention.k', 'model.attention.moe.o']),
    );
    const data = resolveFields(presets['teach-copy'].spec, section('Data')).map((f) => f.key);
    expect(data).toContain('data.source.task');
    expect(data).not.toContain('data.source.name');
  });

  it('switching a union kind replaces its object with what the new kind needs', () => {
    expect(unionSwitch(['data', 'source', 'kind'], 'synthetic')).toEqual({ kind: 'synthetic', task: 'copy' });
    expect(unionSwitch(['data', 'tokenizer', 'kind'], 'bpe')).toEqual({ kind: 'bpe' });
  });

  it('sets values immutably and reads them back', () => {
    const spec = { model: { dModel: 64 } };
    const next = setIn(spec, ['model', 'attention', 'k'], 3);
    expect(getIn(next, ['model', 'attention', 'k'])).toBe(3);
    expect(spec).toEqual({ model: { dModel: 64 } });
    expect(setIn(next, ['model', 'dModel'], undefined)).toEqual({ model: { attention: { k: 3 } } });
  });
});

describe('live validation', () => {
  it('names the field and the reason', () => {
    const bad = setIn(presets['teach-copy'].spec, ['model', 'attention', 'k'], 9);
    const r = checkSpec(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toContainEqual({ path: 'model.attention.k', message: 'k=9 exceeds nExperts=4' });
    expect(labelOf('model.attention.k')).toBe('k active');
    const typed = checkSpec(setIn({}, ['model', 'attention', 'nHeads'], '2x'));
    expect(!typed.ok && typed.issues[0]).toEqual({ path: 'model.attention.nHeads', message: 'enter a number' });
    const unknown = checkSpec({ model: { wings: 2 } });
    expect(!unknown.ok && unknown.issues[0].message).toMatch(/unknown field.*"wings"/);
  });

  it('accepts every preset', () => {
    for (const [name, p] of Object.entries(presets)) expect(checkSpec(p.spec).ok, name).toBe(true);
  });
});

describe('cost readout', () => {
  it('compares a CPU preset with its own dense baseline, as engine/cost does', () => {
    const name = Object.keys(baselines).find((n) => presets[n]?.group === 'cpu')!;
    const spec = parseSpec(presets[name].spec);
    const s = costSummary(spec, name);
    const base = parseSpec({ ...presets[baselines[name]].spec, data: spec.data });
    const want = costRatios(costReport(spec), costReport(base));
    expect(s.baseline?.name).toBe(baselines[name]);
    expect(s.baseline?.ratios).toEqual(want);
  });

  it('follows the spec: more experts per head cost more MACs', () => {
    const spec = parseSpec(presets['teach-copy'].spec);
    const more = parseSpec(setIn(presets['teach-copy'].spec, ['model', 'attention', 'k'], 4));
    expect(costSummary(more, 'teach-copy').report.attention.macsPerLayer).toBeGreaterThan(
      costSummary(spec, 'teach-copy').report.attention.macsPerLayer,
    );
  });

  it('without a preset baseline compares with dense attention of the same heads, and says so', () => {
    const s = costSummary(parseSpec(presets['teach-copy'].spec), 'teach-copy');
    expect(s.baseline?.name).toBe('dense H2');
    expect(s.baseline?.detail).toMatch(/same heads/);
    const dense = costSummary(parseSpec({ model: { attention: { kind: 'dense' } } }), null);
    expect(dense.baseline).toBeNull();
    expect(dense.why).toMatch(/baseline/);
  });

  it('formats counts with three significant figures', () => {
    expect(formatCount(1_060_000)).toBe('1.06M');
    expect(formatCount(47_260_000)).toBe('47.3M');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12_345)).toBe('12.3k');
  });
});

describe('summary line', () => {
  it('reads like the sketch', () => {
    const s = specSummary(parseSpec(presets['teach-copy'].spec));
    expect(s[0]).toMatch(/^SwitchHead H2 E4 k2 \(VO\) · RoPE$/);
    expect(s[2]).toMatch(/copy task · byte · T \d+ × B 16/);
  });
});

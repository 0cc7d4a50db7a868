import { describe, expect, it } from 'vitest';
import { parseSpec, SpecError, withOverrides } from '../../engine/spec';

describe('experiment spec', () => {
  it('fills defaults for an empty spec', () => {
    const s = parseSpec({});
    expect(s.model.attention.kind).toBe('switchhead');
    expect(s.model.attention.moe).toEqual({ q: false, k: false, v: true, o: true });
    expect(s.data.tokenizer).toEqual({ kind: 'byte' });
    expect(s.train.seed).toBe(42);
  });

  it('rejects a wrong field type, naming the field', () => {
    expect(() => parseSpec({ model: { attention: { nHeads: 'two' } } })).toThrowError(/model\.attention\.nHeads/);
  });

  it('rejects unknown fields, naming them', () => {
    try {
      parseSpec({ model: { attention: { nExprts: 4 } } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      expect((e as SpecError).message).toMatch(/model\.attention: unknown field\(s\) "nExprts"/);
    }
  });

  it('rejects k larger than the number of experts', () => {
    expect(() => parseSpec({ model: { attention: { nExperts: 2, k: 3 } } })).toThrowError(
      /model\.attention\.k: k=3 exceeds nExperts=2/,
    );
  });

  it('rejects an odd number of rotated RoPE channels', () => {
    expect(() => parseSpec({ model: { attention: { dHead: 6, rotateFraction: 0.5 } } })).toThrowError(/rotateFraction/);
  });

  it('rejects enum values it does not know', () => {
    expect(() => parseSpec({ model: { attention: { positions: 'alibi' } } })).toThrowError(
      /model\.attention\.positions/,
    );
  });

  it('merges overrides deeply', () => {
    const s = withOverrides({ model: { dModel: 64 } }, { model: { attention: { k: 1 } } });
    expect(s.model.dModel).toBe(64);
    expect(s.model.attention.k).toBe(1);
  });
});

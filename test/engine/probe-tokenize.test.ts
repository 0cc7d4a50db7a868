// Tokenize and the probe's length rules: a probe text has 2..context+1 tokens (the last one is only predicted); a
// requested probe refuses anything else, naming the lengths, while the run's periodic probe truncates. wasm.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, tokenizeText } from '../../engine/train/probe';
import { ProbeInputError } from '../../engine/train/probe-interventions';
import type { Trainer } from '../../engine/train/trainer';
import { useBackend } from './helpers';
import { makeTrainer, SWITCHALL } from './probe-fixtures';

describe('tokenize and probe lengths', () => {
  let tr: Trainer;
  beforeAll(async () => {
    await useBackend('wasm');
    tr = makeTrainer(SWITCHALL);
  });
  afterAll(() => tr.dispose());

  it('tokenize: ids, display names, length against the context', () => {
    const r = tokenizeText(tr, 'Call me');
    expect(r.ids).toEqual(Array.from(tr.data.tokenizer.encode('Call me')));
    expect(r.tokens).toEqual(r.ids.map((id) => tr.data.tokenizer.tokenName(id)));
    expect(r).toMatchObject({ text: 'Call me', length: 7, contextLength: 24, maxLength: 25, problem: null });
    expect(tokenizeText(tr, 'e'.repeat(25)).problem).toBeNull(); // 24 positions + the last, predicted token
    expect(tokenizeText(tr, 'e'.repeat(26)).problem).toBe(
      "the probe text is too long (26 tokens; the model's context is 24, so a probe may have at most 25 tokens: the last one is only predicted)",
    );
    expect(tokenizeText(tr, '')).toMatchObject({
      length: 0,
      problem: 'the probe text is empty (0 tokens); it needs at least 2 tokens',
    });
    expect(tokenizeText(tr, 'C').problem).toMatch(/too short \(1 token\)/);
    const odd = tokenizeText(tr, 'Zebra'); // 'Z' and 'b' are not in the character vocabulary
    expect(odd.problem).toMatch(/^the text cannot be encoded: /);
    expect(odd.length).toBe(0);
  });

  it('a probe refuses an empty, too short or too long text, naming the lengths; truncate keeps the context', () => {
    expect(() => probe(tr, '')).toThrowError(ProbeInputError);
    expect(() => probe(tr, '')).toThrowError(/empty \(0 tokens\)/);
    expect(() => probe(tr, 'C')).toThrowError(/too short/);
    expect(() => probe(tr, 'e'.repeat(30))).toThrowError(/too long \(30 tokens; the model's context is 24/);
    const cut = probe(tr, 'e'.repeat(30), { truncate: true });
    expect(cut.tokens).toHaveLength(24);
    expect(cut.outputs!.tokenLoss).toHaveLength(24);
    expect(probe(tr, 'e'.repeat(25)).tokens).toHaveLength(24);
  });
});

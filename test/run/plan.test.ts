// The run plan: what is due before and after each step, as a pure function of the spec, the run's facts and the step.
import { describe, expect, it } from 'vitest';
import { buildDataset } from '../../engine/data';
import { evalBeforeTraining, hasExtras, modelRoutes, planStep, probeTextFor, runFacts } from '../../engine/run/plan';
import { parseSpec } from '../../engine/spec';

const spec = (over: object = {}) =>
  parseSpec({
    train: { steps: 12 },
    log: { metricsInterval: 2, evalInterval: 5, routingInterval: 4, probeInterval: 6, checkpointInterval: 10 },
    ...over,
  });

/** The steps in 1..steps at which `what` is due. */
const dueAt = (s: ReturnType<typeof spec>, what: 'metrics' | 'eval' | 'routing' | 'probe' | 'checkpoint' | 'last') =>
  Array.from({ length: s.train.steps }, (_, i) => planStep(s.log, runFacts(s), i + 1))
    .filter((p) => p[what])
    .map((p) => p.step);

describe('planStep', () => {
  it('puts each record on its interval and everything on the last step', () => {
    const s = spec();
    expect(dueAt(s, 'metrics')).toEqual([2, 4, 6, 8, 10, 12]);
    expect(dueAt(s, 'eval')).toEqual([5, 10, 12]);
    expect(dueAt(s, 'routing')).toEqual([4, 8, 12]);
    expect(dueAt(s, 'probe')).toEqual([6, 12]);
    expect(dueAt(s, 'checkpoint')).toEqual([10, 12]);
    expect(dueAt(s, 'last')).toEqual([12]);
  });

  it('records no routing for a model that makes no selections', () => {
    const dense = spec({ model: { attention: { kind: 'dense' } } });
    expect(modelRoutes(dense)).toBe(false);
    expect(dueAt(dense, 'routing')).toEqual([]);
    expect(dueAt(dense, 'probe')).toEqual([6, 12]); // attention maps are still worth a look
    const switchAll = spec({ model: { attention: { kind: 'dense' }, mlp: { kind: 'sigma-moe' } } });
    expect(modelRoutes(switchAll)).toBe(true);
    expect(modelRoutes(spec({ model: { attention: { kind: 'moa', positions: 'xl' } } }))).toBe(true);
  });

  it('has extras exactly when something besides a metrics row is due', () => {
    const s = spec();
    const withExtras = Array.from({ length: 12 }, (_, i) => planStep(s.log, runFacts(s), i + 1))
      .filter(hasExtras)
      .map((p) => p.step);
    expect(withExtras).toEqual([4, 5, 6, 8, 10, 12]);
  });

  it('a step past the end (a resumed run beyond a shortened spec) counts as the last', () => {
    const s = spec();
    expect(planStep(s.log, runFacts(s), 13)).toMatchObject({ last: true, eval: true, checkpoint: true });
  });
});

describe('before training', () => {
  it('evaluates the untrained model of a run that starts at step 0 only', () => {
    expect(evalBeforeTraining(0)).toBe(true);
    expect(evalBeforeTraining(5)).toBe(false);
  });
});

describe('probeTextFor', () => {
  it("keeps the spec's text for text data and for a synthetic task that can encode it", () => {
    const text = spec({ data: { source: { kind: 'text', text: 'abc '.repeat(400) }, seqLen: 8, batchSize: 2 } });
    expect(probeTextFor(text, buildDataset(text, {}))).toBe(text.log.probeText);
    const copy = spec({
      data: { source: { kind: 'synthetic', task: 'copy', length: 3, symbols: 4 }, seqLen: 8, batchSize: 2 },
      log: { probeText: 'A B C <sep> A B C' },
    });
    expect(probeTextFor(copy, buildDataset(copy))).toBe('A B C <sep> A B C');
  });

  it("gives a synthetic task an example in its own vocabulary when the spec's text is not in it", () => {
    const copy = spec({
      data: { source: { kind: 'synthetic', task: 'copy', length: 3, symbols: 4 }, seqLen: 8, batchSize: 2 },
    });
    const data = buildDataset(copy);
    expect(() => data.tokenizer.encode(copy.log.probeText)).toThrow();
    const text = probeTextFor(copy, data);
    expect(data.tokenizer.encode(text).length).toBe(8); // the first validation example, seqLen tokens
    expect(text).toContain('<sep>');
  });
});

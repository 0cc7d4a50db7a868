// The run recorder on hand-made session events and an in-memory sink: order, coalescing behind a slow sink, the
// end of a run (complete, failed, stopped, interrupted), resume, requested vs periodic reports, sink errors.
import { describe, expect, it, vi } from 'vitest';
import type { EvalReport, ProbeReport, RoutingReport, StepReport } from '../../engine/contracts/reports';
import type { MetricsRow, RoutingRow, RunSpecFile, RunSummary } from '../../engine/contracts/run-files';
import type { ReadyEvent, WorkerEvent } from '../../engine/protocol';
import { RunRecorder, type RunSink } from '../../engine/run/recorder';
import { MetricsBuffer, MIN_INTERVAL_MS, stepRows } from '../../engine/session-metrics';
import { parseSpec } from '../../engine/spec';

const spec = parseSpec({ name: 'rec', train: { steps: 4 }, data: { source: { kind: 'corpus', name: 'alice' } } });

type Call = [string, ...unknown[]];

/** A sink that records every call and takes `delayMs` per write. */
function memorySink(delayMs = 0, opts: { failOn?: string; kept?: MetricsRow[] } = {}) {
  const calls: Call[] = [];
  const wait = () => new Promise((r) => setTimeout(r, delayMs));
  const op =
    (name: string) =>
    async (...args: unknown[]) => {
      await wait();
      if (opts.failOn === name) throw new Error(`disk full (${name})`);
      calls.push([name, ...args]);
      return name === 'writeCheckpoint' ? `ckpt/${args[0]}` : name === 'resume' ? (opts.kept ?? []) : undefined;
    };
  const sink = {
    create: op('create'),
    resume: op('resume'),
    appendMetrics: op('appendMetrics'),
    appendRouting: op('appendRouting'),
    writeProbe: op('writeProbe'),
    writeCheckpoint: op('writeCheckpoint'),
    writeSummary: op('writeSummary'),
    release: op('release'),
  } as unknown as RunSink;
  return { sink, calls, names: () => calls.map((c) => c[0]) };
}

const ready = (step = 0): ReadyEvent => ({
  type: 'ready',
  requestId: 1,
  protocol: 1,
  engineVersion: '0.1.0',
  backend: 'wasm',
  adapter: 'WebAssembly (XNNPACK)',
  fallbacks: [],
  limits: {},
  params: 1000,
  vocab: 256,
  dataset: 'alice',
  spec,
  step,
  totalSteps: 4,
  tensorsBeforeInit: 0,
});

const train = (step: number): StepReport => ({
  step,
  tokens: 32 * step,
  time_s: 0.1 * step,
  split: 'train',
  loss: 5 - step / 10,
  ce: 5 - step / 10,
  reg: 0,
  lr: 0.003,
  grad_norm: 1.5,
  step_ms: 100,
  tokens_per_s: 320,
});
const val = (step: number): EvalReport => ({
  step,
  tokens: 32 * step,
  time_s: 0.1 * step,
  split: 'val',
  loss: 5.5 - step / 10,
  ppl: Math.exp(5.5),
  bits_per_token: 7,
  bpb: 7,
});
const metrics = (...steps: number[]): WorkerEvent => {
  const b = new MetricsBuffer();
  for (const s of steps) b.push(train(s));
  return b.drain({ numTensors: 0, numBytes: 0 })!;
};
const routing = (step: number): RoutingReport => ({ step, tokens: 32 * step, sides: [], cooccurrence: [] });
const probe = (step: number): ProbeReport => ({ step, text: 'ab', tokens: ['a'], layers: [] });

/** A whole 4-step run as the session emits it. */
const run = (): WorkerEvent[] => [
  ready(),
  { type: 'eval', report: val(0) },
  metrics(1),
  metrics(2),
  { type: 'eval', report: val(2) },
  { type: 'routing', report: routing(2) },
  metrics(3),
  metrics(4),
  { type: 'eval', report: val(4) },
  { type: 'routing', report: routing(4) },
  { type: 'probe', report: probe(4) },
  { type: 'checkpoint', step: 4, bytes: new Uint8Array([1, 2, 3]) },
  { type: 'state', state: 'finished', step: 4 },
  { type: 'finished', step: 4, tokens: 128, time_s: 0.4 },
];

describe('RunRecorder', () => {
  it('writes a run in event order and coalesces rows that queue up behind a slow sink', async () => {
    const { sink, calls, names } = memorySink(15);
    const rec = new RunRecorder(sink, { now: () => new Date('2026-01-02T03:04:05Z'), command: 'npm run x' });
    for (const ev of run()) rec.consume(ev);
    await rec.flush();
    expect(names()).toEqual([
      'create',
      'appendMetrics', // val 0 .. val 2: queued while create was in flight
      'appendRouting',
      'appendMetrics', // train 3 .. val 4
      'appendRouting',
      'writeProbe',
      'writeCheckpoint',
      'writeSummary',
      'release',
    ]);
    const file = calls[0][1] as RunSpecFile;
    expect(file).toMatchObject({ spec, backend: { name: 'wasm' }, vocabSize: 256, command: 'npm run x' });
    expect(file.createdAt).toBe('2026-01-02T03:04:05.000Z');
    const rows = [...(calls[1][1] as MetricsRow[]), ...(calls[3][1] as MetricsRow[])];
    expect(rows.map((r) => `${r.split}${r.step}`)).toEqual([
      'val0',
      'train1',
      'train2',
      'val2',
      'train3',
      'train4',
      'val4',
    ]);
    expect([calls[2][1], calls[4][1]].flatMap((r) => (r as RoutingRow[]).map((x) => x.step))).toEqual([2, 4]);
    expect(rec.lastCheckpoint).toEqual({ step: 4, path: 'ckpt/4' });
    const [, summary, md, svg] = calls[7] as [string, RunSummary, string, string];
    expect(summary).toMatchObject({
      status: 'complete',
      steps: 4,
      tokens: 128,
      valLoss: val(4).loss,
      params: expect.any(Number),
    });
    expect(summary.final.train).toEqual(train(4));
    expect(md).toContain('**complete** at step 4 of 4');
    expect(md).toContain('`npm run x`');
    expect(svg).toMatch(/^<svg[\s\S]*train[\s\S]*validation[\s\S]*<\/svg>\n$/);
    expect(rec.ended).toBe('complete');
  });

  it('without a slow sink, writes each event as it comes', async () => {
    const { sink, names } = memorySink(0);
    const rec = new RunRecorder(sink);
    for (const ev of run()) {
      rec.consume(ev);
      await rec.flush();
    }
    expect(names().filter((n) => n === 'appendMetrics').length).toBe(7);
  });

  it('records periodic reports only; requested checkpoints are kept', async () => {
    const { sink, names } = memorySink();
    const rec = new RunRecorder(sink);
    rec.consume(ready());
    rec.consume({ type: 'eval', requestId: 7, report: val(0) });
    rec.consume({ type: 'routing', requestId: 8, report: routing(0) });
    rec.consume({ type: 'probe', requestId: 9, report: probe(0) });
    rec.consume({ type: 'checkpoint', requestId: 10, step: 0, bytes: new Uint8Array(1) });
    await rec.flush();
    expect(names()).toEqual(['create', 'writeCheckpoint']);
  });

  it.each([
    [
      'failed',
      {
        type: 'failed',
        reason: 'non-finite',
        fatal: true,
        step: 3,
        error: { name: 'E', message: 'loss became NaN', stack: '' },
      },
    ],
    ['stopped', { type: 'state', state: 'stopped', step: 3 }],
  ] as [string, WorkerEvent][])('ends as %s', async (status, end) => {
    const { sink, calls } = memorySink();
    const rec = new RunRecorder(sink);
    for (const ev of [
      ready(),
      metrics(1, 2, 3),
      end,
      { type: 'finished', step: 3, tokens: 96, time_s: 1 } as WorkerEvent,
    ])
      rec.consume(ev);
    await rec.flush();
    const summaries = calls.filter((c) => c[0] === 'writeSummary');
    expect(summaries.length).toBe(1); // the first end counts
    const s = summaries[0][1] as RunSummary;
    expect(s).toMatchObject({ status, steps: 3, tokens: 96 });
    if (status === 'failed') expect(s.error).toEqual({ reason: 'non-finite', message: 'loss became NaN', step: 3 });
    expect(calls.at(-1)![0]).toBe('release');
  });

  it('an interrupted run gets summary.md and loss.svg but no summary.json', async () => {
    const { sink, calls } = memorySink();
    const rec = new RunRecorder(sink);
    for (const ev of [ready(), metrics(1, 2)]) rec.consume(ev);
    await rec.interrupt(['Resume with `npm run experiment -- --resume runs/x`.']);
    const w = calls.find((c) => c[0] === 'writeSummary')!;
    expect(w[1]).toBeNull();
    expect(w[2]).toContain('**interrupted** at step 2 of 4');
    expect(w[2]).toContain('--resume runs/x');
    expect(calls.at(-1)![0]).toBe('release');
    rec.consume({ type: 'state', state: 'stopped', step: 2 }); // a later stop does not end it again
    await rec.flush();
    expect(calls.filter((c) => c[0] === 'writeSummary').length).toBe(1);
  });

  it('resumes by rolling back to the start step (everything for a restart at step 0) and keeps the old rows', async () => {
    const file: RunSpecFile = {
      spec,
      engineVersion: '0.1.0',
      backend: { name: 'wasm', adapter: 'x' },
      dataset: 'alice',
      vocabSize: 256,
      createdAt: 'then',
    };
    const kept = [val(0), train(1), train(2), val(2)];
    const a = memorySink(0, { kept });
    const rec = new RunRecorder(a.sink, { resume: file });
    for (const ev of [ready(2), metrics(3, 4), { type: 'finished', step: 4, tokens: 128, time_s: 0.4 } as WorkerEvent])
      rec.consume(ev);
    await rec.flush();
    expect(a.calls[0]).toEqual(['resume', 2]);
    expect(a.names()).not.toContain('create');
    const s = a.calls.find((c) => c[0] === 'writeSummary')![1] as RunSummary;
    expect(s.valLoss).toBe(val(2).loss); // from the rows kept
    expect(rec.file).toBe(file);

    const b = memorySink();
    new RunRecorder(b.sink, { resume: file }).consume(ready(0));
    await new Promise((r) => setTimeout(r, 5));
    expect(b.calls[0]).toEqual(['resume', -1]);
  });

  it('stops writing at the first sink error and reports it', async () => {
    const { sink, names } = memorySink(0, { failOn: 'writeProbe' });
    const errors: unknown[] = [];
    const rec = new RunRecorder(sink, { onError: (e) => errors.push(e) });
    for (const ev of run()) rec.consume(ev);
    await expect(rec.flush()).rejects.toThrow(/disk full \(writeProbe\)/);
    expect(errors.length).toBe(1);
    expect(names()).toEqual(['create', 'appendMetrics', 'appendRouting', 'appendMetrics', 'appendRouting']);
    rec.consume(metrics(5));
    await expect(rec.flush()).rejects.toThrow(/disk full/);
    expect(names().length).toBe(5);
  });
});

describe('stepRows', () => {
  it('writes float32 columns as their shortest decimals and drops a NaN accuracy', () => {
    const ev = metrics(1) as Extract<WorkerEvent, { type: 'metrics' }>;
    const [row] = stepRows(ev);
    expect(row).toEqual({ ...train(1), loss: 4.9, ce: 4.9, lr: 0.003 });
    expect(Object.keys(row)).toEqual(Object.keys(train(1)));
    expect(Math.fround(row.loss)).toBe(ev.columns.loss[0]);
    const b = new MetricsBuffer();
    b.push({ ...train(2), accuracy: 0.7 });
    expect(stepRows(b.drain({ numTensors: 0, numBytes: 0 })!)[0].accuracy).toBe(0.7);
  });
});

describe('MetricsBuffer', () => {
  it('batches rows into one event per 50 ms at most', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const b = new MetricsBuffer();
      expect(b.due()).toBe(false); // nothing to send
      for (let s = 1; s <= 5; s++) b.push(train(s));
      expect(b.due()).toBe(false); // the last message (the buffer's start) is < 50 ms old
      vi.advanceTimersByTime(MIN_INTERVAL_MS);
      expect(b.due()).toBe(true);
      const ev = b.drain({ numTensors: 3, numBytes: 4 })!;
      expect(ev.count).toBe(5);
      expect(Array.from(ev.columns.step)).toEqual([1, 2, 3, 4, 5]);
      b.push(train(6));
      expect(b.due()).toBe(false);
      expect(b.drain({ numTensors: 0, numBytes: 0 })!.count).toBe(1); // an explicit flush sends at once
      expect(b.drain({ numTensors: 0, numBytes: 0 })).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

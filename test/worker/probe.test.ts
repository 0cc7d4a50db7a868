// The routing-lens requests over worker_threads (the code the app runs in its Web Worker): tokenize, a probe with
// interventions and its refusals, the expert atlas with transferred typed arrays, the walkthrough trace; and a run
// that answers these requests while it trains has exactly the losses of one that is left alone.
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkbenchClient } from '../../engine/client';
import { WorkbenchError } from '../../engine/client';
import { nodeInitBody, spawnEngineWorker } from '../../engine/node/worker-host';
import type { AckEvent, ProbeEvent } from '../../engine/protocol';
import { DENSE, SWITCHALL } from '../engine/probe-fixtures';
import { recorder } from './fixtures';

const clients: WorkbenchClient[] = [];
const spawn = () => {
  const c = spawnEngineWorker({ timeoutMs: 60_000 });
  clients.push(c);
  return c;
};
afterEach(() => {
  while (clients.length) clients.pop()!.dispose();
});

const PROBE = 'Some years ago, never';
const spec = (steps: number, base = SWITCHALL) => ({
  ...base,
  train: { ...base.train, steps },
  log: {
    evalInterval: 10,
    routingInterval: 10,
    probeInterval: 10,
    checkpointInterval: 1000,
    probeText: 'Call me Ishmael. Some years ago, never mind how long', // longer than the context: the run truncates
  },
});

const refusal = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WorkbenchError);
  expect((e as WorkbenchError).reason).toBe('invalid-request');
  expect((e as WorkbenchError).event!.fatal).toBe(false);
  return (e as WorkbenchError).message;
};

describe('routing-lens requests over worker_threads', () => {
  it('tokenize, probe with interventions, atlas and trace answer; bad input is refused by name', async () => {
    const c = spawn();
    const ready = await c.request('init', nodeInitBody(spec(4), { backend: ['wasm'] }));
    await c.request('step', {});

    const tok = await c.request('tokenize', { text: 'e'.repeat(30) });
    expect(tok.type).toBe('tokens');
    expect(tok.report).toMatchObject({ length: 30, contextLength: 24, maxLength: 25 });
    expect(tok.report.problem).toMatch(/too long \(30 tokens; the model's context is 24/);
    expect(await refusal(c.request('probe', { text: 'e'.repeat(30) }))).toMatch(/too long \(30 tokens/);
    expect(await refusal(c.request('probe', { text: '' }))).toMatch(/empty \(0 tokens\)/);

    const ab = { kind: 'ablate' as const, layer: 1, side: 'src' as const, head: 0, expert: 7 };
    expect(await refusal(c.request('probe', { text: PROBE, interventions: [ab] }))).toBe(
      'expert 7 does not exist: layer 1 head 0 src has 4 experts (0-3)',
    );
    expect(
      await refusal(c.request('probe', { text: PROBE, interventions: [{ ...ab, kind: 'explode' as 'ablate' }] })),
    ).toMatch(/malformed "probe" request: interventions\.0\.kind/);

    const base = await c.request('probe', { text: PROBE });
    const top = base.report.layers[1]!.dst!.idx[6]![0]![0]!;
    const cf = await c.request('probe', {
      text: PROBE,
      interventions: [{ kind: 'ablate', layer: 1, side: 'dst', head: 0, expert: top, position: 6 }],
    });
    expect(cf.report.baseline).toEqual(base.report.outputs);
    expect(cf.report.outputs!.top[6]).not.toEqual(base.report.outputs!.top[6]);
    expect(cf.report.layers[1]!.dst!.idx[6]![0]).not.toContain(top);

    const at = await c.request('atlas', { maxTokens: 48, topContexts: 3 });
    expect(at.report.ids).toBeInstanceOf(Int32Array);
    expect(at.report.ids.length).toBe(48);
    expect(at.report.groups).toHaveLength(10);
    expect(at.report.groups[0]!.signature).toBeInstanceOf(Float32Array);
    expect(at.report.groups[0]!.idx).toBeInstanceOf(Int32Array);
    expect(at.report.groups[0]!.idx.length).toBe(48 * at.report.groups[0]!.k);
    expect(at.report.groups.every((g) => g.topContexts.every((x) => x.pos.length <= 3))).toBe(true);
    expect(await refusal(c.request('atlas', { maxTokens: 0 }))).toMatch(/maxTokens/);

    const tr = await c.request('trace', { text: PROBE, position: 5, layer: 1 });
    expect(tr.report.output).toHaveLength(16);
    expect(tr.report.heads[0]!.weights).toHaveLength(6);
    expect(tr.report.heads[1]!.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(await refusal(c.request('trace', { text: PROBE, position: 30, layer: 0 }))).toMatch(/position 30/);
    const rt = await c.request('routing', {});
    for (const side of rt.report.sides)
      for (const h of side.heads) {
        expect(h.jain).toBeGreaterThanOrEqual(1 / h.share.length - 1e-12);
        expect(h.margin!.p50).toBeGreaterThanOrEqual(0);
      }
    expect(ready.step).toBe(0);
  });

  it('a dense model answers probes (attention only) and refuses selection interventions clearly', async () => {
    const c = spawn();
    await c.request('init', nodeInitBody(spec(2, DENSE), { backend: ['wasm'] }));
    const p = await c.request('probe', { text: PROBE });
    expect(p.report.layers[0]!.src).toBeUndefined();
    expect(p.report.outputs!.attentionNorm).toHaveLength(2);
    expect(
      await refusal(c.request('probe', { text: PROBE, interventions: [{ kind: 'uniform', layer: 0, side: 'src' }] })),
    ).toBe('layer 0 has no src selection: its attention is dense (no expert selection)');
    expect(await refusal(c.request('atlas', {}))).toMatch(/needs a model that selects experts/);
    expect(await refusal(c.request('trace', { text: PROBE, position: 0, layer: 0 }))).toMatch(/attention is dense/);
  });

  it('probes, interventions, atlas, trace and tokenize sent while a run trains do not change its losses', async () => {
    const steps = 30;
    const lossesOf = async (busy: boolean) => {
      const c = spawn();
      const rec = recorder((t, h) => c.on(t, h));
      await c.request('init', nodeInitBody(spec(steps), { backend: ['wasm'] }));
      await c.request('start', {});
      const finished = c.next('finished');
      let done = false;
      void finished.then(() => (done = true));
      const answeredWhileRunning: string[] = [];
      let i = 0;
      while (busy && !done) {
        const requests = [
          () => c.request('probe', { text: PROBE, interventions: [{ kind: 'uniform' }] }),
          () => c.request('atlas', { maxTokens: 48 }),
          () => c.request('trace', { text: PROBE, position: i % 20, layer: i % 2 }),
          () => c.request('tokenize', { text: PROBE }),
          () =>
            c.request('probe', {
              text: PROBE,
              interventions: [{ kind: 'force', layer: 0, side: 'mlp', head: 0, expert: i % 4 }],
            }),
        ];
        await requests[i++ % requests.length]!();
        const ack = rec.events.filter((e) => e.ev.type === 'ack').at(-1)!.ev as AckEvent;
        if (ack.state === 'running' && ack.step < steps) answeredWhileRunning.push(ack.request);
      }
      await finished;
      const periodic = rec.events.filter((e) => e.ev.type === 'probe' && e.ev.requestId === undefined);
      expect(periodic.map((e) => (e.ev as ProbeEvent).report.tokens.length)).toEqual([24, 24, 24]); // truncated
      c.dispose();
      return { loss: rec.column('loss'), answeredWhileRunning };
    };
    const quiet = await lossesOf(false);
    const busy = await lossesOf(true);
    expect(quiet.loss).toHaveLength(steps);
    expect(new Set(busy.answeredWhileRunning).size).toBeGreaterThanOrEqual(3); // requests really landed mid-run
    expect(busy.loss).toEqual(quiet.loss);
  });
});

// The worker protocol end to end over worker_threads: the same engine/worker.ts code the app runs in a Web Worker.
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkbenchClient } from '../../engine/client';
import { WorkbenchError } from '../../engine/client';
import { nodeInitBody, spawnEngineWorker } from '../../engine/node/worker-host';
import { PROTOCOL_VERSION, type EvalEvent, type FailedEvent, type WorkerEvent } from '../../engine/protocol';
import { mean, recorder, sleep, tinySpec } from './fixtures';

const clients: WorkbenchClient[] = [];
const spawn = () => {
  const c = spawnEngineWorker({ timeoutMs: 60_000 });
  clients.push(c);
  return c;
};
afterEach(() => {
  while (clients.length) clients.pop()!.dispose();
});

describe('worker protocol over worker_threads', () => {
  it('rejects an invalid spec and malformed messages by name, then accepts a valid init', async () => {
    const c = spawn();
    const rec = recorder((t, h) => c.on(t, h));
    const bad = { ...tinySpec(), model: { ...tinySpec().model, dModel: 0 } };
    const err = await c.request('init', { protocol: PROTOCOL_VERSION, spec: bad, backend: ['wasm'] }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkbenchError);
    expect(err.reason).toBe('invalid-request');
    expect(err.message).toMatch(/model\.dModel/);

    const lr = await c.request('setLearningRate', { lr: -1 }).catch((e) => e);
    expect(lr.message).toMatch(/lr: Number must be greater than 0/);
    const early = await c.request('start', {}).catch((e) => e);
    expect(early.message).toMatch(/send init first/);
    const version = await c.request('init', { protocol: 99, spec: tinySpec() }).catch((e) => e);
    expect(version.message).toMatch(/protocol version 99/);
    // Not even a request (no id, unknown type): a failed event without requestId names it.
    const stray = c.next('failed', (f) => f.requestId === undefined);
    (c as unknown as { endpoint: { postMessage(m: unknown): void } }).endpoint.postMessage({ type: 'explode' });
    expect((await stray).error.message).toMatch(/malformed "explode" request: type: Invalid discriminator/);

    const ready = await c.request('init', nodeInitBody(tinySpec(), { backend: ['wasm'] }));
    expect(ready.backend).toBe('wasm');
    expect(ready.params).toBeGreaterThan(1000);
    expect(ready.vocab).toBe(6);
    expect(ready.dataset).toMatch(/synthetic copy/);
    expect(ready.step).toBe(0);
    const fails = rec.events.filter((e) => e.ev.type === 'failed').map((e) => e.ev as FailedEvent);
    expect(fails.length).toBe(5);
    expect(fails.every((f) => !f.fatal)).toBe(true);
  });

  it('trains: batched transferred metrics, loss falls, pause/resume, learning rate, probe, checkpoint, stop, dispose', async () => {
    const c = spawn();
    const rec = recorder((t, h) => c.on(t, h));
    const ready = await c.request('init', nodeInitBody(tinySpec({ steps: 40 }), { backend: ['wasm'] }));
    expect(ready.fallbacks).toEqual([]);
    expect(ready.limits).toMatchObject({ simd: true });
    const t0 = Date.now();
    await c.request('start', {});
    await c.next('metrics', (m) => m.columns.step[m.count - 1] >= 8);
    const paused = await c.request('pause', {});
    expect(paused.state).toBe('paused');
    const pausedAt = paused.step;
    await sleep(400);
    expect(Math.max(...rec.column('step'))).toBe(pausedAt); // no step while paused

    const one = await c.request('step', {});
    expect(one.step).toBe(pausedAt + 1);
    await c.request('setLearningRate', { lr: 1e-3 });
    await c.request('resume', {});
    await c.next('metrics', (m) => m.columns.step[m.count - 1] >= pausedAt + 10);
    const pr = await c.request('probe', { text: 'A B C <sep> A B C' });
    expect(pr.report.tokens).toEqual(['A', 'B', 'C', '<sep>', 'A', 'B']);
    expect(pr.report.layers[0].attention.length).toBe(2); // heads
    const ck = await c.request('saveCheckpoint', {});
    expect(ck.bytes).toBeInstanceOf(Uint8Array);
    expect(ck.bytes.length).toBeGreaterThan(ready.params * 12);
    const stopped = await c.request('stop', {});
    expect(stopped.state).toBe('stopped');
    const stopStep = stopped.step;
    await sleep(300);
    const wall = (Date.now() - t0) / 1000;

    const steps = rec.column('step');
    expect(steps).toEqual(Array.from({ length: stopStep }, (_, i) => i + 1)); // every step once, in order
    expect(stopStep).toBeLessThan(40);
    const loss = rec.column('loss');
    expect(mean(loss.slice(-5))).toBeLessThan(mean(loss.slice(0, 5)) - 0.2);
    const lrs = rec.column('lr');
    expect(lrs[0]).toBeCloseTo(3e-3, 8);
    expect(lrs[pausedAt + 1]).toBeCloseTo(1e-3, 8); // the step after setLearningRate
    const ms = rec.metrics();
    expect(ms[0].ev.columns.step).toBeInstanceOf(Float64Array);
    expect(ms[0].ev.columns.loss).toBeInstanceOf(Float32Array);
    // batched: at most ~20 messages/s, plus flushes on pause/step/stop and before each step's other events (every 10)
    expect(ms.length).toBeLessThanOrEqual(wall * 20 + 4 + Math.ceil(stopStep / 10));
    expect(rec.events.filter((e) => e.ev.type === 'state').map((e) => (e.ev as { state: string }).state)).toEqual([
      'ready',
      'running',
      'paused',
      'running',
      'stopped',
    ]);
    expect(
      rec.events.some((e) => e.ev.type === 'eval' && e.ev.requestId === undefined && e.ev.report.step === 10),
    ).toBe(true);
    expect(rec.events.some((e) => e.ev.type === 'routing' && e.ev.report.step === 10)).toBe(true);

    const after = await c.request('step', {}).catch((e) => e);
    expect(after.message).toMatch(/not possible while the session is stopped/);
    const ev = await c.request('evaluate', {}); // still answers after stop
    expect(ev.report.step).toBe(stopStep);
    const gone = await c.request('dispose', {});
    expect(gone.numTensors).toBe(gone.tensorsBeforeInit);
    expect(ms.at(-1)!.ev.memory.numTensors).toBeGreaterThan(gone.numTensors); // there were tensors to free
  });

  it('runs to spec.train.steps by the run plan: evaluation from step 0, routing, probe, checkpoint, in step order', async () => {
    const c = spawn();
    const rec = recorder((t, h) => c.on(t, h));
    await c.request('init', nodeInitBody(tinySpec({ steps: 20, checkpointInterval: 15 }), { backend: ['wasm'] }));
    await c.request('start', {});
    const fin = await c.next('finished');
    expect(fin.step).toBe(20);
    const periodic = (type: string) =>
      rec.events
        .filter((e) => e.ev.type === type && !('requestId' in e.ev && e.ev.requestId !== undefined))
        .map((e) => (e.ev as { report: { step: number } }).report.step);
    expect(periodic('eval')).toEqual([0, 10, 20]); // the untrained model first, then every 10 steps and the last
    expect(periodic('routing')).toEqual([10, 20]);
    expect(periodic('probe')).toEqual([10, 20]);
    expect(rec.events.filter((e) => e.ev.type === 'checkpoint').map((e) => (e.ev as { step: number }).step)).toEqual([
      15, 20,
    ]);
    expect(rec.column('step')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Every event of the run comes after the metrics of its step and before those of later steps.
    const stepOf = (ev: WorkerEvent): number[] =>
      ev.type === 'metrics'
        ? Array.from(ev.columns.step)
        : ev.type === 'eval' || ev.type === 'routing' || ev.type === 'probe'
          ? [ev.report.step]
          : ev.type === 'checkpoint' || ev.type === 'finished'
            ? [ev.step]
            : [];
    const order = rec.events.flatMap((e) => stepOf(e.ev));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    const resumed = await c.request('resume', {}).catch((e) => e);
    expect(resumed.message).toMatch(/finished/);
  });

  it('a dense model has no routing statistics to record', async () => {
    const c = spawn();
    const rec = recorder((t, h) => c.on(t, h));
    const spec = tinySpec({ steps: 10 });
    spec.model.attention.kind = 'dense';
    await c.request('init', nodeInitBody(spec, { backend: ['wasm'] }));
    await c.request('start', {});
    await c.next('finished');
    expect(rec.events.filter((e) => e.ev.type === 'routing')).toEqual([]);
    expect(rec.events.filter((e) => e.ev.type === 'eval').map((e) => (e.ev as EvalEvent).report.step)).toEqual([0, 10]);
    expect(rec.events.filter((e) => e.ev.type === 'probe').length).toBe(1);
  });

  it('a NaN loss fails the run naming the step; the worker takes a new init', async () => {
    const c = spawn();
    await c.request('init', nodeInitBody(tinySpec(), { backend: ['cpu'] }));
    await c.request('injectFault', { fault: { kind: 'nan', atStep: 3 } });
    const ckptBefore = c.next('checkpoint');
    const failed = c.next('failed');
    await c.request('start', {});
    const f = await failed;
    expect(f).toMatchObject({ reason: 'non-finite', fatal: true, step: 2, error: { name: 'NonFiniteLossError' } });
    // the last good state (step 2: the failed step applied no update) is checkpointed before the failure
    const ckpt = await ckptBefore;
    expect(ckpt.step).toBe(2);
    expect(f.error.message).toMatch(/at step 3/);
    expect(f.error.stack).toMatch(/NonFiniteLossError/);
    const again = await c.request('init', nodeInitBody(tinySpec(), { backend: ['cpu'] }));
    expect(again.step).toBe(0);
  });

  it('a lost GPU device fails the run; the client restarts on wasm from the last checkpoint and training continues', async () => {
    const c = spawn();
    const rec = recorder((t, h) => c.on(t, h));
    const spec = tinySpec({ steps: 12, checkpointInterval: 4, evalInterval: 100 });
    // The first run stands in for the GPU run (cpu here: a simulated loss needs no GPU, and SwiftShader is slow).
    await c.request('init', nodeInitBody(spec, { backend: ['cpu'] }));
    await c.request('injectFault', { fault: { kind: 'device-lost', atStep: 7 } });
    await c.request('start', {});
    const lost = await c.next('failed');
    expect(lost).toMatchObject({ reason: 'device-lost', fatal: true, step: 6 });
    const checkpoints = rec.events
      .filter((e) => e.ev.type === 'checkpoint')
      .map((e) => e.ev as { step: number; bytes: Uint8Array });
    expect(checkpoints.map((k) => k.step)).toEqual([4]);
    const refused = await c.request('saveCheckpoint', {}).catch((e) => e);
    expect(refused.message).toMatch(/device was lost/);

    const ready = await c.request('init', {
      ...nodeInitBody(spec, { backend: ['wasm'] }),
      checkpoint: checkpoints[0].bytes,
    });
    expect(ready).toMatchObject({ backend: 'wasm', step: 4 });
    const before = rec.column('step').length;
    await c.request('start', {});
    await c.next('finished');
    const resumedSteps = rec.column('step').slice(before);
    expect(resumedSteps).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Math.max(...rec.column('loss').slice(before))).toBeLessThan(rec.column('loss')[0]); // it kept what it had learned
  });

  it('worker death rejects pending requests instead of hanging', async () => {
    const c = spawn();
    await c.request('init', nodeInitBody(tinySpec(), { backend: ['cpu'] }));
    const died = c.next('failed', (f) => f.reason === 'worker-died');
    (c as unknown as { endpoint: { terminate(): void } }).endpoint.terminate(); // as if it crashed
    const pending = c.request('evaluate', {}); // sent before the client learns of the exit: never answered
    await expect(pending).rejects.toMatchObject({ reason: 'worker-died' });
    expect((await died).fatal).toBe(true);
    await expect(c.request('start', {})).rejects.toMatchObject({ reason: 'worker-died' });
  });
});

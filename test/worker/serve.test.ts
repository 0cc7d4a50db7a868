// serve() in-process over a fake port: events go out with their typed arrays in the transfer list (not copied),
// and dispose frees every tensor of the session (counted here directly with tf.memory()).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type WorkerEvent } from '../../engine/protocol';
import { serve } from '../../engine/worker';
import { tinySpec } from './fixtures';

function fakePort() {
  const sent: { ev: WorkerEvent; transfer: Transferable[] }[] = [];
  let listener: ((e: { data: unknown }) => void) | null = null;
  const port = {
    postMessage: (m: unknown, transfer?: Transferable[]) =>
      sent.push({ ev: m as WorkerEvent, transfer: transfer ?? [] }),
    addEventListener: (_t: 'message', l: (e: { data: unknown }) => void) => void (listener = l),
  };
  const send = (m: unknown) => listener!({ data: m });
  const answered = async (id: number) => {
    while (!sent.some((s) => (s.ev.type === 'ack' || s.ev.type === 'failed') && s.ev.requestId === id))
      await new Promise((r) => setTimeout(r, 5));
  };
  return { port, sent, send, answered };
}

describe('serve() over a port', () => {
  it('transfers metric columns and checkpoint bytes; dispose returns to the pre-init tensor count', async () => {
    const { port, sent, send, answered } = fakePort();
    serve(port);
    send({ type: 'dispose', id: 0 }); // before any init: harmless
    await answered(0);
    await tf.setBackend('cpu');
    const numBefore = tf.memory().numTensors;
    send({ type: 'init', id: 1, protocol: PROTOCOL_VERSION, spec: tinySpec({ steps: 3 }), backend: ['cpu'] });
    await answered(1);
    for (let id = 2; id <= 4; id++) {
      send({ type: 'step', id });
      await answered(id);
    }
    send({ type: 'saveCheckpoint', id: 5 });
    await answered(5);
    expect(tf.memory().numTensors).toBeGreaterThan(numBefore);

    const metrics = sent.filter((s) => s.ev.type === 'metrics');
    expect(metrics.length).toBe(3); // a single step flushes at once
    for (const m of metrics) {
      const cols = Object.values((m.ev as Extract<WorkerEvent, { type: 'metrics' }>).columns);
      expect(m.transfer).toEqual(cols.map((c) => c.buffer));
    }
    const ck = sent.find((s) => s.ev.type === 'checkpoint' && s.ev.requestId === 5)!;
    expect(ck.transfer).toEqual([(ck.ev as Extract<WorkerEvent, { type: 'checkpoint' }>).bytes.buffer]);
    expect(sent.filter((s) => s.ev.type === 'finished').length).toBe(1);

    send({ type: 'dispose', id: 6 });
    await answered(6);
    const disposed = sent.find((s) => s.ev.type === 'disposed')!.ev as Extract<WorkerEvent, { type: 'disposed' }>;
    expect(tf.memory().numTensors).toBe(numBefore);
    expect(disposed.numTensors).toBe(disposed.tensorsBeforeInit);
    expect(sent.filter((s) => s.ev.type === 'failed')).toEqual([]);
  });
});

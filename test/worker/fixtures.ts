// Shared tiny specs and helpers for the worker-protocol tests (Node and browser).
import type { MetricsEvent, WorkerEvent } from '../../engine/protocol';

/** A tiny SwitchHead model on the synthetic copy task: ~50 ms a step on wasm, a few hundred tensors. */
export function tinySpec(
  over: { steps?: number; lr?: number; checkpointInterval?: number; evalInterval?: number } = {},
) {
  return {
    name: 'worker-test',
    model: {
      dModel: 16,
      nLayers: 1,
      dFF: 32,
      dropout: 0,
      attention: { kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 4, k: 2 },
    },
    data: { source: { kind: 'synthetic', task: 'copy', length: 3, symbols: 4 }, seqLen: 8, batchSize: 2 },
    train: { steps: over.steps ?? 20, lr: over.lr ?? 3e-3, cosine: false },
    log: {
      evalBatches: 1,
      evalInterval: over.evalInterval ?? 10,
      routingInterval: 10,
      probeInterval: 10,
      checkpointInterval: over.checkpointInterval ?? 1000,
      probeText: 'A B C <sep> A B C',
    },
  };
}

/** Every event of a client, in arrival order, with its arrival time. */
export function recorder(on: (type: '*', h: (ev: WorkerEvent) => void) => () => void) {
  const events: { at: number; ev: WorkerEvent }[] = [];
  const off = on('*', (ev) => events.push({ at: Date.now(), ev }));
  const metrics = () => events.filter((e) => e.ev.type === 'metrics') as { at: number; ev: MetricsEvent }[];
  const column = (c: keyof MetricsEvent['columns']) => metrics().flatMap((m) => Array.from(m.ev.columns[c]));
  return { events, metrics, column, off };
}

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

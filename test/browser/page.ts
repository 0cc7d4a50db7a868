// The browser test page: starts engine/worker.ts as a dedicated Web Worker, drives it with WorkbenchClient
// through one training scenario and returns a plain summary to the Node test (test/browser/worker.test.ts).
import { WorkbenchClient } from '../../engine/client';
import { PROTOCOL_VERSION, type MetricsEvent, type WorkerEvent } from '../../engine/protocol';

export interface ScenarioOptions {
  spec: unknown;
  pauseAt: number; // pause once this step has been reported
  stopAt: number; // stop once this step has been reported
}

export interface ScenarioResult {
  ready: {
    backend: string;
    adapter: string;
    fallbacks: { backend: string; reason: string }[];
    params: number;
    limits: Record<string, unknown>;
  };
  steps: number[];
  loss: number[];
  metricsMessages: number;
  columnTypes: string[];
  pausedAt: number;
  stepsWhilePaused: number;
  stoppedAt: number;
  stepsAfterStop: number;
  states: string[];
  failures: string[];
  disposed: { numTensors: number; tensorsBeforeInit: number };
  tensorsWhileTraining: number;
  wallS: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function scenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const t0 = performance.now();
  const client = new WorkbenchClient(new Worker('/worker.js', { type: 'module' }), { timeoutMs: 240_000 });
  const events: WorkerEvent[] = [];
  client.on('*', (ev) => events.push(ev));
  const metrics = () => events.filter((e): e is MetricsEvent => e.type === 'metrics');
  const steps = () => metrics().flatMap((m) => Array.from(m.columns.step));
  const lastStep = () => steps().at(-1) ?? 0;
  const reached = (n: number) => client.next('metrics', (m) => m.columns.step[m.count - 1] >= n);
  try {
    const ready = await client.request('init', {
      protocol: PROTOCOL_VERSION,
      spec: opts.spec,
      wasmPaths: `${location.origin}/wasm/`,
    });
    await client.request('start', {});
    await reached(opts.pauseAt);
    const paused = await client.request('pause', {});
    await sleep(800);
    const stepsWhilePaused = lastStep() - paused.step;
    await client.request('resume', {});
    await reached(opts.stopAt);
    const stopped = await client.request('stop', {});
    const tensorsWhileTraining = metrics().at(-1)!.memory.numTensors;
    await sleep(500);
    const stepsAfterStop = lastStep() - stopped.step;
    const disposed = await client.request('dispose', {});
    const first = metrics()[0];
    return {
      ready: {
        backend: ready.backend,
        adapter: ready.adapter,
        fallbacks: ready.fallbacks,
        params: ready.params,
        limits: ready.limits,
      },
      steps: steps(),
      loss: metrics().flatMap((m) => Array.from(m.columns.loss)),
      metricsMessages: metrics().length,
      columnTypes: [first.columns.step.constructor.name, first.columns.loss.constructor.name],
      pausedAt: paused.step,
      stepsWhilePaused,
      stoppedAt: stopped.step,
      stepsAfterStop,
      states: events.flatMap((e) => (e.type === 'state' ? [e.state] : [])),
      failures: events.flatMap((e) => (e.type === 'failed' ? [`${e.reason}: ${e.error.message}`] : [])),
      disposed: { numTensors: disposed.numTensors, tensorsBeforeInit: disposed.tensorsBeforeInit },
      tensorsWhileTraining,
      wallS: (performance.now() - t0) / 1000,
    };
  } finally {
    client.dispose();
  }
}

(globalThis as unknown as { scenario: typeof scenario }).scenario = scenario;
document.title = 'worker-test-ready';

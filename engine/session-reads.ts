// How a session reads tensors back: synchronously where the backend can (wasm, cpu: no promise hop per read, as
// fast as a plain loop), asynchronously on WebGPU (a browser has no reliable synchronous readback). The numbers
// are the same either way (engine/train/readback.ts runs one generator both ways). `readRequest` answers the
// requests that read the model (probe, evaluate, routing, atlas, trace) with their result event.
import { saveCheckpoint, saveCheckpointAsync } from './train/checkpoint';
import { atlas, atlasAsync, type AtlasOptions } from './train/atlas';
import { probe, probeAsync, type ProbeOptions } from './train/probe';
import { trace, traceAsync } from './train/probe-trace';
import { trainerRouting, trainerRoutingAsync } from './train/routing';
import type { Trainer } from './train/trainer';
import type { AtlasReport, EvalReport, ProbeReport, RoutingReport, StepReport, TraceReport } from './contracts/reports';
import type { RequestOf, WorkerEvent } from './protocol';

export interface TrainerReads {
  step(tr: Trainer): Promise<StepReport>;
  evaluate(tr: Trainer): Promise<EvalReport>;
  routing(tr: Trainer): Promise<RoutingReport>;
  probe(tr: Trainer, text: string, opts?: ProbeOptions): Promise<ProbeReport>;
  atlas(tr: Trainer, opts?: Partial<AtlasOptions>): Promise<AtlasReport>;
  trace(tr: Trainer, text: string, position: number, layer: number): Promise<TraceReport>;
  checkpoint(tr: Trainer): Promise<Uint8Array>;
}

const SYNC: TrainerReads = {
  step: async (tr) => tr.step(),
  evaluate: async (tr) => tr.evaluate(),
  routing: async (tr) => trainerRouting(tr),
  probe: async (tr, text, opts) => probe(tr, text, opts),
  atlas: async (tr, opts) => atlas(tr, opts),
  trace: async (tr, text, position, layer) => trace(tr, text, position, layer),
  checkpoint: async (tr) => saveCheckpoint(tr),
};

const ASYNC: TrainerReads = {
  step: (tr) => tr.stepAsync(),
  evaluate: (tr) => tr.evaluateAsync(),
  routing: (tr) => trainerRoutingAsync(tr),
  probe: (tr, text, opts) => probeAsync(tr, text, opts),
  atlas: (tr, opts) => atlasAsync(tr, opts),
  trace: (tr, text, position, layer) => traceAsync(tr, text, position, layer),
  checkpoint: (tr) => saveCheckpointAsync(tr),
};

export const trainerReads = (backend: string): TrainerReads => (backend === 'webgpu' ? ASYNC : SYNC);

export type ReadRequest = RequestOf<'probe' | 'evaluate' | 'routing' | 'atlas' | 'trace'>;

/** The answer to a request that reads the model (run it inside the session's exclusive section). */
export async function readRequest(reads: TrainerReads, tr: Trainer, r: ReadRequest): Promise<WorkerEvent> {
  const requestId = r.id;
  switch (r.type) {
    case 'probe': // a requested probe refuses a text of the wrong length (the periodic one truncates)
      return { type: 'probe', requestId, report: await reads.probe(tr, r.text, { interventions: r.interventions }) };
    case 'evaluate':
      return { type: 'eval', requestId, report: await reads.evaluate(tr) };
    case 'routing':
      return { type: 'routing', requestId, report: await reads.routing(tr) };
    case 'atlas': {
      const { type: _t, id: _i, ...opts } = r;
      return { type: 'atlas', requestId, report: await reads.atlas(tr, opts) };
    }
    case 'trace':
      return { type: 'trace', requestId, report: await reads.trace(tr, r.text, r.position, r.layer) };
  }
}

// How a session reads tensors back: synchronously where the backend can (wasm, cpu: no promise hop per read, as
// fast as a plain loop), asynchronously on WebGPU (a browser has no reliable synchronous readback). The numbers
// are the same either way (engine/train/readback.ts runs one generator both ways).
import { saveCheckpoint, saveCheckpointAsync } from './train/checkpoint';
import { probe, probeAsync, trainerRouting, trainerRoutingAsync } from './train/routing';
import type { Trainer } from './train/trainer';
import type { EvalReport, ProbeReport, RoutingReport, StepReport } from './contracts/reports';

export interface TrainerReads {
  step(tr: Trainer): Promise<StepReport>;
  evaluate(tr: Trainer): Promise<EvalReport>;
  routing(tr: Trainer): Promise<RoutingReport>;
  probe(tr: Trainer, text: string): Promise<ProbeReport>;
  checkpoint(tr: Trainer): Promise<Uint8Array>;
}

const SYNC: TrainerReads = {
  step: async (tr) => tr.step(),
  evaluate: async (tr) => tr.evaluate(),
  routing: async (tr) => trainerRouting(tr),
  probe: async (tr, text) => probe(tr, text),
  checkpoint: async (tr) => saveCheckpoint(tr),
};

const ASYNC: TrainerReads = {
  step: (tr) => tr.stepAsync(),
  evaluate: (tr) => tr.evaluateAsync(),
  routing: (tr) => trainerRoutingAsync(tr),
  probe: (tr, text) => probeAsync(tr, text),
  checkpoint: (tr) => saveCheckpointAsync(tr),
};

export const trainerReads = (backend: string): TrainerReads => (backend === 'webgpu' ? ASYNC : SYNC);

// Errors of a training session and how each becomes a failure reason of the protocol (engine/protocol.ts).
import type { FailureReason } from './protocol';
import { ProbeInputError } from './train/probe-interventions';
import { NonFiniteLossError } from './train/trainer';

/** A lost GPU device (WebGPU device.lost, or an error saying so). The run can restart elsewhere from a checkpoint. */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
}

/** A request that is not valid in the session's current state. */
export class StateError extends Error {
  override name = 'StateError';
}

const DEVICE_LOST = /device (was |is |has been )?lost|lost (the )?device|GPUDevice.*lost/i;

/** Why a request or run failed. A probe, trace, tokenize or atlas request that does not fit the model or its text
 *  (ProbeInputError) is an invalid request; the session goes on. */
export function classify(e: unknown): FailureReason {
  if (e instanceof ProbeInputError) return 'invalid-request';
  if (e instanceof DeviceLostError || (e instanceof Error && DEVICE_LOST.test(e.message))) return 'device-lost';
  if (e instanceof NonFiniteLossError) return 'non-finite';
  return 'error';
}

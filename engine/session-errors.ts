// Errors of a training session and how each becomes a failure reason of the protocol (engine/protocol.ts).
import type { FailureReason } from './protocol';
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

export function classify(e: unknown): FailureReason {
  if (e instanceof DeviceLostError || (e instanceof Error && DEVICE_LOST.test(e.message))) return 'device-lost';
  if (e instanceof NonFiniteLossError) return 'non-finite';
  return 'error';
}

// Checkpoints in the safetensors format: every parameter under its model name (emb, layers.<l>.att.W_v, ...),
// the AdamW moments as optim.m.<name> / optim.v.<name>, the XL memory as xl_memory.<l>, and the trainer state
// (step, tokens, time, learning rate, batcher position, spec) as JSON metadata. Loading checks names, shapes and
// dtypes against the model the spec builds and names the file and every mismatch.
import { ENGINE_VERSION } from '../spec';
import {
  CheckpointError,
  checkCompatible,
  decodeSafetensors,
  encodeSafetensors,
  type TensorEntry,
  type TensorInfo,
} from '../safetensors';
import { runAsync, runSync, type Reader } from './readback';
import type { TensorValues, Trainer, TrainerState } from './trainer';

export const CHECKPOINT_FORMAT = 'switchhead-workbench/1';

export type { TrainerState };

/** Serialise the trainer (weights, optimizer, XL memory, position) to safetensors bytes. */
export const saveCheckpoint = (tr: Trainer): Uint8Array => runSync(checkpointReader(tr));
/** The same, reading tensors asynchronously (required for WebGPU in a browser). */
export const saveCheckpointAsync = (tr: Trainer): Promise<Uint8Array> => runAsync(checkpointReader(tr));

function* checkpointReader(tr: Trainer): Reader<Uint8Array> {
  const { state, tensors: named } = tr.snapshot();
  const values = yield named.map(([, t]) => t);
  const tensors: Record<string, TensorEntry> = {};
  // Reads of float32 tensors already are fresh Float32Arrays: use them as they are, copy only if not.
  const f32 = (v: ArrayLike<number>) => (v instanceof Float32Array ? v : Float32Array.from(v));
  named.forEach(([n, t], i) => (tensors[n] = { dtype: 'F32', shape: [...t.shape], data: f32(values[i]) }));
  return encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    engine_version: ENGINE_VERSION,
    trainer_state: JSON.stringify(state),
    spec: JSON.stringify(tr.spec),
  });
}

/** What a checkpoint for this trainer must contain (XL memory is optional: absent before the first step). */
export function expectedTensors(tr: Trainer): Record<string, TensorInfo> {
  const out: Record<string, TensorInfo> = {};
  for (const [n, p] of Object.entries(tr.params)) {
    out[n] = { dtype: 'F32', shape: p.shape };
    out[`optim.m.${n}`] = { dtype: 'F32', shape: p.shape };
    out[`optim.v.${n}`] = { dtype: 'F32', shape: p.shape };
  }
  return out;
}

/** Restore a trainer from checkpoint bytes. `label` names the file in errors. */
export function loadCheckpoint(tr: Trainer, bytes: Uint8Array, label = 'checkpoint'): TrainerState {
  const { tensors, metadata } = decodeSafetensors(bytes, label);
  if (metadata.format !== CHECKPOINT_FORMAT)
    throw new CheckpointError(
      `${label}: not a SwitchHead Workbench checkpoint (format "${metadata.format ?? 'missing'}", expected "${CHECKPOINT_FORMAT}")`,
    );
  const got = Object.fromEntries(
    Object.entries(tensors)
      .filter(([n]) => !n.startsWith('xl_memory.'))
      .map(([n, t]) => [n, { dtype: t.dtype, shape: t.shape }]),
  );
  checkCompatible(expectedTensors(tr), got, label);
  let state: TrainerState;
  try {
    state = JSON.parse(metadata.trainer_state ?? '');
  } catch {
    throw new CheckpointError(`${label}: trainer_state metadata is missing or not JSON`);
  }
  const values: TensorValues = {};
  for (const [n, t] of Object.entries(tensors)) values[n] = { shape: t.shape, data: t.data as Float32Array };
  tr.restore(state, values);
  return state;
}

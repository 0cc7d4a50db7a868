// What every golden check shares (DESIGN 2.3): the file's tensor format, one comparison, the metric
// err = max|got - ref| / (1 + max|ref|), and the oracle's attention config in the engine's terms.
import * as tf from '@tensorflow/tfjs';
import type { AttentionConfig } from '../spec';

export interface GoldenTensor {
  shape: number[];
  dtype: string;
  data: unknown;
}
export interface Comparison {
  name: string;
  err: number;
  note?: string;
}

/** A golden tensor's values, row-major. */
export const flat = (t: GoldenTensor): number[] => (t.data as unknown[]).flat(Infinity as 1) as number[];
/** A golden tensor as a tfjs tensor (int64 -> int32, float64 -> float32). */
export const toTensor = (t: GoldenTensor) =>
  t.dtype === 'int64' ? tf.tensor(flat(t), t.shape, 'int32') : tf.tensor(flat(t), t.shape, 'float32');

/** max|got - ref| (Infinity on a NaN or a length mismatch) and max|ref|. */
export function maxAbsDiff(got: ArrayLike<number>, ref: ArrayLike<number>): { diff: number; mag: number } {
  if (got.length !== ref.length) return { diff: Infinity, mag: 0 };
  let diff = 0,
    mag = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    mag = Math.max(mag, Math.abs(ref[i]));
  }
  return { diff, mag };
}

/** The golden metric (DESIGN 2.3): max|got - ref| / (1 + max|ref|) */
export function relErr(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  const { diff, mag } = maxAbsDiff(got, ref);
  return diff / (1 + mag);
}

/** The oracle's attention config (snake_case, switchhead_oracle.py) as the engine's AttentionConfig. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the oracle's JSON config; its fields are read by name
export function attentionConfig(c: Record<string, any>, kind: AttentionConfig['kind']): AttentionConfig {
  return {
    kind,
    nHeads: c.n_heads,
    dHead: c.d_head,
    nExperts: c.n_experts ?? 1,
    k: c.k ?? 1,
    moe: { q: !!c.moe_q, k: !!c.moe_k, v: c.moe_v ?? true, o: c.moe_o ?? true },
    expertDropout: 0,
    positions: c.pos ?? 'none',
    xlMemory: false,
    rotateFraction: c.rotate_fraction ?? 0.5,
    ropeBase: c.rope_base ?? 10000,
    moaMode: c.moa_mode ?? 'my',
    moaAux: { cv: c.moa_aux?.cv ?? 0, switch: c.moa_aux?.switch ?? 0, z: c.moa_aux?.z ?? 0 },
    selectionReg: 0,
  };
}

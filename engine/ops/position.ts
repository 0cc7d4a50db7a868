// Positional terms: RoPE (SPEC §2.2) and the Transformer-XL relative term (SPEC §2.1, §5.1).
import * as tf from '@tensorflow/tfjs';
import { bmm, linear } from './linalg';

/** Rotary embedding on the first nRot channels, half-split convention. x [B, H, T, dh]; row t has position
 *  t + offset; channel pair (m, m + nRot/2) rotates by (t + offset) * base^(-2m/nRot). */
export function rope(x: tf.Tensor, nRot: number, base: number, offset: number): tf.Tensor {
  if (nRot <= 0) return x;
  const [, , T, dh] = x.shape as number[];
  const half = nRot / 2;
  const cos = cachedTable(`rope-cos:${T}:${nRot}:${base}:${offset}`, () => ropeTable(T, nRot, base, offset, Math.cos)); // [T, half]
  const sin = cachedTable(`rope-sin:${T}:${nRot}:${base}:${offset}`, () => ropeTable(T, nRot, base, offset, Math.sin)); // [T, half]
  const x1 = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, half]); // [B, H, T, half]
  const x2 = tf.slice(x, [0, 0, 0, half], [-1, -1, -1, half]);
  const parts = [tf.sub(tf.mul(x1, cos), tf.mul(x2, sin)), tf.add(tf.mul(x2, cos), tf.mul(x1, sin))];
  if (nRot < dh) parts.push(tf.slice(x, [0, 0, 0, nRot], [-1, -1, -1, dh - nRot]));
  return tf.concat(parts, -1); // [B, H, T, dh]
}

/** Interleaved sinusoid of width d for the given (signed) positions: pe[2m] = sin(p w_m), pe[2m+1] = cos(p w_m),
 *  w_m = 10000^(-2m/d). Returns [P, d]. */
export function sinusoid(positions: number[], d: number): tf.Tensor2D {
  const pe = new Float32Array(positions.length * d);
  positions.forEach((p, r) => {
    for (let m = 0; 2 * m < d; m++) {
      const w = Math.exp(2 * m * (-Math.log(10000) / d));
      pe[r * d + 2 * m] = Math.sin(p * w);
      if (2 * m + 1 < d) pe[r * d + 2 * m + 1] = Math.cos(p * w);
    }
  });
  return tf.tensor2d(pe, [positions.length, d]);
}

/** Transformer-XL relative term: out[b,h,i,j] = q[b,h,i] . (W_pos pe(j - i - memLen) * peScale)_h.
 *  q [B, H, T, dh] (any bias already added), W_pos [H*dh, d], keys Tk = memLen + T. Entries with
 *  j > i + memLen (masked by the causal mask) hold unspecified finite values. Returns [B, H, T, Tk]. */
export function xlRelativeScores(
  q: tf.Tensor,
  Wpos: tf.Tensor2D,
  dModel: number,
  Tk: number,
  peScale: number,
): tf.Tensor {
  const [B, H, T, dh] = q.shape as number[];
  // Column c holds offset p = c - (Tk - 1): every visible offset, from -(Tk-1) to 0.
  const offsets = Array.from({ length: Tk }, (_, c) => c - (Tk - 1));
  let pe: tf.Tensor = cachedTable(`sinusoid:${Tk}:${dModel}`, () => sinusoid(offsets, dModel)); // [Tk, d]
  if (peScale !== 1) pe = tf.mul(pe, peScale);
  const kpos = linear(pe, Wpos).reshape([Tk, H, dh]).transpose([1, 2, 0]); // [H, dh, Tk]
  const qh = q.transpose([1, 0, 2, 3]).reshape([H, B * T, dh]); // [H, B*T, dh]
  const bd = bmm(qh, kpos); // [H, B*T, Tk]
  const scores = bd.reshape([H, B, T, Tk]).transpose([1, 0, 2, 3]); // [B, H, T, Tk], column c = offset c-(Tk-1)
  return relShift(scores);
}

/** Shift row i left by (T-1-i): out[..., i, j] = x[..., i, j + T - 1 - i] where that index is < Tk.
 *  Pad-reshape-slice (Dai et al. 2019) instead of a gather, so the gradient needs no scatter. */
export function relShift(x: tf.Tensor): tf.Tensor {
  const [B, H, T, Tk] = x.shape as number[];
  const padded = tf.pad(x, [
    [0, 0],
    [0, 0],
    [0, 0],
    [1, 0],
  ]); // [B, H, T, Tk+1]
  const view = padded.reshape([B, H, Tk + 1, T]); // [B, H, Tk+1, T]
  return tf.slice(view, [0, 0, 1, 0], [-1, -1, -1, -1]).reshape([B, H, T, Tk]); // [B, H, T, Tk]
}

/** Additive causal mask [T, Tk] (0 visible, -1e9 hidden) for queries at positions memLen..memLen+T-1.
 *  Cached and shared: do not dispose it. */
export function causalMask(T: number, Tk: number): tf.Tensor2D {
  return cachedTable(`mask:${T}:${Tk}`, () => {
    const m = new Float32Array(T * Tk);
    const memLen = Tk - T;
    for (let i = 0; i < T; i++) for (let j = i + memLen + 1; j < Tk; j++) m[i * Tk + j] = -1e9;
    return tf.tensor2d(m, [T, Tk]);
  });
}

/** f(angle) for RoPE's angle table, computed in float64 on the CPU (exact on every backend; SwiftShader's own
 *  sin/cos are ~2e-4 off) and stored as float32: [T, nRot/2]. */
function ropeTable(T: number, nRot: number, base: number, offset: number, f: (a: number) => number): tf.Tensor2D {
  const half = nRot / 2;
  const out = new Float32Array(T * half);
  for (let m = 0; m < half; m++) {
    const w = Math.pow(base, (-2 * m) / nRot);
    for (let t = 0; t < T; t++) out[t * half + m] = f((t + offset) * w);
  }
  return tf.tensor2d(out, [T, half]);
}

// Constant tables (masks, sinusoids, RoPE cos/sin) built once per backend and shape, kept outside every tidy and
// shared by all callers. Bounded: past TABLE_CACHE_SIZE entries the least recently used one is disposed (a model
// uses a handful of shapes, so an evicted table is never one a pending gradient still holds).
const TABLE_CACHE_SIZE = 32;
const tables = new Map<string, tf.Tensor>();

/** How many cached tables are live (tensors that stay allocated on purpose: leak checks subtract them). */
export const cachedTableCount = () => [...tables.values()].filter((t) => !t.isDisposed).length;

/** Free every cached table (they are rebuilt on demand): a disposed session leaves no tensors behind. */
export function disposeCachedTables(): void {
  for (const t of tables.values()) t.dispose();
  tables.clear();
}

function cachedTable<T extends tf.Tensor>(key: string, build: () => T): T {
  const k = `${tf.getBackend()}|${key}`;
  const hit = tables.get(k);
  tables.delete(k); // re-inserted below: Map order is the recency order
  if (hit && !hit.isDisposed) {
    tables.set(k, hit);
    return hit as T;
  }
  const t = tf.keep(build());
  tables.set(k, t);
  if (tables.size > TABLE_CACHE_SIZE) {
    const [oldest, old] = tables.entries().next().value as [string, tf.Tensor];
    tables.delete(oldest);
    old.dispose();
  }
  return t;
}

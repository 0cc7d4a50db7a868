// Positional terms: RoPE (SPEC §2.2) and the Transformer-XL relative term (SPEC §2.1, §5.1).
import * as tf from '@tensorflow/tfjs';
import { bmm, linear } from './linalg';

/** Rotary embedding on the first nRot channels, half-split convention. x [B, H, T, dh]; row t has position
 *  t + offset; channel pair (m, m + nRot/2) rotates by (t + offset) * base^(-2m/nRot). */
export function rope(x: tf.Tensor, nRot: number, base: number, offset: number): tf.Tensor {
  if (nRot <= 0) return x;
  const [, , T, dh] = x.shape as number[];
  const half = nRot / 2;
  const ang = new Float32Array(T * half);
  for (let t = 0; t < T; t++) for (let m = 0; m < half; m++) ang[t * half + m] = (t + offset) * Math.pow(base, (-2 * m) / nRot);
  const a = tf.tensor2d(ang, [T, half]); // [T, half]
  const cos = tf.cos(a), sin = tf.sin(a);
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
      const w = Math.exp((2 * m) * (-Math.log(10000) / d));
      pe[r * d + 2 * m] = Math.sin(p * w);
      if (2 * m + 1 < d) pe[r * d + 2 * m + 1] = Math.cos(p * w);
    }
  });
  return tf.tensor2d(pe, [positions.length, d]);
}

/** Transformer-XL relative term: out[b,h,i,j] = q[b,h,i] . (W_pos pe(j - i - memLen) * peScale)_h.
 *  q [B, H, T, dh] (any bias already added), W_pos [H*dh, d], keys Tk = memLen + T. Entries with
 *  j > i + memLen (masked by the causal mask) hold unspecified finite values. Returns [B, H, T, Tk]. */
export function xlRelativeScores(q: tf.Tensor, Wpos: tf.Tensor2D, dModel: number, Tk: number, peScale: number): tf.Tensor {
  const [B, H, T, dh] = q.shape as number[];
  // Column c holds offset p = c - (Tk - 1): every visible offset, from -(Tk-1) to 0.
  const offsets = Array.from({ length: Tk }, (_, c) => c - (Tk - 1));
  let pe: tf.Tensor = sinusoid(offsets, dModel); // [Tk, d]
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
  const padded = tf.pad(x, [[0, 0], [0, 0], [0, 0], [1, 0]]); // [B, H, T, Tk+1]
  const view = padded.reshape([B, H, Tk + 1, T]); // [B, H, Tk+1, T]
  return tf.slice(view, [0, 0, 1, 0], [-1, -1, -1, -1]).reshape([B, H, T, Tk]); // [B, H, T, Tk]
}

/** Additive causal mask [T, Tk] (0 visible, -1e9 hidden) for queries at positions memLen..memLen+T-1. */
export function causalMask(T: number, Tk: number): tf.Tensor2D {
  const m = new Float32Array(T * Tk);
  const memLen = Tk - T;
  for (let i = 0; i < T; i++) for (let j = 0; j < Tk; j++) if (j > i + memLen) m[i * Tk + j] = -1e9;
  return tf.tensor2d(m, [T, Tk]);
}

// One attention layer, forward + backward, with the engine's own layer functions and random weights/inputs.
// The layer sees x [B, T, d] as queries and kv = [memory; x] [B, Tm+T, d] as keys/values, like an LM layer with
// XL memory (memory is detached: it gets no gradient). Gradients are taken w.r.t. x and every weight.
import * as tf from '@tensorflow/tfjs';
import type { AttentionConfig } from '../spec';
import { initParams, paramDefs, type ParamDef } from '../model/init';
import { attentionFn } from '../model/lm';
import type { Params } from '../model/types';
import type { AttentionShape } from './cases';

export interface AttentionRig {
  /** Runs forward + backward once; returns the gradients (x first, then weights in `names` order). Call in a tidy. */
  step: () => tf.Tensor[];
  names: string[];
  paramCount: number;
  dispose: () => void;
}

/** The layer's parameters as the engine initialises them (a 1-layer model's `layers.0.att.*`). */
export function attentionParams(cfg: AttentionConfig, dModel: number, seed: number): Record<string, tf.Variable> {
  const model = { dModel, nLayers: 1, dFF: 1, dropout: 0, attention: cfg, mlp: { kind: 'dense' } } as Parameters<
    typeof paramDefs
  >[0];
  const prefix = 'layers.0.att.';
  const defs: Record<string, ParamDef> = {};
  for (const [name, def] of Object.entries(paramDefs(model, 1)))
    if (name.startsWith(prefix)) defs[name.slice(prefix.length)] = def;
  return initParams(defs, seed);
}

export function attentionRig(cfg: AttentionConfig, shape: AttentionShape, seed = 1): AttentionRig {
  const { dModel: d, B, T, Tm } = shape;
  const params = attentionParams(cfg, d, seed);
  const names = Object.keys(params);
  const x = tf.randomNormal([B, T, d], 0, 1, 'float32', seed + 1); // [B, T, d]
  const memory = Tm > 0 ? tf.randomNormal([B, Tm, d], 0, 1, 'float32', seed + 2) : null; // [B, Tm, d]
  const dy = tf.randomNormal([B, T, d], 0, 1, 'float32', seed + 3); // cotangent of the output [B, T, d]
  const layer = attentionFn[cfg.kind];
  const forward = (xIn: tf.Tensor, ...ws: tf.Tensor[]): tf.Tensor => {
    const p: Params = Object.fromEntries(names.map((n, i) => [n, ws[i]!]));
    const kv = memory ? tf.concat([memory, xIn], 1) : xIn; // [B, Tm+T, d]
    return layer(p, cfg, xIn, kv, { training: true, seed }).out; // [B, T, d]
  };
  const g = tf.grads(forward);
  const paramCount = Object.values(params).reduce((n, v) => n + v.size, 0);
  return {
    step: () => g([x, ...names.map((n) => params[n]!)], dy),
    names,
    paramCount,
    dispose: () => tf.dispose([x, dy, ...(memory ? [memory] : []), ...Object.values(params)]),
  };
}

// Parameter shapes and initialisation (SPEC §4). Names and layouts are the oracle's, so golden files,
// checkpoints (safetensors) and the UI all use the same names: emb, layers.<l>.{ln1,ln2}.{w,b},
// layers.<l>.att.*, layers.<l>.mlp.*, ln_f.{w,b}, W_out, b_out.
import * as tf from '@tensorflow/tfjs';
import { paramShapes } from '../cost';
import type { ModelConfig } from '../spec';

export type Init =
  | { kind: 'normal'; std: number }
  | { kind: 'truncnormal'; std: number } // torch trunc_normal_ rescaled to std (reset_prenorm_params)
  | { kind: 'uniform'; bound: number } // torch nn.Linear default
  | { kind: 'const'; value: number }
  | { kind: 'sel-rows'; std: number }; // normal, then every row the same L2 norm, global std kept (renorm_keep_std)

export interface ParamDef {
  shape: number[];
  init: Init;
}

/** SPEC §4 initialisation of one parameter, chosen by its name (shapes come from engine/cost.ts paramShapes). */
export function initFor(name: string, shape: number[], model: ModelConfig): Init {
  const { dModel: d, nLayers: L } = model;
  const ws = Math.sqrt(2 / L); // [MA] init_std_scale
  const leaf = name.split('.').pop()!;
  const zero: Init = { kind: 'const', value: 0 },
    one: Init = { kind: 'const', value: 1 };
  if (name === 'emb') return { kind: 'normal', std: 1 / Math.sqrt(d) }; // kaiming_normal_, fan_in d
  if (name === 'W_out' || name === 'b_out') return { kind: 'uniform', bound: 1 / Math.sqrt(d) }; // torch Linear default
  if (leaf === 'w' && name.includes('ln')) return one;
  if (leaf === 'b' && name.includes('ln')) return zero;
  if (name.includes('.mlp.')) {
    if (model.mlp.kind === 'dense') return leaf.startsWith('b') ? zero : prenorm(shape, L); // reset_prenorm_params
    const { nExperts: NE, expertSize: G } = model.mlp;
    if (leaf === 'W_sel') return { kind: 'sel-rows', std: ws / Math.sqrt(d) }; // norm_expert_sel_init
    return { kind: 'normal', std: leaf === 'values' ? ws / Math.sqrt(NE * G) : ws / Math.sqrt(d) };
  }
  const a = model.attention;
  if (leaf === 'u_content' || leaf === 'v_pos') return zero; // XL biases start at 0
  if (leaf === 'scale') return { kind: 'const', value: 1 / Math.sqrt(a.dHead) };
  if (a.kind === 'dense') return prenorm(shape, L); // reset_prenorm_params on every projection
  if (leaf === 'W_o') return { kind: 'normal', std: ws / Math.sqrt((a.kind === 'moa' ? a.k : a.nHeads) * a.dHead) };
  return { kind: 'normal', std: ws / Math.sqrt(d) }; // W_q, W_k, W_v, W_kv, selections, W_pos
}

/** Truncated normal with std sqrt(2 / (L * fan_in)); fan_in is the last dim of a Linear [out, in] weight. */
const prenorm = (shape: number[], L: number): Init => ({
  kind: 'truncnormal',
  std: Math.sqrt(2 / (L * shape[shape.length - 1])),
});

/** Every parameter of the LM, in a fixed order, with its shape and init. */
export function paramDefs(model: ModelConfig, vocabSize: number): Record<string, ParamDef> {
  const shapes = paramShapes(model, vocabSize);
  return Object.fromEntries(
    Object.entries(shapes).map(([name, shape]) => [name, { shape, init: initFor(name, shape, model) }]),
  );
}

export function countParamDefs(defs: Record<string, ParamDef>): number {
  return Object.values(defs).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
}

/** Create trainable variables, deterministic under `seed` (each parameter gets seed + its index). */
export function initParams(defs: Record<string, ParamDef>, seed: number): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  Object.entries(defs).forEach(([name, def], i) => {
    const value = tf.tidy(() => sample(def, seed * 7919 + i));
    out[name] = tf.variable(value, true); // unnamed: tfjs variable names are global, two models would clash
    value.dispose();
  });
  return out;
}

function sample({ shape, init }: ParamDef, seed: number): tf.Tensor {
  switch (init.kind) {
    case 'const':
      return tf.fill(shape, init.value);
    case 'normal':
      return tf.randomNormal(shape, 0, init.std, 'float32', seed);
    case 'truncnormal': // torch: trunc_normal_(std=1, a=-2, b=2) then scaled; std of that is 0.8796
      return tf.mul(tf.truncatedNormal(shape, 0, 1, 'float32', seed), init.std / 0.8796);
    case 'uniform':
      return tf.randomUniform(shape, -init.bound, init.bound, 'float32', seed);
    case 'sel-rows': {
      const w = tf.randomNormal(shape, 0, init.std, 'float32', seed);
      const rows = tf.div(w, tf.norm(w, 'euclidean', -1, true)); // unit rows
      return tf.mul(rows, tf.div(init.std, tf.moments(rows).variance.sqrt()));
    }
  }
}

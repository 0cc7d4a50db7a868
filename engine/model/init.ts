// Parameter shapes and initialisation (SPEC §4). Names and layouts are the oracle's, so golden files,
// checkpoints (safetensors) and the UI all use the same names: emb, layers.<l>.{ln1,ln2}.{w,b},
// layers.<l>.att.*, layers.<l>.mlp.*, ln_f.{w,b}, W_out, b_out.
import * as tf from '@tensorflow/tfjs';
import type { AttentionConfig, MlpConfig, ModelConfig } from '../spec';

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

function attentionDefs(a: AttentionConfig, d: number, L: number): Record<string, ParamDef> {
  const { nHeads: H, dHead: dh, nExperts: E } = a;
  const ws = Math.sqrt(2 / L);
  const defs: Record<string, ParamDef> = {};
  const prenorm = (shape: number[]) => ({ shape, init: { kind: 'truncnormal', std: Math.sqrt(2 / (L * shape[1]!)) } as Init });
  if (a.kind === 'switchhead') {
    const inStd = { kind: 'normal', std: ws / Math.sqrt(d) } as const;
    const moe = E === 1 ? { q: false, k: false, v: false, o: false } : a.moe;
    for (const n of ['q', 'k', 'v'] as const)
      defs[`W_${n}`] = { shape: moe[n] ? [H * E, d, dh] : [H * dh, d], init: inStd };
    defs.W_o = { shape: moe.o ? [H * E, dh, d] : [d, H * dh], init: { kind: 'normal', std: ws / Math.sqrt(H * dh) } };
    if (moe.k || moe.v) defs.W_sel_src = { shape: [H * E, d], init: inStd };
    if (moe.q || moe.o) defs.W_sel_dst = { shape: [H * E, d], init: inStd };
    if (E === 1) defs.W_sel_dst = { shape: [H, d], init: inStd };
    if (a.positions === 'xl') defs.W_pos = { shape: [H * dh, d], init: inStd };
  } else if (a.kind === 'dense') {
    for (const n of ['q', 'k', 'v']) defs[`W_${n}`] = prenorm([H * dh, d]);
    defs.W_o = prenorm([d, H * dh]);
    if (a.positions === 'xl') {
      defs.W_pos = prenorm([H * dh, d]);
      defs.u_content = { shape: [H, dh], init: { kind: 'const', value: 0 } };
      defs.v_pos = { shape: [H, dh], init: { kind: 'const', value: 0 } };
      defs.scale = { shape: [1], init: { kind: 'const', value: 1 / Math.sqrt(dh) } };
    }
  } else {
    const inStd = { kind: 'normal', std: ws / Math.sqrt(d) } as const;
    defs.W_kv = { shape: [2 * dh, d], init: inStd };
    defs.W_q = { shape: [E, d, dh], init: inStd };
    defs.W_o = { shape: [E, dh, d], init: { kind: 'normal', std: ws / Math.sqrt(a.k * dh) } };
    defs.W_sel = { shape: [E, d], init: inStd };
    defs.scale = { shape: [1], init: { kind: 'const', value: 1 / Math.sqrt(dh) } };
    if (a.positions === 'xl') defs.W_pos = { shape: [dh, d], init: inStd };
  }
  return defs;
}

function mlpDefs(m: MlpConfig, d: number, dFF: number, L: number): Record<string, ParamDef> {
  if (m.kind === 'dense')
    return {
      W1: { shape: [dFF, d], init: { kind: 'truncnormal', std: Math.sqrt(2 / (L * d)) } },
      b1: { shape: [dFF], init: { kind: 'const', value: 0 } },
      W2: { shape: [d, dFF], init: { kind: 'truncnormal', std: Math.sqrt(2 / (L * dFF)) } },
      b2: { shape: [d], init: { kind: 'const', value: 0 } },
    };
  const ws = Math.sqrt(2 / L);
  const { nExperts: NE, expertSize: G } = m;
  return {
    W_sel: { shape: [NE, d], init: { kind: 'sel-rows', std: ws / Math.sqrt(d) } },
    keys: { shape: [NE, d, G], init: { kind: 'normal', std: ws / Math.sqrt(d) } },
    values: { shape: [NE, G, d], init: { kind: 'normal', std: ws / Math.sqrt(NE * G) } },
  };
}

/** Every parameter of the LM, in a fixed order, with its shape and init. */
export function paramDefs(model: ModelConfig, vocabSize: number): Record<string, ParamDef> {
  const { dModel: d, nLayers: L } = model;
  const defs: Record<string, ParamDef> = { emb: { shape: [vocabSize, d], init: { kind: 'normal', std: 1 / Math.sqrt(d) } } };
  const one = { kind: 'const', value: 1 } as const, zero = { kind: 'const', value: 0 } as const;
  for (let l = 0; l < L; l++) {
    const pre = `layers.${l}.`;
    defs[pre + 'ln1.w'] = { shape: [d], init: one };
    defs[pre + 'ln1.b'] = { shape: [d], init: zero };
    for (const [n, def] of Object.entries(attentionDefs(model.attention, d, L))) defs[pre + 'att.' + n] = def;
    defs[pre + 'ln2.w'] = { shape: [d], init: one };
    defs[pre + 'ln2.b'] = { shape: [d], init: zero };
    for (const [n, def] of Object.entries(mlpDefs(model.mlp, d, model.dFF, L))) defs[pre + 'mlp.' + n] = def;
  }
  defs['ln_f.w'] = { shape: [d], init: one };
  defs['ln_f.b'] = { shape: [d], init: zero };
  defs.W_out = { shape: [vocabSize, d], init: { kind: 'uniform', bound: 1 / Math.sqrt(d) } };
  defs.b_out = { shape: [vocabSize], init: { kind: 'uniform', bound: 1 / Math.sqrt(d) } };
  return defs;
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

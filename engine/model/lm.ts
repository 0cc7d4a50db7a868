// The language model (SPEC §4): embedding, pre-LN blocks (attention + MLP), final LN, untied output with bias.
// With XL memory each layer also attends to the previous segment's layer inputs (detached), LN-ed by the same LN1.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../spec';
import { gatherRows, linear } from '../ops/linalg';
import { layerNorm } from '../ops/nn';
import { denseAttention } from './dense-attention';
import { denseFfn, sigmaMoe, type MlpOut } from './mlp';
import { moaAttention } from './moa';
import { switchHeadAttention } from './switchhead';
import { dropout, siteSeed, sub, type AttentionOut, type Ctx, type Params } from './types';

export interface LayerAux {
  att: AttentionOut;
  mlp: MlpOut;
}

export interface LmOut {
  logits: tf.Tensor; // [B, T, V]
  regLoss: tf.Scalar; // sum over layers of coefficient * regulariser (σ-MoE entropy, attention selection)
  layers: LayerAux[];
  /** Each layer's input on this segment [B, T, d]: the XL memory for the next segment. */
  layerInputs: tf.Tensor[];
}

export const attentionFn = { switchhead: switchHeadAttention, dense: denseAttention, moa: moaAttention };

/** tokens int32 [B, T]; memory: per layer [B, Tm, d] or null. */
export function lmForward(p: Params, cfg: ModelConfig, tokens: tf.Tensor, memory: tf.Tensor[] | null, ctx: Ctx): LmOut {
  const [B, T] = tokens.shape as number[];
  const d = cfg.dModel;
  let h = dropout(gatherRows(p.emb as tf.Tensor2D, tokens), cfg.dropout, ctx, 'emb'); // [B, T, d]
  let regLoss: tf.Tensor = tf.scalar(0);
  const layers: LayerAux[] = [];
  const layerInputs: tf.Tensor[] = [];
  for (let l = 0; l < cfg.nLayers; l++) {
    const lp = sub(p, `layers.${l}.`);
    layerInputs.push(h);
    const mem = memory?.[l];
    const Tm = mem ? mem.shape[1]! : 0;
    const kv = layerNorm(mem ? tf.concat([mem, h], 1) : h, lp['ln1.w'], lp['ln1.b']); // [B, Tm+T, d]
    const a = mem ? tf.slice(kv, [0, Tm, 0], [B, T, d]) : kv; // [B, T, d]
    const att = attentionFn[cfg.attention.kind](sub(lp, 'att.'), cfg.attention, a, kv, {
      ...ctx,
      seed: siteSeed(ctx, `att${l}`),
      layer: l,
    });
    h = tf.add(h, dropout(att.out, cfg.dropout, ctx, `att_out${l}`));
    const m = layerNorm(h, lp['ln2.w'], lp['ln2.b']);
    const mlp =
      cfg.mlp.kind === 'sigma-moe'
        ? sigmaMoe(sub(lp, 'mlp.'), cfg.mlp, m, { ...ctx, layer: l }, `moe${l}`)
        : denseFfn(sub(lp, 'mlp.'), m, cfg.dropout, ctx, `ffn${l}`);
    h = tf.add(h, dropout(mlp.out, cfg.dropout, ctx, `mlp_out${l}`));
    if (mlp.reg) regLoss = tf.add(regLoss, tf.mul(mlp.reg, cfg.mlp.entropyReg));
    if (att.reg) regLoss = tf.add(regLoss, tf.mul(att.reg, cfg.attention.selectionReg));
    if (att.auxLoss) regLoss = tf.add(regLoss, att.auxLoss);
    layers.push({ att, mlp });
  }
  const hf = dropout(layerNorm(h, p['ln_f.w'], p['ln_f.b']), cfg.dropout, ctx, 'out');
  const logits = linear(hf, p.W_out, p.b_out); // [B, T, V]
  return { logits, regLoss: regLoss as tf.Scalar, layers, layerInputs };
}

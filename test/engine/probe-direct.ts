// A direct computation of the language model for the probe tests: the forward pass written out in plain tensor math
// (the "all experts x sparse gate" form of every expert mixture, no cvmm, no routing hook), with the top-k choice of
// every selection made here, in JavaScript, by a callback that sees the real sigmoid scores. Gates are the real
// scores of the chosen experts. Covers SwitchHead (Q/K dense, V/O experts; positions none or rope), MoA (positions
// none, "my" gates) and dense attention (positions none or rope); dense or σ-MoE MLP. Batch of one, no memory.
import * as tf from '@tensorflow/tfjs';
import type { SelectionSide } from '../../engine/contracts/reports';
import { rope } from '../../engine/ops/position';
import type { ExperimentSpec } from '../../engine/spec';

/** The chosen experts [T][G][k] of one selection, given its scores [T][G][E]. */
export type Chooser = (layer: number, side: SelectionSide, scores: number[][][], k: number) => number[][][];

/** The ordinary top-k by score, with experts forced first and ablated ones never chosen (by hand, per row). */
export function handTopK(scores: number[], k: number, forced: number[] = [], ablated: number[] = []): number[] {
  const order = scores.map((s, e) => e).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const picks = order.filter((e) => forced.includes(e));
  for (const e of order) if (picks.length < k && !forced.includes(e) && !ablated.includes(e)) picks.push(e);
  return picks.slice(0, k);
}

export const plainTopK: Chooser = (_l, _s, scores, k) => scores.map((r) => r.map((s) => handTopK(s, k)));

export interface Direct {
  logits: Float32Array; // [T, V]
  tokenLoss: number[]; // [T]
  attentionOut: number[][]; // per layer [T] |y_t|
  selections: Record<string, number[][][]>; // `${layer}:${side}` -> chosen [T][G][k]
}

const read3 = (t: tf.Tensor): number[][][] => t.arraySync() as number[][][];

/** Selection of G groups of E experts: returns the sparse gate matrix [T, G, E] (real scores at the choice). */
function select(
  x: tf.Tensor,
  Wsel: tf.Tensor,
  G: number,
  k: number,
  layer: number,
  side: SelectionSide,
  choose: Chooser,
  out: Direct,
): tf.Tensor {
  const [T] = x.shape as number[];
  const E = Wsel.shape[0]! / G;
  const scores = tf.sigmoid(tf.matMul(x, Wsel, false, true)).reshape([T, G, E]); // [T, G, E]
  const chosen = choose(layer, side, read3(scores), k);
  out.selections[`${layer}:${side}`] = chosen;
  const mask = new Float32Array(T * G * E);
  chosen.forEach((r, t) => r.forEach((es, g) => es.forEach((e) => (mask[(t * G + g) * E + e] = 1))));
  return tf.mul(scores, tf.tensor3d(mask, [T, G, E])); // [T, G, E]
}

/** x [T, d] through expert e of group g: W [G*E, d, f] -> [T, G, E, f]. */
const allExperts = (x: tf.Tensor, W: tf.Tensor, G: number) => {
  const [GE, d, f] = W.shape as number[];
  const T = x.shape[0]!;
  return tf.matMul(x, W.transpose([1, 0, 2]).reshape([d, GE * f])).reshape([T, G, GE / G, f]);
};
const layerNorm = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), w), b);
};
const causal = (T: number) => tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // 1 on and below the diagonal
const softmaxCausal = (s: tf.Tensor, T: number) =>
  tf.softmax(tf.where(tf.cast(causal(T), 'bool'), s, tf.fill(s.shape, -1e9)), -1);

export function directForward(
  P: Record<string, tf.Tensor>,
  spec: ExperimentSpec,
  ids: number[],
  choose: Chooser = plainTopK,
): Direct {
  const m = spec.model,
    a = m.attention;
  const T = ids.length - 1;
  const out: Direct = { logits: new Float32Array(), tokenLoss: [], attentionOut: [], selections: {} };
  tf.tidy(() => {
    let h = tf.gather(P.emb!, tf.tensor1d(ids.slice(0, T), 'int32')); // [T, d]
    for (let l = 0; l < m.nLayers; l++) {
      const p = (n: string) => P[`layers.${l}.${n}`]!;
      const x = layerNorm(h, p('ln1.w'), p('ln1.b')); // [T, d]
      const att = attention(x, (n) => p(`att.${n}`), a, l, choose, out); // [T, d]
      out.attentionOut.push(Array.from(tf.norm(att, 'euclidean', -1).dataSync()));
      h = tf.add(h, att);
      const y = layerNorm(h, p('ln2.w'), p('ln2.b'));
      h = tf.add(
        h,
        mlp(y, (n) => p(`mlp.${n}`), m.mlp, l, choose, out),
      );
    }
    const logits = tf.add(tf.matMul(layerNorm(h, P['ln_f.w']!, P['ln_f.b']!), P.W_out!, false, true), P.b_out!);
    out.logits = logits.dataSync() as Float32Array;
    const logp = tf.logSoftmax(logits, -1);
    const tgt = tf.oneHot(tf.tensor1d(ids.slice(1), 'int32'), logits.shape[1]!).toFloat();
    out.tokenLoss = Array.from(tf.neg(tf.sum(tf.mul(logp, tgt), -1)).dataSync());
  });
  return out;
}

function attention(
  x: tf.Tensor,
  W: (n: string) => tf.Tensor,
  a: ExperimentSpec['model']['attention'],
  layer: number,
  choose: Chooser,
  out: Direct,
): tf.Tensor {
  const [T, d] = x.shape as number[];
  const { nHeads: H, dHead: dh, k } = a;
  const heads = (t: tf.Tensor, n: number) => t.reshape([T, n, dh]).transpose([1, 0, 2]); // [n, T, dh]
  const positions = (q: tf.Tensor, kk: tf.Tensor) => {
    if (a.positions === 'none') return [q, kk];
    if (a.positions !== 'rope') throw new Error('direct computation: positions none or rope only');
    const nRot = Math.floor(a.rotateFraction * dh);
    return [
      rope(q.expandDims(0), nRot, a.ropeBase, 0).squeeze([0]),
      rope(kk.expandDims(0), nRot, a.ropeBase, 0).squeeze([0]),
    ];
  };
  if (a.kind === 'moa') {
    if (a.positions !== 'none' || a.moaMode !== 'my')
      throw new Error('direct computation: MoA with positions none, mode my');
    const gates = select(x, W('W_sel'), 1, k, layer, 'dst', choose, out).reshape([T, -1]); // [T, E]
    const E = gates.shape[1]!;
    const chosen = out.selections[`${layer}:dst`]!; // [T][1][k]
    const oneHot = chosen.flatMap((r) => r[0]!.flatMap((e) => Array.from({ length: E }, (_, i) => (i === e ? 1 : 0))));
    const slot = tf.tensor3d(oneHot, [T, k, E]); // [T, k, E]: the expert of each slot, one-hot
    const sq = tf.sqrt(W('scale'));
    const kv = tf.matMul(x, W('W_kv'), false, true); // [T, 2dh]
    const keys = tf.mul(tf.slice(kv, [0, 0], [T, dh]), sq);
    const values = tf.slice(kv, [0, dh], [T, dh]);
    const qAll = allExperts(x, W('W_q'), 1).reshape([T, E, dh]); // [T, E, dh]
    const q = tf.mul(tf.matMul(slot, qAll), sq); // [T, k, dh]
    let y: tf.Tensor = tf.zeros([T, d]);
    for (let j = 0; j < k; j++) {
      const qj = tf.squeeze(tf.slice(q, [0, j, 0], [T, 1, dh]), [1]); // [T, dh]
      const u = tf.matMul(softmaxCausal(tf.matMul(qj, keys, false, true), T), values); // [T, dh]
      const oAll = allExperts(u, W('W_o'), 1).reshape([T, E, d]); // [T, E, d]
      const sel = tf.squeeze(tf.slice(slot, [0, j, 0], [T, 1, E]), [1]); // [T, E]
      y = tf.add(y, tf.sum(tf.mul(oAll, tf.expandDims(tf.mul(sel, gates), 2)), 1)); // gate of the slot's expert
    }
    return y;
  }
  if (a.kind === 'dense') {
    const [q, kk] = positions(
      heads(tf.matMul(x, W('W_q'), false, true), H),
      heads(tf.matMul(x, W('W_k'), false, true), H),
    );
    const v = heads(tf.matMul(x, W('W_v'), false, true), H);
    const u = tf.matMul(softmaxCausal(tf.div(tf.matMul(q, kk, false, true), Math.sqrt(dh)), T), v); // [H, T, dh]
    return tf.matMul(u.transpose([1, 0, 2]).reshape([T, H * dh]), W('W_o'), false, true);
  }
  if (a.moe.q || a.moe.k || !a.moe.v || !a.moe.o)
    throw new Error('direct computation: SwitchHead with V and O experts only');
  const gSrc = select(x, W('W_sel_src'), H, k, layer, 'src', choose, out); // [T, H, E]
  const gDst = select(x, W('W_sel_dst'), H, k, layer, 'dst', choose, out); // [T, H, E]
  const v = tf.sum(tf.mul(allExperts(x, W('W_v'), H), tf.expandDims(gSrc, 3)), 2); // [T, H, dh]
  const [q, kk] = positions(
    heads(tf.matMul(x, W('W_q'), false, true), H),
    heads(tf.matMul(x, W('W_k'), false, true), H),
  );
  const probs = softmaxCausal(tf.div(tf.matMul(q, kk, false, true), Math.sqrt(dh)), T); // [H, T, T]
  const u = tf.matMul(probs, v.transpose([1, 0, 2])); // [H, T, dh]
  let y: tf.Tensor = tf.zeros([T, d]);
  const E = gDst.shape[2]!;
  for (let hh = 0; hh < H; hh++) {
    const uh = tf.squeeze(tf.slice(u, [hh, 0, 0], [1, T, dh]), [0]); // [T, dh]
    const Wo = tf.slice(W('W_o'), [hh * E, 0, 0], [E, dh, d]); // [E, dh, d]
    const oAll = allExperts(uh, Wo, 1).reshape([T, E, d]); // [T, E, d]
    const g = tf.squeeze(tf.slice(gDst, [0, hh, 0], [T, 1, E]), [1]); // [T, E]
    y = tf.add(y, tf.sum(tf.mul(oAll, tf.expandDims(g, 2)), 1));
  }
  return y;
}

function mlp(
  x: tf.Tensor,
  W: (n: string) => tf.Tensor,
  cfg: ExperimentSpec['model']['mlp'],
  layer: number,
  choose: Chooser,
  out: Direct,
): tf.Tensor {
  if (cfg.kind === 'dense')
    return tf.add(
      tf.matMul(tf.relu(tf.add(tf.matMul(x, W('W1'), false, true), W('b1'))), W('W2'), false, true),
      W('b2'),
    );
  const T = x.shape[0]!;
  const g = select(x, W('W_sel'), 1, cfg.k, layer, 'mlp', choose, out).reshape([T, -1]); // [T, NE]
  const hidden = tf.relu(allExperts(x, W('keys'), 1)).reshape([T, cfg.nExperts, -1]); // [T, NE, G]
  const ys = tf.stack(
    Array.from({ length: cfg.nExperts }, (_, e) =>
      tf.matMul(
        tf.squeeze(tf.slice(hidden, [0, e, 0], [T, 1, -1]), [1]),
        tf.squeeze(tf.slice(W('values'), [e, 0, 0], [1, -1, -1]), [0]),
      ),
    ),
    1,
  ); // [T, NE, d]
  return tf.sum(tf.mul(ys, tf.expandDims(g, 2)), 1);
}

// The teaching walkthrough: one token (position p of a text) stepped through one SwitchHead attention layer with
// the model's real numbers. The layer input comes from the model's own forward pass (evaluation mode, no XL
// memory, like the probe); from there the layer is recomputed head by head in explicit tensor math (SPEC §1: the
// "all experts x sparse gate" form of the MoE projections, the same scale and positional terms as the model), so
// every intermediate is shown and the sum equals the layer's real output (test/engine/probe-trace.test.ts).
import * as tf from '@tensorflow/tfjs';
import type { TraceExpert, TraceHead, TraceReport, TraceSelection } from '../contracts/reports';
import { lmForward } from '../model/lm';
import { sub } from '../model/types';
import { scoped } from '../ops/custom';
import { layerNorm } from '../ops/nn';
import { rope, xlRelativeScores } from '../ops/position';
import { probeIds, rows } from './probe';
import { ProbeInputError } from './probe-interventions';
import { runAsync, runSync, type Reader } from './readback';
import type { Trainer } from './trainer';

interface Sel {
  logits: tf.Tensor; // [T, E]
  scores: tf.Tensor; // [T, E]
  idx: tf.Tensor; // [T, k]
  gates: tf.Tensor; // [T, k]
  sparse: tf.Tensor; // [T, E]: the gate of each chosen expert, 0 elsewhere
}

function* traceReader(tr: Trainer, text: string, position: number, layer: number): Reader<TraceReport> {
  const cfg = tr.spec.model,
    a = cfg.attention;
  if (a.kind !== 'switchhead')
    throw new ProbeInputError(`the walkthrough steps through a SwitchHead layer: this model's attention is ${a.kind}`);
  if (layer >= cfg.nLayers)
    throw new ProbeInputError(`layer ${layer} does not exist: the model has ${cfg.nLayers} layers`);
  const ids = probeIds(tr, text);
  const T = ids.length - 1;
  if (position >= T)
    throw new ProbeInputError(`position ${position} does not exist: the text has ${T} positions (0-${T - 1})`);
  const { nHeads: H, dHead: dh, nExperts: E, k } = a;
  const d = cfg.dModel,
    p = position,
    P = p + 1;
  const single = E === 1;
  const moe = single ? { q: false, k: false, v: false, o: false } : a.moe;
  const s4 = Math.pow(dh, -0.25),
    xl = a.positions === 'xl';

  const kept: tf.Tensor[] = [];
  const keep = (t: tf.Tensor) => (kept.push(tf.keep(t)), kept.length - 1);
  const plan = scoped(() => {
    const input = tf.tensor2d(Int32Array.from(ids.slice(0, T)), [1, T], 'int32');
    const out = lmForward(tr.params, cfg, input, null, { training: false, seed: 0 });
    const lp = sub(tr.params, `layers.${layer}.`);
    const W = sub(lp, 'att.');
    const resid = out.layerInputs[layer]!.reshape([T, d]); // [T, d]
    const x = layerNorm(resid, lp['ln1.w']!, lp['ln1.b']!); // [T, d]
    const row = (t: tf.Tensor, r: number, n = 1) => tf.slice(t, [r, 0], [n, -1]); // rows r..r+n-1 of [R, C]

    const heads = Array.from({ length: H }, (_, h) => {
      const select = (Wsel: tf.Tensor): Sel => {
        const logits = tf.matMul(x, tf.slice(Wsel, [h * E, 0], [E, d]), false, true); // [T, E]
        const scores = tf.sigmoid(logits);
        const top = tf.topk(scores, k); // [T, k]
        const sparse = tf.sum(tf.mul(tf.oneHot(top.indices, E).toFloat(), tf.expandDims(top.values, 2)), 1); // [T, E]
        return { logits, scores, idx: top.indices, gates: top.values, sparse };
      };
      const src = moe.k || moe.v ? select(W.W_sel_src!) : undefined;
      const dst = moe.q || moe.o ? select(W.W_sel_dst!) : undefined;
      // x W^{h,e} for every expert e of this head: W [H*E, d, dh] -> [T, E, dh]
      const experts = (Wm: tf.Tensor) =>
        tf
          .matMul(
            x,
            tf
              .slice(Wm, [h * E, 0, 0], [E, d, dh])
              .transpose([1, 0, 2])
              .reshape([d, E * dh]),
          ) // [T, E*dh]
          .reshape([T, E, dh]);
      const mix = (all: tf.Tensor, s: Sel) => tf.sum(tf.mul(all, tf.expandDims(s.sparse, 2)), 1); // [T, dh]
      const dense = (Wd: tf.Tensor) => tf.matMul(x, tf.slice(Wd, [h * dh, 0], [dh, d]), false, true); // [T, dh]
      const vAll = moe.v ? experts(W.W_v!) : undefined; // [T, E, dh]
      const q = moe.q ? mix(experts(W.W_q!), dst!) : dense(W.W_q!); // [T, dh]
      const kk = moe.k ? mix(experts(W.W_k!), src!) : dense(W.W_k!); // [T, dh]
      const v = vAll ? mix(vAll, src!) : dense(W.W_v!); // [T, dh]

      // Scores as the model computes them: q . k / sqrt(dh) (XL: q and k each carry dh^-1/4, plus the relative term)
      let qs = tf.mul(q, xl ? s4 : s4 * s4).reshape([1, 1, T, dh]); // [1, 1, T, dh]
      let ks = (xl ? tf.mul(kk, s4) : kk).reshape([1, 1, T, dh]); // [1, 1, T, dh]
      if (a.positions === 'rope') {
        const nRot = Math.floor(a.rotateFraction * dh);
        qs = rope(qs, nRot, a.ropeBase, 0);
        ks = rope(ks, nRot, a.ropeBase, 0);
      }
      let logits = tf.matMul(row(qs.reshape([T, dh]), p), row(ks.reshape([T, dh]), 0, P), false, true); // [1, P]
      if (xl) {
        const rel = xlRelativeScores(qs, tf.slice(W.W_pos!, [h * dh, 0], [dh, d]) as tf.Tensor2D, d, T, s4); // [1,1,T,T]
        logits = tf.add(logits, tf.slice(rel.reshape([T, T]), [p, 0], [1, P])); // [1, P]
      }
      const weights = tf.softmax(logits, -1); // [1, P]
      const u = tf.matMul(weights, row(v, 0, P)); // [1, dh]

      let oAll: tf.Tensor | undefined, gate: tf.Tensor | undefined, output: tf.Tensor;
      if (moe.o) {
        const Wo = tf.slice(W.W_o!, [h * E, 0, 0], [E, dh, d]); // [E, dh, d]
        oAll = tf.matMul(u, Wo.transpose([1, 0, 2]).reshape([dh, E * d])).reshape([E, d]); // [E, d]: u W_O^{h,e}
        output = tf.matMul(row(dst!.sparse, p), oAll); // [1, d]
      } else {
        const Wo = tf.slice(W.W_o!, [0, h * dh], [d, dh]); // [d, dh]
        let uo = u;
        if (single) {
          gate = tf.sigmoid(tf.matMul(row(x, p), tf.slice(W.W_sel_dst!, [h, 0], [1, d]), false, true)); // [1, 1]
          uo = tf.mul(u, gate);
        }
        output = tf.matMul(uo, Wo, false, true); // [1, d]
      }
      const keepSel = (s: Sel | undefined, r0: number, n: number) =>
        s && {
          logits: keep(row(s.logits, r0, n)),
          scores: keep(row(s.scores, r0, n)),
          idx: keep(row(s.idx, r0, n)),
          gates: keep(row(s.gates, r0, n)),
        };
      return {
        src: keepSel(src, 0, P),
        dst: keepSel(dst, p, 1),
        q: keep(row(q, p)),
        keys: keep(row(kk, 0, P)),
        vExperts: vAll ? keep(row(vAll.reshape([T, E * dh]), p)) : undefined, // [1, E*dh]
        values: keep(row(v, 0, P)),
        logits: keep(logits),
        weights: keep(weights),
        attended: keep(u),
        gate: gate ? keep(gate) : undefined,
        oExperts: oAll ? keep(oAll) : undefined, // [E, d]
        output: keep(output),
      };
    });
    return { residual: keep(row(resid, p)), input: keep(row(x, p)), heads };
  });

  try {
    const v = yield kept;
    const arr = (i: number) => Array.from(v[i]!);
    const sel = (s: { logits: number; scores: number; idx: number; gates: number }, n: number): TraceSelection[] =>
      Array.from({ length: n }, (_, r) => ({
        logits: Array.from(v[s.logits]!).slice(r * E, (r + 1) * E),
        scores: Array.from(v[s.scores]!).slice(r * E, (r + 1) * E),
        idx: Array.from(v[s.idx]!).slice(r * k, (r + 1) * k),
        gates: Array.from(v[s.gates]!).slice(r * k, (r + 1) * k),
      }));
    const chosen = (s: TraceSelection, all: number[], width: number): TraceExpert[] =>
      s.idx.map((e, j) => ({ expert: e, gate: s.gates[j]!, out: all.slice(e * width, (e + 1) * width) }));
    const heads = plan.heads.map((ph, h): TraceHead => {
      const src = ph.src ? sel(ph.src, P) : undefined;
      const dst = ph.dst ? sel(ph.dst, 1)[0] : undefined;
      const head: TraceHead = {
        head: h,
        ...(src ? { src } : {}),
        ...(dst ? { dst } : {}),
        q: arr(ph.q),
        keys: rows(v[ph.keys]!, P, dh),
        values: rows(v[ph.values]!, P, dh),
        logits: arr(ph.logits),
        weights: arr(ph.weights),
        attended: arr(ph.attended),
        output: arr(ph.output),
      };
      if (ph.vExperts !== undefined) head.vExperts = chosen(src![p]!, arr(ph.vExperts), dh);
      if (ph.oExperts !== undefined) head.oExperts = chosen(dst!, arr(ph.oExperts), d);
      if (ph.gate !== undefined) head.outputGate = v[ph.gate]![0]!;
      return head;
    });
    const name = (id: number) => tr.data.tokenizer.tokenName(id);
    return {
      step: tr.stepCount,
      text,
      tokens: ids.slice(0, T).map(name),
      position: p,
      token: name(ids[p]!),
      layer,
      dModel: d,
      dHead: dh,
      nHeads: H,
      nExperts: E,
      k,
      positions: a.positions,
      moe: { ...moe },
      residual: arr(plan.residual),
      input: arr(plan.input),
      heads,
      output: Array.from({ length: d }, (_, i) => heads.reduce((s, hd) => s + hd.output[i]!, 0)),
    };
  } finally {
    tf.dispose(kept);
  }
}

export const trace = (tr: Trainer, text: string, position: number, layer: number) =>
  runSync(traceReader(tr, text, position, layer));
export const traceAsync = (tr: Trainer, text: string, position: number, layer: number) =>
  runAsync(traceReader(tr, text, position, layer));

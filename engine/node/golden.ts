// Golden check (DESIGN 2.3): run our implementation of a component with the weights and inputs of an oracle file
// (any dimensions) and compare outputs, loss, every gradient and the selected experts.
// Per tensor: err = max|got - ref| / (1 + max|ref|); a file passes when every err <= tol.
import * as tf from '@tensorflow/tfjs';
import type { AttentionConfig, ModelConfig } from '../spec';
import { attentionFn, lmForward } from '../model/lm';
import { denseFfn, sigmaMoe } from '../model/mlp';
import { scoped } from '../ops/custom';
import { meanCrossEntropy } from '../ops/nn';
import type { Params } from '../model/types';
import { attentionConfig, flat, relErr, toTensor, type Comparison, type GoldenTensor } from './golden-tensors';
import { checkTraining } from './golden-train';

export { maxAbsDiff, relErr, type Comparison, type GoldenTensor } from './golden-tensors';

export interface GoldenResult {
  component: string;
  comparisons: Comparison[];
  maxErr: number;
  failed: Comparison[];
  error?: string;
}

const ctx = { training: false, seed: 0 };

/** Compare selections as sets per (row, group), and gates matched by expert id. idx/gates: [..., k]. */
function compareSelection(
  name: string,
  idx: tf.Tensor,
  gates: tf.Tensor,
  ref: { idx: GoldenTensor; gates: GoldenTensor },
): Comparison[] {
  const k = idx.shape.at(-1)!;
  const gi = idx.dataSync(),
    gg = gates.dataSync();
  const ri = flat(ref.idx),
    rg = flat(ref.gates);
  if (gi.length !== ri.length)
    return [{ name: `${name}.idx`, err: Infinity, note: `shape ${idx.shape} vs ${ref.idx.shape}` }];
  let mismatched = 0;
  const aligned = new Float32Array(rg.length);
  for (let r = 0; r < gi.length; r += k) {
    for (let j = 0; j < k; j++) {
      const pos = Array.prototype.indexOf.call(gi.subarray(r, r + k), ri[r + j]);
      if (pos < 0) mismatched++;
      aligned[r + j] = pos < 0 ? NaN : gg[r + pos];
    }
  }
  return [
    {
      name: `${name}.idx`,
      err: mismatched ? Infinity : 0,
      note: mismatched ? `${mismatched} selected experts differ` : undefined,
    },
    { name: `${name}.gates`, err: relErr(aligned, rg) },
  ];
}

/** Gradients of f w.r.t. every named input; returns [value, grads by name]. */
function gradsOf(inputs: Record<string, tf.Tensor>, f: (p: Params) => tf.Scalar): [number, Record<string, tf.Tensor>] {
  const names = Object.keys(inputs);
  const { value, grads } = tf.valueAndGrads((...ts: tf.Tensor[]) =>
    f(Object.fromEntries(names.map((n, i) => [n, ts[i]]))),
  )(names.map((n) => inputs[n]));
  return [value.dataSync()[0], Object.fromEntries(names.map((n, i) => [n, grads[i]]))];
}

function compareGrads(prefix: string, got: Record<string, tf.Tensor>, ref: Record<string, GoldenTensor>): Comparison[] {
  return Object.entries(ref).map(([n, t]) =>
    got[n]
      ? { name: `${prefix}.${n}`, err: relErr(got[n].dataSync(), flat(t)) }
      : { name: `${prefix}.${n}`, err: Infinity, note: 'no such parameter' },
  );
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a golden file of any component kind (oracle README)
type Golden = Record<string, any>;

/** A golden file's weights as tensors, by name. */
function weightsOf(g: Golden): Params {
  return Object.fromEntries(
    Object.entries(g.weights as Record<string, GoldenTensor>).map(([n, t]) => [n, toTensor(t)]),
  );
}

/** A component file's weights, its input x and the random projection R of its loss sum(out * R). */
function componentInputs(g: Golden): { w: Params; x: tf.Tensor; R: tf.Tensor } {
  return { w: weightsOf(g), x: toTensor(g.inputs.x), R: toTensor(g.loss.R) };
}

function checkAttention(g: Golden, kind: AttentionConfig['kind']): Comparison[] {
  const cfg = attentionConfig(g.config, kind);
  const { w, x, R } = componentInputs(g);
  const run = (p: Params) => attentionFn[kind](p, cfg, p.x, p.x, ctx);
  const fwd = run({ ...w, x });
  const c: Comparison[] = [{ name: 'out', err: relErr(fwd.out.dataSync(), flat(g.outputs.out)) }];
  if (g.outputs.attention_probs)
    c.push({ name: 'attention_probs', err: relErr(fwd.probs.dataSync(), flat(g.outputs.attention_probs)) });
  if (g.outputs.head_outputs && fwd.headOutputs)
    c.push({ name: 'head_outputs', err: relErr(fwd.headOutputs.dataSync(), flat(g.outputs.head_outputs)) });
  for (const side of ['src', 'dst'] as const) {
    const ref = g.selection?.[side];
    if (!ref) continue;
    const sel = fwd[side];
    if (!sel) c.push({ name: `selection.${side}`, err: Infinity, note: 'not computed' });
    else c.push(...compareSelection(`selection.${side}`, sel.idx, sel.gates, ref));
  }
  const [loss, grads] = gradsOf({ ...w, x }, (p) => tf.sum(tf.mul(run(p).out, R)) as tf.Scalar);
  c.push({ name: 'loss', err: relErr([loss], [g.loss.value]) }, ...compareGrads('grads', grads, g.grads));
  if (g.aux_loss) {
    // MoA 'moa' mode: the weighted auxiliary losses, value and gradients (router weights and input)
    const aux = (p: Params) => run({ ...w, ...p }).auxLoss ?? (tf.scalar(NaN) as tf.Scalar);
    const [value, ag] = gradsOf({ W_sel: w.W_sel, x }, aux);
    c.push({ name: 'aux_loss.value', err: relErr([value], [g.aux_loss.value]) });
    c.push(...compareGrads('aux_loss.grads', ag, g.aux_loss.grads));
  }
  return c;
}

function checkSigmaMoe(g: Golden): Comparison[] {
  const c0 = g.config;
  const cfg = {
    kind: 'sigma-moe' as const,
    nExperts: c0.n_experts,
    k: c0.k,
    expertSize: c0.expert_size,
    entropyReg: 0,
    expertDropout: 0,
  };
  const { w, x, R } = componentInputs(g);
  const fwd = sigmaMoe({ ...w }, cfg, x, ctx, 'moe');
  const c: Comparison[] = [{ name: 'out', err: relErr(fwd.out.dataSync(), flat(g.outputs.out)) }];
  c.push(...compareSelection('selection', fwd.sel!.idx, fwd.sel!.gates, g.selection));
  const [loss, grads] = gradsOf(
    { ...w, x },
    (p) => tf.sum(tf.mul(sigmaMoe(p, cfg, p.x, ctx, 'moe').out, R)) as tf.Scalar,
  );
  c.push({ name: 'loss', err: relErr([loss], [g.loss.value]) }, ...compareGrads('grads', grads, g.grads));
  if (g.entropy_regularizer) {
    const [reg, rg] = gradsOf(
      { W_sel: w.W_sel, x },
      (p) => sigmaMoe({ ...w, W_sel: p.W_sel }, cfg, p.x, ctx, 'moe').reg!,
    );
    c.push({ name: 'entropy_regularizer.value', err: relErr([reg], [g.entropy_regularizer.value]) });
    c.push(...compareGrads('entropy_regularizer.grads', rg, g.entropy_regularizer.grads));
  }
  return c;
}

function checkDenseFfn(g: Golden): Comparison[] {
  const { w, x, R } = componentInputs(g);
  const fwd = denseFfn(w, x, 0, ctx, 'ffn');
  const [loss, grads] = gradsOf(
    { ...w, x },
    (p) => tf.sum(tf.mul(denseFfn(p, p.x, 0, ctx, 'ffn').out, R)) as tf.Scalar,
  );
  return [
    { name: 'out', err: relErr(fwd.out.dataSync(), flat(g.outputs.out)) },
    { name: 'loss', err: relErr([loss], [g.loss.value]) },
    ...compareGrads('grads', grads, g.grads),
  ];
}

function checkTinyLm(g: Golden): Comparison[] {
  const c0 = g.config;
  const w = weightsOf(g);
  const sigma = c0.mlp.type === 'sigma_moe';
  const model: ModelConfig = {
    dModel: c0.d_model,
    nLayers: c0.n_layers,
    dFF: sigma ? 1 : w['layers.0.mlp.W1'].shape[0]!,
    dropout: 0,
    attention: attentionConfig(c0.att, 'switchhead'),
    mlp: {
      kind: sigma ? 'sigma-moe' : 'dense',
      nExperts: c0.mlp.n_experts ?? 1,
      k: c0.mlp.k ?? 1,
      expertSize: c0.mlp.expert_size ?? 1,
      entropyReg: c0.reg_coef ?? 0,
      expertDropout: 0,
    },
  };
  const tokens = toTensor(g.inputs.tokens);
  const [B, T1] = tokens.shape as number[];
  const inp = tf.slice(tokens, [0, 0], [B, T1 - 1]),
    tgt = tf.slice(tokens, [0, 1], [B, T1 - 1]).reshape([-1]) as tf.Tensor1D;
  const losses = (p: Params) => {
    const o = lmForward(p, model, inp, null, ctx);
    const ce = meanCrossEntropy(o.logits.reshape([B * (T1 - 1), -1]) as tf.Tensor2D, tgt);
    return { o, ce, total: tf.add(ce, o.regLoss) as tf.Scalar };
  };
  const fwd = losses(w);
  const c: Comparison[] = [
    { name: 'logits', err: relErr(fwd.o.logits.dataSync(), flat(g.outputs.logits)) },
    { name: 'loss.ce', err: relErr(fwd.ce.dataSync(), [g.loss.ce]) },
    { name: 'loss.total', err: relErr(fwd.total.dataSync(), [g.loss.total]) },
  ];
  (g.selection_per_layer ?? []).forEach((ref: Record<string, GoldenTensor>, l: number) => {
    const layer = fwd.o.layers[l];
    const sides = { att_src: layer.att.src, att_dst: layer.att.dst, mlp: layer.mlp.sel };
    for (const [side, sel] of Object.entries(sides)) {
      if (!ref[`${side}_idx`]) continue;
      if (!sel) c.push({ name: `layer${l}.${side}`, err: Infinity, note: 'not computed' });
      else
        c.push(
          ...compareSelection(`layer${l}.${side}`, sel.idx, sel.gates, {
            idx: ref[`${side}_idx`],
            gates: ref[`${side}_gates`],
          }),
        );
    }
  });
  const [, gce] = gradsOf(w, (p) => losses(p).ce);
  const [, gtot] = gradsOf(w, (p) => losses(p).total);
  return [
    ...c,
    ...compareGrads('grads_ce', gce, g.grads_ce ?? {}),
    ...compareGrads('grads_total', gtot, g.grads_total ?? {}),
  ];
}

export const GOLDEN_COMPONENTS = [
  'switchhead_attention*',
  'dense_attention*',
  'moa_attention*',
  'sigma_moe_mlp',
  'dense_ffn',
  'tiny_lm',
  'lm_training',
];

function dispatch(g: Golden): Comparison[] {
  const comp = String(g.component ?? '');
  if (comp.startsWith('switchhead_attention')) return checkAttention(g, 'switchhead');
  if (comp.startsWith('dense_attention')) return checkAttention(g, 'dense');
  if (comp.startsWith('moa_attention')) return checkAttention(g, 'moa');
  if (comp === 'sigma_moe_mlp') return checkSigmaMoe(g);
  if (comp === 'dense_ffn') return checkDenseFfn(g);
  if (comp === 'tiny_lm') return checkTinyLm(g);
  if (comp === 'lm_training') return checkTraining(g);
  throw new Error(`unknown component "${comp}" (supported: ${GOLDEN_COMPONENTS.join(', ')})`);
}

/** Run one golden file (already parsed). Never throws: problems become a failed comparison. */
export function checkGolden(g: unknown, tol = 1e-4): GoldenResult {
  const component = String((g as Golden)?.component ?? '?');
  try {
    const comparisons = scoped(() => dispatch(g as Golden));
    const failed = comparisons.filter((c) => !(c.err <= tol));
    return { component, comparisons, maxErr: Math.max(0, ...comparisons.map((c) => c.err)), failed };
  } catch (e) {
    const name = 'component';
    if (process.env.GOLDEN_DEBUG) console.error(e);
    return {
      component,
      comparisons: [],
      maxErr: Infinity,
      failed: [{ name, err: Infinity, note: (e as Error).message }],
      error: (e as Error).message,
    };
  }
}

// Parameter and cost accounting over a parsed ExperimentSpec: pure arithmetic, no tfjs.
// Parameter names/shapes are those the engine builds (oracle layout, switchhead/oracle/README.md).
// Attention MACs and memory follow SPEC §6 exactly ([MA] paper/common.py get_attention_flops /
// get_attention_mem), quirks included; formatting follows its format_flops / format_mem.
import type { AttentionConfig, ExperimentSpec, MlpConfig, ModelConfig } from './spec';

export type Shapes = Record<string, number[]>;

const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const sumShapes = (s: Shapes): number => Object.values(s).reduce((a, sh) => a + numel(sh), 0);

// ---------------------------------------------------------------------------------------------
// Parameter shapes

/** Parameters of one attention layer, named without the `layers.l.att.` prefix. */
export function attentionParamShapes(a: AttentionConfig, dModel: number): Shapes {
  const d = dModel,
    H = a.nHeads,
    dh = a.dHead,
    E = a.nExperts;
  const xl = a.positions === 'xl';
  if (a.kind === 'dense') {
    const s: Shapes = { W_q: [H * dh, d], W_k: [H * dh, d], W_v: [H * dh, d], W_o: [d, H * dh] };
    if (xl) Object.assign(s, { W_pos: [H * dh, d], u_content: [H, dh], v_pos: [H, dh], scale: [1] }); // SPEC §5.1
    return s;
  }
  if (a.kind === 'moa') {
    // SPEC §5.3: shared K/V, E query and output experts, one router; H plays no role, k = active heads.
    const s: Shapes = { W_kv: [2 * dh, d], W_q: [E, d, dh], W_o: [E, dh, d], W_sel: [E, d], scale: [1] };
    if (xl) s.W_pos = [dh, d];
    return s;
  }
  // SwitchHead (SPEC §1)
  if (E === 1) {
    // [SH] n_experts=1: dense V and O plus a per-head sigmoid output gate.
    const s: Shapes = { W_q: [H * dh, d], W_k: [H * dh, d], W_v: [H * dh, d], W_o: [d, H * dh], W_sel_dst: [H, d] };
    if (xl) s.W_pos = [H * dh, d];
    return s;
  }
  const m = a.moe;
  const inProj = (isMoe: boolean) => (isMoe ? [H * E, d, dh] : [H * dh, d]);
  const s: Shapes = { W_q: inProj(m.q), W_k: inProj(m.k), W_v: inProj(m.v), W_o: m.o ? [H * E, dh, d] : [d, H * dh] };
  if (m.k || m.v) s.W_sel_src = [H * E, d];
  if (m.q || m.o) s.W_sel_dst = [H * E, d];
  if (xl) s.W_pos = [H * dh, d];
  return s;
}

/** Parameters of one MLP layer, named without the `layers.l.mlp.` prefix. dFF is unused by σ-MoE. */
export function mlpParamShapes(m: MlpConfig, dModel: number, dFF: number): Shapes {
  const d = dModel;
  if (m.kind === 'sigma-moe') {
    const NE = m.nExperts,
      G = m.expertSize;
    return { W_sel: [NE, d], keys: [NE, d, G], values: [NE, G, d] }; // SPEC §3, no biases
  }
  return { W1: [dFF, d], b1: [dFF], W2: [d, dFF], b2: [d] };
}

const normShapes = (d: number): Shapes => ({ 'ln1.w': [d], 'ln1.b': [d], 'ln2.w': [d], 'ln2.b': [d] });

/** Every parameter of the LM the engine builds (SPEC §4), by full name. */
export function paramShapes(model: ModelConfig, vocabSize: number): Shapes {
  checkVocab(vocabSize);
  const d = model.dModel;
  const out: Shapes = { emb: [vocabSize, d] };
  const att = attentionParamShapes(model.attention, d);
  const mlp = mlpParamShapes(model.mlp, d, model.dFF);
  for (let l = 0; l < model.nLayers; l++) {
    for (const [n, s] of Object.entries(normShapes(d))) out[`layers.${l}.${n}`] = s;
    for (const [n, s] of Object.entries(att)) out[`layers.${l}.att.${n}`] = s;
    for (const [n, s] of Object.entries(mlp)) out[`layers.${l}.mlp.${n}`] = s;
  }
  Object.assign(out, { 'ln_f.w': [d], 'ln_f.b': [d], W_out: [vocabSize, d], b_out: [vocabSize] });
  return out;
}

function checkVocab(v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`vocabSize must be a positive integer, got ${v}`);
}

export interface ParamCount {
  total: number;
  embedding: number; // emb
  output: number; // W_out + b_out (untied)
  finalNorm: number; // ln_f
  nLayers: number;
  perLayer: { attention: number; mlp: number; norms: number; total: number };
  byName?: Shapes;
}

/** Parameter count of the model the engine builds; `byName` lists every tensor's shape when asked. */
export function countParams(spec: ExperimentSpec, vocabSize: number, opts: { byName?: boolean } = {}): ParamCount {
  checkVocab(vocabSize);
  const m = spec.model,
    d = m.dModel;
  const attention = sumShapes(attentionParamShapes(m.attention, d));
  const mlp = sumShapes(mlpParamShapes(m.mlp, d, m.dFF));
  const norms = sumShapes(normShapes(d));
  const perLayer = { attention, mlp, norms, total: attention + mlp + norms };
  const embedding = vocabSize * d,
    output = vocabSize * d + vocabSize,
    finalNorm = 2 * d;
  const total = embedding + output + finalNorm + m.nLayers * perLayer.total;
  const res: ParamCount = { total, embedding, output, finalNorm, nLayers: m.nLayers, perLayer };
  if (opts.byName) res.byName = paramShapes(m, vocabSize);
  return res;
}

/** Vocabulary size implied by the tokenizer, or null when it depends on the corpus (char). */
export function vocabSizeOf(spec: ExperimentSpec): number | null {
  const t = spec.data.tokenizer;
  if (t.kind === 'byte') return 256;
  if (t.kind === 'bpe') return t.vocabSize;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Attention MACs and memory (SPEC §6), per layer, forward pass, attention only

export type CostFormula = 'xl-baseline' | 'rope-baseline' | 'switchhead-xl' | 'switchhead-rope' | 'moa' | 'moa-nopos';

/** The official `moe.att.k` default. MoA ignores it, but the official MoA formula multiplies by it. */
export const MOA_FORMULA_ATT_K = 2;

export interface AttentionCost {
  formula: CostFormula;
  macs: number;
  memFloats: number;
  c: number; // XL memory blocks (0 or 1)
  T: number; // data.seqLen
}

/** Which SPEC §6 row a spec falls under. Dense without positions uses the RoPE row (no positional term). */
export function costFormula(a: AttentionConfig): CostFormula {
  if (a.kind === 'dense') return a.positions === 'xl' ? 'xl-baseline' : 'rope-baseline';
  if (a.kind === 'moa') return a.positions === 'xl' ? 'moa' : 'moa-nopos';
  return a.positions === 'xl' ? 'switchhead-xl' : 'switchhead-rope';
}

/** Per-layer attention MACs and memory (floats) by the SPEC §6 formulas. A σ-MoE MLP is never counted. */
export function attentionCost(spec: ExperimentSpec): AttentionCost {
  const a = spec.model.attention,
    d = spec.model.dModel,
    T = spec.data.seqLen;
  const c = a.xlMemory ? 1 : 0;
  const dh = a.dHead,
    E = a.nExperts;
  const formula = costFormula(a);
  const T2 = T * T * (1 + c);
  let macs: number, memFloats: number;
  if (formula === 'xl-baseline' || formula === 'rope-baseline') {
    const H = a.nHeads;
    macs = 2 * H * dh * T2 + 4 * d * H * dh * T;
    memFloats = 2 * H * T2 + 4 * H * dh * T;
    if (formula === 'xl-baseline') {
      macs += 2 * H * d * T * dh * (1 + c);
      memFloats += 2 * H * T * dh * (1 + c);
    }
  } else if (formula === 'switchhead-xl' || formula === 'switchhead-rope') {
    const H = a.nHeads,
      k = a.k,
      m = a.moe;
    const nExp = +m.q + +m.k + +m.v + +m.o;
    const nProj = nExp * k + 4 - nExp; // an MoE projection costs k dense ones
    const nSel = Math.min(1, +m.k + +m.v) + Math.min(1, +m.q + +m.o);
    macs = 2 * H * dh * T2 + nProj * d * H * dh * T + nExp * H * k * T * dh + nSel * E * d * T * (1 + c);
    memFloats = 2 * H * T2 + 4 * H * dh * T + nSel * E * T * (1 + c); // quirk: 4·H·d_h·T whatever k
    if (formula === 'switchhead-xl') {
      macs += 2 * H * d * T * dh; // quirk: no (1+c) here, unlike the baseline
      memFloats += 2 * H * T * dh;
    }
  } else {
    const H = a.k; // MoA: the active heads are the attention matrices
    const kf = MOA_FORMULA_ATT_K;
    macs = 2 * H * dh * T2 + (2 * H + 2) * d * dh * T + H * kf * T * dh + E * d * T;
    memFloats = 2 * H * T2 + (2 * H + 2) * dh * T + 2 * T * dh + E * T * (1 + c);
    if (formula === 'moa') macs += 2 * d * T * dh * (1 + c);
  }
  return { formula, macs, memFloats, c, T };
}

/**
 * The paper's format: x/1e6 with one decimal and "M", or x/1e9 and "G" above 1000M. Below 0.1M (small models),
 * two significant digits ("0.012M"), so that a small figure never prints as "0.0M".
 */
export function formatPaper(x: number): string {
  const m = x / 1e6;
  if (m > 1000) return `${(m / 1000).toFixed(1)}G`;
  if (m !== 0 && Math.abs(m) < 0.1) return `${Number(m.toPrecision(2))}M`;
  return `${m.toFixed(1)}M`;
}

/** Parameter counts as the §7.1 table prints them ("47.26M"). */
export function formatParams(n: number): string {
  return `${(n / 1e6).toFixed(2)}M`;
}

/** A ratio as a percentage with one decimal ("37.6%"). */
export function formatPercent(r: number): string {
  return `${(100 * r).toFixed(1)}%`;
}

export interface AttentionMatrices {
  perLayer: number;
  total: number;
}

/** Attention matrices (softmax maps) per layer: H for SwitchHead and dense, the k active heads for MoA. */
export function attentionMatrices(spec: ExperimentSpec): AttentionMatrices {
  const a = spec.model.attention;
  const perLayer = a.kind === 'moa' ? a.k : a.nHeads;
  return { perLayer, total: perLayer * spec.model.nLayers };
}

// ---------------------------------------------------------------------------------------------
// Report

export interface CostReport {
  name: string;
  vocabSize: number | null;
  params: (ParamCount & { paper: string }) | null; // null when the vocabulary is unknown (char without --vocab)
  attention: {
    kind: AttentionConfig['kind'];
    formula: CostFormula;
    T: number;
    c: number;
    macsPerLayer: number;
    memFloatsPerLayer: number;
    macsPaper: string;
    memPaper: string;
  };
  attentionMatrices: AttentionMatrices;
  notes: string[];
}

/** Everything about one spec's cost, JSON-friendly. vocabSize null/undefined: taken from the tokenizer. */
export function costReport(spec: ExperimentSpec, vocabSize?: number | null): CostReport {
  const vocab = vocabSize ?? vocabSizeOf(spec);
  const notes: string[] = [];
  if (vocab === null)
    notes.push(
      'char tokenizer: the vocabulary depends on the corpus; pass a vocabulary size (CLI: --vocab N) to count parameters',
    );
  const a = spec.model.attention;
  const cost = attentionCost(spec);
  if (a.kind === 'moa')
    notes.push(`MoA formula: H = k = ${a.k} active heads, att_k = ${MOA_FORMULA_ATT_K} (official moe.att.k default)`);
  if (cost.formula === 'moa-nopos')
    notes.push('MoA without positions: the official XL formula minus its positional term');
  if (spec.model.mlp.kind === 'sigma-moe')
    notes.push('SwitchAll: the σ-MoE MLP is not in the attention cost (SPEC §6)');
  const params = vocab === null ? null : { ...countParams(spec, vocab), paper: '' };
  if (params) params.paper = formatParams(params.total);
  return {
    name: spec.name,
    vocabSize: vocab,
    params,
    attention: {
      kind: a.kind,
      formula: cost.formula,
      T: cost.T,
      c: cost.c,
      macsPerLayer: cost.macs,
      memFloatsPerLayer: cost.memFloats,
      macsPaper: formatPaper(cost.macs),
      memPaper: formatPaper(cost.memFloats),
    },
    attentionMatrices: attentionMatrices(spec),
    notes,
  };
}

export interface CostRatios {
  baseline: string;
  macs: number; // spec / baseline
  memFloats: number; // spec / baseline
  macsPaper: string; // "37.6%"
  memPaper: string;
  attentionMatrixReduction: number; // baseline / spec matrices per layer ("5×")
  params: number | null; // spec / baseline, when both are known
}

/** Ratios of a report to a baseline report, as in the SPEC §7.1 ratio table. */
export function costRatios(r: CostReport, base: CostReport): CostRatios {
  const macs = r.attention.macsPerLayer / base.attention.macsPerLayer;
  const memFloats = r.attention.memFloatsPerLayer / base.attention.memFloatsPerLayer;
  return {
    baseline: base.name,
    macs,
    memFloats,
    macsPaper: formatPercent(macs),
    memPaper: formatPercent(memFloats),
    attentionMatrixReduction: base.attentionMatrices.perLayer / r.attentionMatrices.perLayer,
    params: r.params && base.params ? r.params.total / base.params.total : null,
  };
}

// Routing statistics (per layer, head and side) and the probe (attention maps and selection scores on a text).
// Both run a forward pass in evaluation mode; they read selections back as plain arrays for the UI and files.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data';
import type { LmOut } from '../model/lm';
import type { Selection } from '../ops/select';
import { scoped } from '../ops/custom';
import type { Trainer } from './trainer';

export interface HeadStats {
  head: number;
  counts: number[]; // selections per expert [E]
  share: number[]; // counts / total selections [E] (expert identity kept)
  meanGate: number[]; // mean gate value when selected [E] (0 when never selected)
  entropy: number; // usage entropy / log(E), in [0, 1]
  deadFraction: number; // fraction of experts never selected
}

export interface SideStats {
  layer: number;
  side: 'src' | 'dst' | 'mlp';
  usedBy: string[]; // which projections this selection serves, e.g. ["V"] or ["Q", "O"]
  heads: HeadStats[];
}

export interface RoutingReport {
  step: number;
  tokens: number;
  sides: SideStats[];
  /** Per layer and head: counts of (value expert, output expert) chosen on the same token, [E][E]. */
  cooccurrence: { layer: number; head: number; matrix: number[][] }[];
}

function headStats(idx: ArrayLike<number>, gates: ArrayLike<number>, N: number, G: number, k: number, E: number): HeadStats[] {
  return Array.from({ length: G }, (_, g) => {
    const counts = new Array(E).fill(0), gateSum = new Array(E).fill(0);
    for (let n = 0; n < N; n++)
      for (let j = 0; j < k; j++) {
        const o = (n * G + g) * k + j;
        counts[idx[o]]++;
        gateSum[idx[o]] += gates[o];
      }
    const total = N * k;
    const share = counts.map((c) => c / total);
    const ent = -share.reduce((s, p) => (p > 0 ? s + p * Math.log(p) : s), 0);
    return {
      head: g, counts, share, meanGate: counts.map((c, e) => (c ? gateSum[e] / c : 0)),
      entropy: E > 1 ? ent / Math.log(E) : 1, deadFraction: counts.filter((c) => c === 0).length / E,
    };
  });
}

const read = (sel: Selection) => ({ idx: sel.idx.dataSync(), gates: sel.gates.dataSync(), shape: sel.idx.shape as number[], E: sel.scores.shape[2]! });

/** Statistics of one forward pass's selections. Memory rows of the source side are included in its usage. */
export function routingStats(out: LmOut, batch: Batch, step: number, tokens: number, moe: { q: boolean; k: boolean; v: boolean; o: boolean }): RoutingReport {
  const sides: SideStats[] = [];
  const cooccurrence: RoutingReport['cooccurrence'] = [];
  const usedBy = { src: ['K', 'V'].filter((p) => moe[p.toLowerCase() as 'k' | 'v']), dst: ['Q', 'O'].filter((p) => moe[p.toLowerCase() as 'q' | 'o']), mlp: ['MLP'] };
  out.layers.forEach((layer, l) => {
    const got: Partial<Record<'src' | 'dst' | 'mlp', ReturnType<typeof read>>> = {};
    for (const side of ['src', 'dst', 'mlp'] as const) {
      const sel = side === 'mlp' ? layer.mlp.sel : layer.att[side];
      if (!sel) continue;
      const r = (got[side] = read(sel));
      const [N, G, k] = r.shape;
      sides.push({ layer: l, side, usedBy: usedBy[side], heads: headStats(r.idx, r.gates, N, G, k, r.E) });
    }
    const { src, dst } = got;
    if (!src || !dst) return;
    const [, H, k] = dst.shape;
    const Tk = src.shape[0] / batch.batchSize, Tm = Tk - batch.seqLen;
    for (let h = 0; h < H; h++) {
      const matrix = Array.from({ length: src.E }, () => new Array(dst.E).fill(0));
      for (let b = 0; b < batch.batchSize; b++)
        for (let t = 0; t < batch.seqLen; t++) {
          const s = ((b * Tk + Tm + t) * H + h) * k, d = ((b * batch.seqLen + t) * H + h) * k;
          for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) matrix[src.idx[s + i]][dst.idx[d + j]]++;
        }
      cooccurrence.push({ layer: l, head: h, matrix });
    }
  });
  return { step, tokens, sides, cooccurrence };
}

/** Routing statistics of the trainer's current weights on its first validation batch (no memory). */
export function trainerRouting(tr: Trainer): RoutingReport {
  const batch = tr.data.valBatches[0];
  return scoped(() => routingStats(tr.forward(batch, null, false, 0).out, batch, tr.stepCount, tr.tokens, tr.spec.model.attention.moe));
}

export interface ProbeSelection {
  scores: number[][][]; // [T][H][E] sigmoid scores
  idx: number[][][]; // [T][H][k]
  gates: number[][][]; // [T][H][k]
}

export interface ProbeLayer {
  layer: number;
  attention: number[][][]; // [heads][T queries][T keys]
  src?: ProbeSelection; // source side (V/K), one row per key token
  dst?: ProbeSelection; // destination side (O/Q), one row per query token
  mlp?: ProbeSelection; // σ-MoE, H = 1
}

export interface ProbeReport {
  step: number;
  text: string;
  tokens: string[]; // display name of each input token
  layers: ProbeLayer[];
}

const nest = (data: ArrayLike<number>, shape: number[]): any => {
  if (shape.length === 1) return Array.from(data as ArrayLike<number>);
  const stride = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(Array.prototype.slice.call(data, i * stride, (i + 1) * stride), shape.slice(1)));
};

function probeSelection(sel: Selection): ProbeSelection {
  return { scores: nest(sel.scores.dataSync(), sel.scores.shape), idx: nest(sel.idx.dataSync(), sel.idx.shape), gates: nest(sel.gates.dataSync(), sel.gates.shape) };
}

/** Attention maps and selections on `text` (truncated to the context length), batch of one, no memory. */
export function probe(tr: Trainer, text: string): ProbeReport {
  const ids = Array.from(tr.data.tokenizer.encode(text)).slice(0, tr.spec.data.seqLen + 1);
  if (ids.length < 2) throw new Error(`probe text "${text}" is too short: it must encode to at least 2 tokens`);
  const T = ids.length - 1;
  const batch: Batch = { batchSize: 1, seqLen: T, input: Int32Array.from(ids.slice(0, T)), target: Int32Array.from(ids.slice(1)) };
  return scoped(() => {
    const { out } = tr.forward(batch, null, false, 0);
    const layers = out.layers.map((ly, l): ProbeLayer => {
      const [, H] = ly.att.probs.shape as number[];
      const p: ProbeLayer = { layer: l, attention: nest(ly.att.probs.dataSync(), [H, T, T]) };
      if (ly.att.src) p.src = probeSelection(ly.att.src);
      if (ly.att.dst) p.dst = probeSelection(ly.att.dst);
      if (ly.mlp.sel) p.mlp = probeSelection(ly.mlp.sel);
      return p;
    });
    return { step: tr.stepCount, text, tokens: ids.slice(0, T).map((id) => tr.data.tokenizer.tokenName(id)), layers };
  });
}

// Routing statistics (per layer, head and side) and the probe (attention maps and selection scores on a text).
// Both run a forward pass in evaluation mode; they read selections back as plain arrays for the UI and files.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data';
import type { Selection } from '../ops/select';
import { scoped } from '../ops/custom';
import { runAsync, runSync, type Reader } from './readback';
import type { Trainer } from './trainer';
import type {
  HeadStats,
  ProbeLayer,
  ProbeReport,
  ProbeSelection,
  RoutingReport,
  SideStats,
} from '../contracts/reports';

export type {
  HeadStats,
  ProbeLayer,
  ProbeReport,
  ProbeSelection,
  RoutingReport,
  SideStats,
} from '../contracts/reports';

function headStats(
  idx: ArrayLike<number>,
  gates: ArrayLike<number>,
  N: number,
  G: number,
  k: number,
  E: number,
): HeadStats[] {
  return Array.from({ length: G }, (_, g) => {
    const counts = new Array(E).fill(0),
      gateSum = new Array(E).fill(0);
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
      head: g,
      counts,
      share,
      meanGate: counts.map((c, e) => (c ? gateSum[e] / c : 0)),
      entropy: E > 1 ? ent / Math.log(E) : 1,
      deadFraction: counts.filter((c) => c === 0).length / E,
    };
  });
}

/** One selection read back: idx/gates [N, G, k] (and scores [N, G, E] when asked for), flattened. */
export interface SelectionValues {
  idx: ArrayLike<number>;
  gates: ArrayLike<number>;
  scores?: ArrayLike<number>;
  shape: number[]; // [N, G, k]
  E: number;
}
export type LayerValues = { attention?: { data: ArrayLike<number>; shape: number[] } } & Partial<
  Record<'src' | 'dst' | 'mlp', SelectionValues>
>;

/** Forward pass on `batch` (evaluation mode, no memory), reading back every layer's selections and optionally
 *  its attention maps and selection scores. */
function* readLayers(tr: Trainer, batch: Batch, extras: boolean): Reader<LayerValues[]> {
  const kept: tf.Tensor[] = [];
  const keep = (t: tf.Tensor) => (kept.push(tf.keep(t)), kept.length - 1);
  const plan = scoped(() =>
    tr.forward(batch, null, false, 0).out.layers.map((ly) => {
      const sides: Partial<Record<'src' | 'dst' | 'mlp', Selection | undefined>> = {
        src: ly.att.src,
        dst: ly.att.dst,
        mlp: ly.mlp.sel,
      };
      const sel = Object.entries(sides)
        .filter((e): e is [string, Selection] => !!e[1])
        .map(([side, s]) => ({
          side,
          idx: keep(s.idx),
          gates: keep(s.gates),
          scores: extras ? keep(s.scores) : -1,
          shape: s.idx.shape as number[],
          E: s.scores.shape[2]!,
        }));
      return { sel, attention: extras ? { at: keep(ly.att.probs), shape: ly.att.probs.shape as number[] } : undefined };
    }),
  );
  try {
    const v = yield kept;
    return plan.map((ly) => {
      const out: LayerValues = ly.attention
        ? { attention: { data: v[ly.attention.at], shape: ly.attention.shape } }
        : {};
      for (const s of ly.sel)
        out[s.side as 'src'] = {
          idx: v[s.idx],
          gates: v[s.gates],
          scores: s.scores >= 0 ? v[s.scores] : undefined,
          shape: s.shape,
          E: s.E,
        };
      return out;
    });
  } finally {
    tf.dispose(kept);
  }
}

/** Statistics of one forward pass's selections. Memory rows of the source side are included in its usage. */
export function routingStats(
  layers: LayerValues[],
  batch: Batch,
  step: number,
  tokens: number,
  moe: { q: boolean; k: boolean; v: boolean; o: boolean },
): RoutingReport {
  const sides: SideStats[] = [];
  const cooccurrence: RoutingReport['cooccurrence'] = [];
  const usedBy = {
    src: ['K', 'V'].filter((p) => moe[p.toLowerCase() as 'k' | 'v']),
    dst: ['Q', 'O'].filter((p) => moe[p.toLowerCase() as 'q' | 'o']),
    mlp: ['MLP'],
  };
  layers.forEach((got, l) => {
    for (const side of ['src', 'dst', 'mlp'] as const) {
      const r = got[side];
      if (!r) continue;
      const [N, G, k] = r.shape;
      sides.push({ layer: l, side, usedBy: usedBy[side], heads: headStats(r.idx, r.gates, N, G, k, r.E) });
    }
    const { src, dst } = got;
    if (!src || !dst) return;
    const [, H, k] = dst.shape;
    const Tk = src.shape[0] / batch.batchSize,
      Tm = Tk - batch.seqLen;
    for (let h = 0; h < H; h++) {
      const matrix = Array.from({ length: src.E }, () => new Array(dst.E).fill(0));
      for (let b = 0; b < batch.batchSize; b++)
        for (let t = 0; t < batch.seqLen; t++) {
          const s = ((b * Tk + Tm + t) * H + h) * k,
            d = ((b * batch.seqLen + t) * H + h) * k;
          for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) matrix[src.idx[s + i]][dst.idx[d + j]]++;
        }
      cooccurrence.push({ layer: l, head: h, matrix });
    }
  });
  return { step, tokens, sides, cooccurrence };
}

/** Routing statistics of the trainer's current weights on its first validation batch (no memory). */
function* routingReader(tr: Trainer): Reader<RoutingReport> {
  const batch = tr.data.valBatches[0];
  const layers = yield* readLayers(tr, batch, false);
  return routingStats(layers, batch, tr.stepCount, tr.tokens, tr.spec.model.attention.moe);
}
export const trainerRouting = (tr: Trainer) => runSync(routingReader(tr));
export const trainerRoutingAsync = (tr: Trainer) => runAsync(routingReader(tr));

/** Flat row-major values of shape [A, B, C] as nested arrays [A][B][C]. */
const nest = (data: ArrayLike<number>, [A, B, C]: number[]): number[][][] =>
  Array.from({ length: A! }, (_, a) =>
    Array.from({ length: B! }, (_, b) => Array.from({ length: C! }, (_, c) => data[(a * B! + b) * C! + c]!)),
  );

function probeSelection(sel: SelectionValues): ProbeSelection {
  const [N, G] = sel.shape;
  return { scores: nest(sel.scores!, [N, G, sel.E]), idx: nest(sel.idx, sel.shape), gates: nest(sel.gates, sel.shape) };
}

/** Attention maps and selections on `text` (truncated to the context length), batch of one, no memory. */
function* probeReader(tr: Trainer, text: string): Reader<ProbeReport> {
  const ids = Array.from(tr.data.tokenizer.encode(text)).slice(0, tr.spec.data.seqLen + 1);
  if (ids.length < 2) throw new Error(`probe text "${text}" is too short: it must encode to at least 2 tokens`);
  const T = ids.length - 1;
  const batch: Batch = {
    batchSize: 1,
    seqLen: T,
    input: Int32Array.from(ids.slice(0, T)),
    target: Int32Array.from(ids.slice(1)),
  };
  const values = yield* readLayers(tr, batch, true);
  const layers = values.map((ly, l): ProbeLayer => {
    const H = ly.attention!.shape[1];
    const p: ProbeLayer = { layer: l, attention: nest(ly.attention!.data, [H, T, T]) };
    if (ly.src) p.src = probeSelection(ly.src);
    if (ly.dst) p.dst = probeSelection(ly.dst);
    if (ly.mlp) p.mlp = probeSelection(ly.mlp);
    return p;
  });
  return { step: tr.stepCount, text, tokens: ids.slice(0, T).map((id) => tr.data.tokenizer.tokenName(id)), layers };
}
export const probe = (tr: Trainer, text: string) => runSync(probeReader(tr, text));
export const probeAsync = (tr: Trainer, text: string) => runAsync(probeReader(tr, text));

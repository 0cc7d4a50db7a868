// Routing statistics (per layer, head and side: usage, entropy, dead experts, Jain fairness, score margins, V x O
// co-occurrence) on a forward pass in evaluation mode; selections read back as plain arrays for the UI and files.
// The probe (attention maps and selections on a text) is in probe.ts.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data';
import type { Selection } from '../ops/select';
import { scoped } from '../ops/custom';
import { runAsync, runSync, type Reader } from './readback';
import type { Trainer } from './trainer';
import type { HeadStats, RoutingReport, SideStats } from '../contracts/reports';
import { jain, marginStats } from '../run/routing-health';

export type {
  HeadStats,
  ProbeLayer,
  ProbeReport,
  ProbeSelection,
  RoutingReport,
  SideStats,
} from '../contracts/reports';

function headStats(sel: SelectionValues): HeadStats[] {
  const { idx, gates, scores, E } = sel;
  const [N, G, k] = sel.shape as [number, number, number];
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
      jain: jain(share),
      ...(scores ? { margin: marginStats(scores, N, G, E, k, g) } : {}),
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

/** Forward pass on `batch` (evaluation mode, no memory), reading back every layer's selections, optionally their
 *  scores and the attention maps. */
export function* readLayers(
  tr: Trainer,
  batch: Batch,
  read: { scores?: boolean; attention?: boolean },
): Reader<LayerValues[]> {
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
          scores: read.scores ? keep(s.scores) : -1,
          shape: s.idx.shape as number[],
          E: s.scores.shape[2]!,
        }));
      return {
        sel,
        attention: read.attention ? { at: keep(ly.att.probs), shape: ly.att.probs.shape as number[] } : undefined,
      };
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
      sides.push({ layer: l, side, usedBy: usedBy[side], heads: headStats(r) });
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
  const layers = yield* readLayers(tr, batch, { scores: true });
  return routingStats(layers, batch, tr.stepCount, tr.tokens, tr.spec.model.attention.moe);
}
export const trainerRouting = (tr: Trainer) => runSync(routingReader(tr));
export const trainerRoutingAsync = (tr: Trainer) => runAsync(routingReader(tr));

export { probe, probeAsync } from './probe';

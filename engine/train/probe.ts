// The probe: one forward pass on a text (evaluation mode, batch of one, no XL memory) that reads back the attention
// maps, the selections, the loss, the next-token predictions and the attention output norms; optionally under
// routing interventions (probe-interventions.ts), then with the same outputs without them as the baseline.
// A probe only reads the weights: it never changes them, the optimizer, the XL memory or the data position.
import * as tf from '@tensorflow/tfjs';
import type {
  ProbeIntervention,
  ProbeLayer,
  ProbeOutputs,
  ProbeReport,
  ProbeSelection,
  TokenizeReport,
} from '../contracts/reports';
import { lmForward } from '../model/lm';
import type { RouteHook } from '../model/types';
import { scoped } from '../ops/custom';
import type { Selection } from '../ops/select';
import { planInterventions, ProbeInputError, routeHook } from './probe-interventions';
import { runAsync, runSync, type Reader } from './readback';
import type { Trainer } from './trainer';

/** Next-token predictions reported per position. */
export const TOP_K_TOKENS = 5;

/** A text as the trainer's tokenizer sees it, with the reason a probe of it would be refused (or null). */
export function tokenizeText(tr: Trainer, text: string): TokenizeReport {
  const contextLength = tr.spec.data.seqLen;
  const base = { text, contextLength, maxLength: contextLength + 1 };
  let ids: number[];
  try {
    ids = Array.from(tr.data.tokenizer.encode(text));
  } catch (e) {
    return { ...base, ids: [], tokens: [], length: 0, problem: `the text cannot be encoded: ${(e as Error).message}` };
  }
  return {
    ...base,
    ids,
    tokens: ids.map((id) => tr.data.tokenizer.tokenName(id)),
    length: ids.length,
    problem: lengthProblem(ids.length, contextLength),
  };
}

function lengthProblem(n: number, context: number): string | null {
  if (n === 0) return 'the probe text is empty (0 tokens); it needs at least 2 tokens';
  if (n < 2)
    return `the probe text is too short (${n} token); it needs at least 2 tokens (one to read, one to predict)`;
  if (n > context + 1)
    return `the probe text is too long (${n} tokens; the model's context is ${context}, so a probe may have at most ${context + 1} tokens: the last one is only predicted)`;
  return null;
}

/** The token ids of a probe: 2..seqLen+1 of them. `truncate` (the run plan's periodic probe) cuts a long text to
 *  the context instead of refusing it. Throws a ProbeInputError naming the lengths. */
export function probeIds(tr: Trainer, text: string, truncate = false): number[] {
  const r = tokenizeText(tr, text);
  const ids = truncate ? r.ids.slice(0, r.maxLength) : r.ids;
  const problem = r.length === 0 && r.problem ? r.problem : lengthProblem(ids.length, r.contextLength);
  if (problem) throw new ProbeInputError(`${problem}: "${text.length > 60 ? text.slice(0, 57) + '...' : text}"`);
  return ids;
}

export interface ProbeOptions {
  interventions?: ProbeIntervention[];
  /** Cut an over-long text to the context (the periodic probe of a run) instead of refusing it. */
  truncate?: boolean;
}

/** Flat row-major values of shape [A, B, C] as nested arrays [A][B][C]. */
export const nest3 = (data: ArrayLike<number>, [A, B, C]: number[]): number[][][] =>
  Array.from({ length: A! }, (_, a) =>
    Array.from({ length: B! }, (_, b) => Array.from({ length: C! }, (_, c) => data[(a * B! + b) * C! + c]!)),
  );

export const rows = (data: ArrayLike<number>, R: number, C: number): number[][] =>
  Array.from({ length: R }, (_, r) => Array.from({ length: C }, (_, c) => data[r * C + c]!));

type Side = 'src' | 'dst' | 'mlp';

/** One forward pass on `ids` (inputs ids[0..T-1], targets ids[1..T]) under `route`; the maps and selections
 *  only when `maps`. */
function* probeOnce(
  tr: Trainer,
  ids: number[],
  route: RouteHook | undefined,
  maps: boolean,
): Reader<{ layers?: ProbeLayer[]; outputs: ProbeOutputs }> {
  const T = ids.length - 1,
    V = tr.data.vocabSize,
    nTop = Math.min(TOP_K_TOKENS, V);
  const kept: tf.Tensor[] = [];
  const keep = (t: tf.Tensor) => (kept.push(tf.keep(t)), kept.length - 1);
  const plan = scoped(() => {
    const input = tf.tensor2d(Int32Array.from(ids.slice(0, T)), [1, T], 'int32');
    const out = lmForward(tr.params, tr.spec.model, input, null, { training: false, seed: 0, route });
    const logp = tf.logSoftmax(out.logits.reshape([T, V]), -1); // [T, V]
    const target = tf.oneHot(tf.tensor1d(Int32Array.from(ids.slice(1)), 'int32'), V).toFloat(); // [T, V]
    const top = tf.topk(logp, nTop); // values, indices [T, nTop]
    const layers = out.layers.map((ly) => {
      const sels: [Side, Selection | undefined][] = [
        ['src', ly.att.src],
        ['dst', ly.att.dst],
        ['mlp', ly.mlp.sel],
      ];
      const u = ly.att.headOutputs; // [1, T, H, dh]
      return {
        headNorm: u ? { at: keep(tf.norm(u, 'euclidean', -1)), H: u.shape[2]! } : undefined, // [1, T, H]
        outNorm: keep(tf.norm(ly.att.out, 'euclidean', -1)), // [1, T]
        attention: maps ? { at: keep(ly.att.probs), H: ly.att.probs.shape[1]! } : undefined, // [1, H, T, T]
        sel: maps
          ? sels
              .filter((e): e is [Side, Selection] => !!e[1])
              .map(([side, s]) => ({
                side,
                idx: keep(s.idx),
                gates: keep(s.gates),
                scores: keep(s.scores),
                shape: s.idx.shape as number[], // [T, G, k]
                E: s.scores.shape[2]!,
              }))
          : [],
      };
    });
    return {
      tokenLoss: keep(tf.neg(tf.sum(tf.mul(logp, target), -1))), // [T]
      topP: keep(tf.exp(top.values)), // [T, nTop]
      topId: keep(top.indices), // [T, nTop]
      layers,
    };
  });
  try {
    const v = yield kept;
    const tokenLoss = Array.from(v[plan.tokenLoss]!);
    const name = (id: number) => tr.data.tokenizer.tokenName(id);
    const outputs: ProbeOutputs = {
      loss: tokenLoss.reduce((a, b) => a + b, 0) / T,
      tokenLoss,
      top: Array.from({ length: T }, (_, t) =>
        Array.from({ length: nTop }, (_, j) => {
          const id = v[plan.topId]![t * nTop + j]!;
          return { id, token: name(id), p: v[plan.topP]![t * nTop + j]! };
        }),
      ),
      attentionNorm: plan.layers.map((ly) => {
        const head = ly.headNorm ? rows(v[ly.headNorm.at]!, T, ly.headNorm.H) : []; // [T][H]
        return {
          head: Array.from({ length: head[0]?.length ?? 0 }, (_, h) => head.map((r) => r[h]!)), // [H][T]
          out: Array.from(v[ly.outNorm]!),
        };
      }),
    };
    if (!maps) return { outputs };
    const layers = plan.layers.map((ly, l): ProbeLayer => {
      const p: ProbeLayer = { layer: l, attention: nest3(v[ly.attention!.at]!, [ly.attention!.H, T, T]) };
      for (const s of ly.sel) {
        const [N, G] = s.shape as [number, number, number];
        const sel: ProbeSelection = {
          scores: nest3(v[s.scores]!, [N, G, s.E]),
          idx: nest3(v[s.idx]!, s.shape),
          gates: nest3(v[s.gates]!, s.shape),
        };
        p[s.side] = sel;
      }
      return p;
    });
    return { layers, outputs };
  } finally {
    tf.dispose(kept);
  }
}

/** The probe of `text`: attention maps, selections and outputs; with interventions, the intervened ones plus the
 *  unintervened outputs as `baseline` (both on the same weights). Throws a ProbeInputError on a text of the wrong
 *  length or an intervention that does not fit the model. */
function* probeReader(tr: Trainer, text: string, opts: ProbeOptions): Reader<ProbeReport> {
  const ids = probeIds(tr, text, opts.truncate);
  const T = ids.length - 1;
  const list = opts.interventions ?? [];
  const route = list.length ? routeHook(planInterventions(tr.spec.model, list, T)) : undefined;
  const main = yield* probeOnce(tr, ids, route, true);
  const name = (id: number) => tr.data.tokenizer.tokenName(id);
  const report: ProbeReport = {
    step: tr.stepCount,
    text,
    tokens: ids.slice(0, T).map(name),
    targets: ids.slice(1).map(name),
    layers: main.layers!,
    outputs: main.outputs,
  };
  if (route) {
    report.interventions = list;
    report.baseline = (yield* probeOnce(tr, ids, undefined, false)).outputs;
  }
  return report;
}

export const probe = (tr: Trainer, text: string, opts: ProbeOptions = {}) => runSync(probeReader(tr, text, opts));
export const probeAsync = (tr: Trainer, text: string, opts: ProbeOptions = {}) => runAsync(probeReader(tr, text, opts));

// The expert atlas: the model (evaluation mode) over the first validation rows, each row on its own (no XL memory,
// as the routing statistics), and per layer, side, head and expert the token types that select it most often, the
// contexts where its gate is highest, and per token type its routing signature. buildAtlas is pure (tested by
// hand); atlasReader runs the model.
import type { AtlasGroup, AtlasReport, SelectionSide } from '../contracts/reports';
import type { Batch } from '../data';
import { readLayers, type SelectionValues } from './routing';
import { ProbeInputError, selectionSites } from './probe-interventions';
import { runAsync, runSync, type Reader } from './readback';
import type { Trainer } from './trainer';

export interface AtlasOptions {
  maxTokens: number; // whole validation rows are read up to this many positions (at least one row)
  topTokens: number; // token types listed per expert
  topContexts: number; // highest-gate contexts listed per expert
  signatureTypes: number; // routing signatures for this many of the most frequent types
}

export const ATLAS_DEFAULTS: AtlasOptions = { maxTokens: 4096, topTokens: 10, topContexts: 8, signatureTypes: 256 };

/** One selection over all positions read: idx/gates [P, G, k] flat. */
export interface AtlasSelection {
  layer: number;
  side: SelectionSide;
  idx: ArrayLike<number>;
  gates: ArrayLike<number>;
  G: number;
  E: number;
  k: number;
}

/** The atlas of selections over the token ids `ids` (P positions, rows of rowLength). */
export function buildAtlas(
  ids: Int32Array,
  rowLength: number,
  selections: AtlasSelection[],
  opts: AtlasOptions,
  tokenName: (id: number) => string,
  meta: { step: number; source: string },
): AtlasReport {
  const P = ids.length;
  const freq = new Map<number, number>();
  for (const id of ids) freq.set(id, (freq.get(id) ?? 0) + 1);
  const types = [...freq.keys()].sort((a, b) => freq.get(b)! - freq.get(a)! || a - b);
  const typeOf = new Map(types.map((id, i) => [id, i]));
  const typeCounts = types.map((id) => freq.get(id)!);
  const S = Math.min(opts.signatureTypes, types.length);
  const posType = Int32Array.from(ids, (id) => typeOf.get(id)!);

  const groups: AtlasGroup[] = [];
  for (const sel of selections)
    for (let g = 0; g < sel.G; g++) {
      const { E, k } = sel;
      const counts = new Array<number>(E).fill(0);
      const byType = Array.from({ length: E }, () => new Map<number, number>());
      const chosen = Array.from({ length: E }, () => [] as { pos: number; gate: number }[]);
      const signature = new Float32Array(S * E);
      const idx = new Int32Array(P * k); // [P, k]
      const gates = new Float32Array(P * k); // [P, k]
      for (let p = 0; p < P; p++) {
        const t = posType[p]!;
        for (let j = 0; j < k; j++) {
          const o = (p * sel.G + g) * k + j;
          const e = sel.idx[o]!;
          idx[p * k + j] = e;
          gates[p * k + j] = sel.gates[o]!;
          counts[e]!++;
          byType[e]!.set(t, (byType[e]!.get(t) ?? 0) + 1);
          chosen[e]!.push({ pos: p, gate: sel.gates[o]! });
          if (t < S) signature[t * E + e]! += 1 / typeCounts[t]!;
        }
      }
      groups.push({
        layer: sel.layer,
        side: sel.side,
        head: g,
        experts: E,
        k,
        counts,
        topTypes: byType.map((m) => {
          const top = [...m.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, opts.topTokens);
          return { type: top.map((x) => x[0]), count: top.map((x) => x[1]) };
        }),
        topContexts: chosen.map((list) => {
          const top = list.sort((a, b) => b.gate - a.gate || a.pos - b.pos).slice(0, opts.topContexts);
          return { pos: top.map((x) => x.pos), gate: top.map((x) => x.gate) };
        }),
        signature,
        idx,
        gates,
      });
    }
  return {
    step: meta.step,
    source: meta.source,
    tokens: P,
    rowLength,
    ids,
    types,
    typeNames: types.map(tokenName),
    typeCounts,
    signatureTypes: S,
    groups,
  };
}

/** The first rows of the validation batches, up to maxTokens positions (at least one row). */
function atlasBatches(tr: Trainer, maxTokens: number): Batch[] {
  const out: Batch[] = [];
  let budget = Math.max(maxTokens, tr.data.valBatches[0]?.seqLen ?? 0);
  for (const b of tr.data.valBatches) {
    const rows = Math.min(b.batchSize, Math.floor(budget / b.seqLen));
    if (rows <= 0) break;
    const n = rows * b.seqLen;
    out.push({ batchSize: rows, seqLen: b.seqLen, input: b.input.slice(0, n), target: b.target.slice(0, n) });
    budget -= n;
  }
  return out;
}

function* atlasReader(tr: Trainer, opts: AtlasOptions): Reader<AtlasReport> {
  if (!selectionSites(tr.spec.model).length)
    throw new ProbeInputError(
      'the atlas needs a model that selects experts: this one has dense attention and a dense MLP',
    );
  const batches = atlasBatches(tr, opts.maxTokens);
  if (!batches.length) throw new ProbeInputError('the atlas needs validation data: this dataset has none');
  const parts: { layer: number; side: SelectionSide; v: SelectionValues }[][] = [];
  for (const b of batches) {
    const layers = yield* readLayers(tr, b, {});
    parts.push(
      layers.flatMap((ly, layer) =>
        (['src', 'dst', 'mlp'] as const).flatMap((side) => (ly[side] ? [{ layer, side, v: ly[side]! }] : [])),
      ),
    );
  }
  const concat = <A extends Int32Array | Float32Array>(arrs: ArrayLike<number>[], make: (n: number) => A): A => {
    const out = make(arrs.reduce((n, a) => n + a.length, 0));
    let o = 0;
    for (const a of arrs) {
      out.set(a, o);
      o += a.length;
    }
    return out;
  };
  const selections: AtlasSelection[] = parts[0]!.map(({ layer, side, v }, i) => ({
    layer,
    side,
    idx: concat(
      parts.map((p) => p[i]!.v.idx),
      (n) => new Int32Array(n),
    ),
    gates: concat(
      parts.map((p) => p[i]!.v.gates),
      (n) => new Float32Array(n),
    ),
    G: v.shape[1]!,
    E: v.E,
    k: v.shape[2]!,
  }));
  const ids = concat(
    batches.map((b) => b.input),
    (n) => new Int32Array(n),
  );
  const T = batches[0]!.seqLen;
  const rows = ids.length / T;
  const source = `the first ${rows} validation row${rows === 1 ? '' : 's'} of ${T} tokens (${ids.length} tokens), each row on its own (no XL memory)`;
  return buildAtlas(ids, T, selections, opts, (id) => tr.data.tokenizer.tokenName(id), {
    step: tr.stepCount,
    source,
  });
}

export const atlas = (tr: Trainer, opts: Partial<AtlasOptions> = {}) =>
  runSync(atlasReader(tr, { ...ATLAS_DEFAULTS, ...opts }));
export const atlasAsync = (tr: Trainer, opts: Partial<AtlasOptions> = {}) =>
  runAsync(atlasReader(tr, { ...ATLAS_DEFAULTS, ...opts }));

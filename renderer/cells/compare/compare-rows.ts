// One row of the Compare cell's table per run: what `npm run compare` shows (engine/node/cli/compare.ts), read
// from what the runs store holds (spec.json, summary.json, the last metric rows): the model in a few words,
// parameters, attention MACs and memory per layer (SPEC §6), attention matrices, final validation loss, bits per
// byte, tokens/s, status, and every spec field as text (for the columns of the fields that differ). Pure.
import { attentionCost, attentionMatrices, countParams, vocabSizeOf } from '../../../engine/cost';
import { ExperimentSpecSchema, type ExperimentSpec } from '../../../engine/spec';

/** What a row is made from (an adapter reads it off a RunEntry; tests build it by hand). */
export interface RunFacts {
  id: string;
  name: string | null; // the listing's name
  status: string; // the phase as words (renderer/runs/status.ts)
  specFile: unknown; // spec.json (RunSpecFile)
  summary: unknown | null; // summary.json
  lastVal: { loss: number; bpb: number } | null; // the last validation row
  lastTrain: { tokens: number; time_s: number } | null; // the last training row
}

export interface CompareRow {
  id: string;
  name: string;
  status: string;
  spec: ExperimentSpec | null; // null: no spec.json this engine can read
  attention: string; // "SH H2 E5 k2", "dense H10", "MoA E16 k4"
  params: number | null;
  macs: number | null; // attention MACs per layer (SPEC §6)
  mem: number | null; // attention memory per layer (floats)
  matrices: number | null; // attention matrices, all layers
  valLoss: number | null;
  bpb: number | null;
  tokensPerS: number | null;
  tokenizer: string | null; // "byte", "BPE 8000", "char"
  dataset: string | null; // what it trains on: "gutenberg", "copy task (length 8, 16 symbols)", a file's path
  tokensPerStep: number | null; // batch × sequence length
  fields: Record<string, string>; // every spec leaf as text, by dotted path ("model.attention.nHeads")
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The attention in a few words, as the UI sketch's table shows it. */
export function attentionLabel(spec: ExperimentSpec): string {
  const a = spec.model.attention;
  if (a.kind === 'dense') return `dense H${a.nHeads}`;
  if (a.kind === 'moa') return `MoA E${a.nExperts} k${a.k}`;
  const mlp = spec.model.mlp.kind === 'sigma-moe' ? ' + σ-MoE' : '';
  return `SH H${a.nHeads} E${a.nExperts} k${a.k}${mlp}`;
}

export function tokenizerLabel(spec: ExperimentSpec): string {
  const t = spec.data.tokenizer;
  return t.kind === 'bpe' ? `BPE ${t.vocabSize}` : t.kind;
}

export function datasetLabel(spec: ExperimentSpec): string {
  const s = spec.data.source;
  if (s.kind === 'corpus') return s.name;
  if (s.kind === 'synthetic')
    return s.task === 'modadd'
      ? `modadd task (p ${s.modulus})`
      : `${s.task} task (length ${s.length}, ${s.symbols} symbols${s.task === 'mixture' ? `, p ${s.modulus}` : ''})`;
  if (s.kind === 'file') return s.path;
  return s.name;
}

/** Every leaf of a spec as text, keyed by its dotted path. */
export function flattenSpec(spec: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    for (const [k, v] of Object.entries(spec)) flattenSpec(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = typeof spec === 'string' ? spec : JSON.stringify(spec);
  return out;
}

function parseSpecOf(specFile: unknown): ExperimentSpec | null {
  const raw = (specFile as { spec?: unknown } | null)?.spec;
  if (!raw || typeof raw !== 'object') return null;
  const r = ExperimentSpecSchema.safeParse(raw);
  return r.success ? r.data : null;
}

export function compareRow(f: RunFacts): CompareRow {
  const spec = parseSpecOf(f.specFile);
  const file = (f.specFile ?? {}) as { vocabSize?: unknown };
  const s = (f.summary ?? null) as {
    params?: unknown;
    valLoss?: unknown;
    bpb?: unknown;
    tokensPerS?: unknown;
  } | null;
  const vocab = num(file.vocabSize) ?? (spec ? vocabSizeOf(spec) : null);
  let params = num(s?.params);
  if (params === null && spec && vocab !== null) params = countParams(spec, vocab).total;
  const cost = spec ? attentionCost(spec) : null;
  const t = f.lastTrain;
  return {
    id: f.id,
    name: f.name ?? spec?.name ?? f.id,
    status: f.status,
    spec,
    attention: spec ? attentionLabel(spec) : '?',
    params,
    macs: cost?.macs ?? null,
    mem: cost?.memFloats ?? null,
    matrices: spec ? attentionMatrices(spec).total : null,
    valLoss: num(s?.valLoss) ?? num(f.lastVal?.loss),
    bpb: num(s?.bpb) ?? num(f.lastVal?.bpb),
    tokensPerS: num(s?.tokensPerS) ?? (t && t.time_s > 0 ? t.tokens / t.time_s : null),
    tokenizer: spec ? tokenizerLabel(spec) : null,
    dataset: spec ? datasetLabel(spec) : null,
    tokensPerStep: spec ? spec.data.batchSize * spec.data.seqLen : null,
    fields: spec ? flattenSpec(spec) : {},
  };
}

/** Fields never shown as a difference: the name is the row's label, the description is prose. */
const NOT_COMPARED = new Set(['name', 'description']);

/** The spec paths whose value differs between the rows (in spec order). */
export function differingFields(rows: readonly CompareRow[]): string[] {
  const withSpec = rows.filter((r) => r.spec);
  if (withSpec.length < 2) return [];
  const paths: string[] = [];
  for (const r of withSpec) for (const p of Object.keys(r.fields)) if (!paths.includes(p)) paths.push(p);
  return paths.filter((p) => !NOT_COMPARED.has(p) && new Set(withSpec.map((r) => r.fields[p] ?? '–')).size > 1);
}

/** A short header for a spec path: its last segment, or the last two where the last is ambiguous. */
export function fieldLabels(paths: readonly string[]): Record<string, string> {
  const last = (p: string, n: number) => p.split('.').slice(-n).join('.');
  const out: Record<string, string> = {};
  for (const p of paths) {
    const clash = paths.some((q) => q !== p && last(q, 1) === last(p, 1));
    out[p] = last(p, clash ? 2 : 1);
  }
  return out;
}

// The common fields of the spec form, by section. Only paths, labels and when a field applies live here: the
// control (choices, bounds, default) is generated from the engine's zod schema by spec-schema.ts.
import { getIn, schemaAt, type Path, type SchemaField } from './spec-schema';

export interface FieldDef {
  path: Path;
  label: string; // the visible label and the control's accessible name
  hint?: string; // a short explanation (tooltip)
  /** Checkboxes shown together under one caption ("MoE on": Q K V O); `short` is each one's visible label. */
  group?: { caption: string; short: string };
  /** Whether the field applies to this spec input (e.g. experts only for MoE attention). Default: always. */
  when?: (spec: unknown) => boolean;
}

export interface Section {
  title: string;
  fields: FieldDef[];
}

const at = (spec: unknown, ...path: string[]) => getIn(spec, path);
const attKind = (s: unknown) => (at(s, 'model', 'attention', 'kind') as string | undefined) ?? 'switchhead';
const isSwitchHead = (s: unknown) => attKind(s) === 'switchhead';
const isMoeAttention = (s: unknown) => attKind(s) !== 'dense';
const isSigmaMoe = (s: unknown) => at(s, 'model', 'mlp', 'kind') === 'sigma-moe';
const sourceKind = (s: unknown) => (at(s, 'data', 'source', 'kind') as string | undefined) ?? 'corpus';
const source = (kind: string) => (s: unknown) => sourceKind(s) === kind;
const synthetic = source('synthetic');

const A = ['model', 'attention'];
const moeOn = (short: string) => ({ caption: 'MoE on', short });
const M = ['model'];
const D = ['data'];

export const SPEC_SECTIONS: Section[] = [
  {
    title: 'Attention',
    fields: [
      {
        path: [...A, 'kind'],
        label: 'attention',
        hint: 'switchhead: MoE value/output projections; dense: standard multi-head; moa: Mixture of Attention heads',
      },
      {
        path: [...A, 'nHeads'],
        label: 'heads',
        hint: 'nHeads: attention heads (attention matrices) per layer',
        when: (s) => attKind(s) !== 'moa',
      },
      { path: [...A, 'dHead'], label: 'd head', hint: 'dHead: width of each head' },
      {
        path: [...A, 'nExperts'],
        label: 'experts',
        hint: 'nExperts: experts per head (SwitchHead) or in total (MoA)',
        when: isMoeAttention,
      },
      {
        path: [...A, 'k'],
        label: 'k active',
        hint: 'k: experts chosen per token and head (MoA: active heads)',
        when: isMoeAttention,
      },
      { path: [...A, 'moe', 'q'], label: 'MoE on Q', group: moeOn('Q'), when: isSwitchHead },
      { path: [...A, 'moe', 'k'], label: 'MoE on K', group: moeOn('K'), when: isSwitchHead },
      { path: [...A, 'moe', 'v'], label: 'MoE on V', group: moeOn('V'), when: isSwitchHead },
      { path: [...A, 'moe', 'o'], label: 'MoE on O', group: moeOn('O'), when: isSwitchHead },
      { path: [...A, 'positions'], label: 'positions', hint: 'rope: rotary; xl: Transformer-XL relative; none' },
      { path: [...A, 'xlMemory'], label: 'XL memory', hint: 'attend to the previous segment (detached)' },
    ],
  },
  {
    title: 'Model',
    fields: [
      { path: [...M, 'dModel'], label: 'd model', hint: 'dModel: residual width' },
      { path: [...M, 'nLayers'], label: 'layers', hint: 'nLayers' },
      { path: [...M, 'dFF'], label: 'd ff', hint: 'dFF: width of the dense MLP', when: (s) => !isSigmaMoe(s) },
      { path: [...M, 'mlp', 'kind'], label: 'MLP', hint: 'dense, or σ-MoE (SwitchAll)' },
      { path: [...M, 'mlp', 'nExperts'], label: 'MLP experts', when: isSigmaMoe },
      { path: [...M, 'mlp', 'k'], label: 'MLP k active', when: isSigmaMoe },
      { path: [...M, 'mlp', 'expertSize'], label: 'MLP expert size', when: isSigmaMoe },
    ],
  },
  {
    title: 'Data',
    fields: [
      {
        path: [...D, 'source', 'kind'],
        label: 'source',
        hint: 'a built-in corpus, your text, a file in the workspace data/ folder, or a synthetic task',
      },
      { path: [...D, 'source', 'name'], label: 'corpus', when: source('corpus') },
      { path: [...D, 'source', 'task'], label: 'task', when: synthetic },
      { path: [...D, 'source', 'length'], label: 'items', hint: 'items per example', when: synthetic },
      { path: [...D, 'source', 'symbols'], label: 'symbols', hint: 'alphabet size', when: synthetic },
      {
        path: [...D, 'source', 'modulus'],
        label: 'modulus',
        when: (s) => synthetic(s) && at(s, 'data', 'source', 'task') === 'modadd',
      },
      {
        path: [...D, 'source', 'path'],
        label: 'file',
        hint: 'a path relative to the workspace data/ folder',
        when: source('file'),
      },
      { path: [...D, 'source', 'text'], label: 'text', when: source('text') },
      { path: [...D, 'tokenizer', 'kind'], label: 'tokenizer' },
      {
        path: [...D, 'tokenizer', 'vocabSize'],
        label: 'vocabulary',
        when: (s) => at(s, 'data', 'tokenizer', 'kind') === 'bpe',
      },
      { path: [...D, 'seqLen'], label: 'sequence length', hint: 'seqLen: tokens per segment (T)' },
      { path: [...D, 'batchSize'], label: 'batch size' },
    ],
  },
  {
    title: 'Training',
    fields: [
      { path: ['train', 'steps'], label: 'steps' },
      { path: ['train', 'lr'], label: 'learning rate', hint: 'peak learning rate (AdamW)' },
      { path: ['train', 'warmupSteps'], label: 'warm-up steps' },
      { path: ['train', 'seed'], label: 'seed' },
    ],
  },
  {
    title: 'Logging',
    fields: [
      { path: ['log', 'evalInterval'], label: 'eval every', hint: 'steps between validation evaluations' },
      { path: ['log', 'routingInterval'], label: 'routing every', hint: 'steps between routing snapshots' },
      { path: ['log', 'probeInterval'], label: 'probe every', hint: 'steps between attention probes' },
      { path: ['log', 'checkpointInterval'], label: 'checkpoint every', hint: 'steps between checkpoints' },
    ],
  },
];

/** A field ready to render: its definition, its generated control and the value the spec gives it. */
export interface ResolvedField extends FieldDef, SchemaField {
  key: string; // dotted path
  value: unknown; // the spec's value, or the schema default when the spec leaves it out
  explicit: boolean; // the spec sets it (not a default)
}

export function resolveFields(spec: unknown, section: Section): ResolvedField[] {
  const out: ResolvedField[] = [];
  for (const f of section.fields) {
    if (f.when && !f.when(spec)) continue;
    const s = schemaAt(f.path, spec);
    if (!s) continue;
    const v = getIn(spec, f.path);
    out.push({
      ...f,
      ...s,
      key: f.path.join('.'),
      value: v === undefined ? s.defaultValue : v,
      explicit: v !== undefined,
    });
  }
  return out;
}

/** What a union's object becomes when its kind changes: the new kind plus what it cannot do without. */
export function unionSwitch(path: Path, kind: string): Record<string, unknown> {
  if (path.join('.') === 'data.source.kind') {
    if (kind === 'synthetic') return { kind, task: 'copy' };
    if (kind === 'text') return { kind, text: '' };
    if (kind === 'file') return { kind, path: '' };
  }
  return { kind };
}

/** Paths whose value is a union's discriminator (changing it replaces the whole object). */
export const UNION_KINDS = new Set(['data.source.kind', 'data.tokenizer.kind']);

const LABELS = new Map(SPEC_SECTIONS.flatMap((s) => s.fields.map((f) => [f.path.join('.'), f.label] as const)));

/** The form label of a dotted spec path, or null when the form does not show it. */
export const labelOf = (path: string): string | null => LABELS.get(path) ?? null;

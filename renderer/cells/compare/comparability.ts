// What can and cannot be compared across a Compare cell's runs, said in words (issue 9: "a compare over runs with
// different tokenizers or tasks says which axes are not comparable"). Loss per token, perplexity and the tokens
// axis depend on the tokenizer; bits per byte does not. Runs on different data (another corpus, a synthetic task)
// have losses that mean different things. Runs that see different tokens per step do not line up by step. Pure.
import type { XAxisKind } from '../../charts/x-axis';
import type { CompareRow } from './compare-rows';
import type { YMetric } from './y-metrics';

export interface Comparability {
  /** One sentence per problem, naming the runs. */
  notes: string[];
  /** y metrics that do not compare across these runs (shown with a mark in the picker). */
  badMetrics: Set<string>;
  /** x axes that do not compare across these runs. */
  badAxes: Set<XAxisKind>;
}

/** "byte: a, b; BPE 8000: c" from rows grouped by a label. */
function groups(rows: readonly CompareRow[], label: (r: CompareRow) => string | null): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const r of rows) {
    const k = label(r);
    if (k === null) continue;
    g.set(k, [...(g.get(k) ?? []), r.name]);
  }
  return g;
}

const describe = (g: Map<string, string[]>) => [...g].map(([k, names]) => `${k}: ${names.join(', ')}`).join('; ');

export function comparability(rows: readonly CompareRow[], metrics: readonly YMetric[]): Comparability {
  const notes: string[] = [];
  const badMetrics = new Set<string>();
  const badAxes = new Set<XAxisKind>();
  const tokenizers = groups(rows, (r) => r.tokenizer);
  const data = groups(rows, (r) => r.dataset);
  const perStep = groups(rows, (r) => (r.tokensPerStep === null ? null : `${r.tokensPerStep} tokens/step`));
  if (data.size > 1) {
    notes.push(
      `These runs train on different data (${describe(data)}): their losses and accuracies measure different ` +
        'things; compare runs of the same data with each other.',
    );
    for (const m of metrics) if (m.dataDependent) badMetrics.add(m.key);
  }
  if (tokenizers.size > 1) {
    notes.push(
      `These runs use different tokenizers (${describe(tokenizers)}): loss per token, perplexity and the tokens ` +
        'axis are not comparable across them; bits per byte is.',
    );
    for (const m of metrics) if (m.perToken) badMetrics.add(m.key);
    badAxes.add('tokens');
  }
  if (perStep.size > 1) {
    notes.push(
      `These runs see different numbers of tokens per step (${describe(perStep)}): steps do not line up; use ` +
        'tokens, wall time or attention MACs on the x axis.',
    );
    badAxes.add('step');
  }
  const synthetic = rows.filter((r) => r.spec?.data.source.kind === 'synthetic').map((r) => r.name);
  if (synthetic.length && synthetic.length < rows.length)
    notes.push(`Bits per byte is not measured on synthetic tasks (${synthetic.join(', ')}).`);
  return { notes, badMetrics, badAxes };
}

// The end-of-run files, as pure string builders (engine core: the CLI and the app write the same ones):
// summary.json (RunSummary), summary.md (what the run was, how it was started, final metrics) and loss.svg.
import { attentionMatrices, costReport, countParams, formatParams } from '../cost';
import type { EvalReport, StepReport } from '../contracts/reports';
import type { RunSpecFile, RunStatus, RunSummary, SummaryStatus } from '../contracts/run-files';
import type { ExperimentSpec } from '../spec';
import { lineChartSvg } from './svg';

/** Where a run stands at its end (or interruption). */
export interface RunEnd {
  status: SummaryStatus;
  backend: string; // the backend that ran the last steps
  step: number;
  tokens: number;
  timeS: number; // training wall time
  error?: RunSummary['error'];
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

export function buildSummary(
  file: RunSpecFile,
  end: RunEnd,
  last: { train: StepReport | null; val: EvalReport | null },
): RunSummary {
  const spec = file.spec;
  const cost = costReport(spec, file.vocabSize);
  const params = countParams(spec, file.vocabSize).total;
  const val = last.val;
  return {
    name: spec.name,
    status: end.status,
    ...(end.error ? { error: end.error } : {}),
    engineVersion: file.engineVersion,
    backend: end.backend,
    steps: end.step,
    tokens: end.tokens,
    trainTimeS: round(end.timeS, 3),
    tokensPerS: round(end.tokens / Math.max(end.timeS, 1e-9), 1),
    final: { train: last.train, val },
    valLoss: val?.loss ?? null,
    bpb: val?.bpb ?? null,
    accuracy: val?.answer_accuracy ?? null,
    tokenAccuracy: val?.accuracy ?? null,
    params,
    paramsPaper: formatParams(params),
    attention: {
      kind: cost.attention.kind,
      formula: cost.attention.formula,
      macsPerLayer: cost.attention.macsPerLayer,
      memFloatsPerLayer: cost.attention.memFloatsPerLayer,
      macsPaper: cost.attention.macsPaper,
      memPaper: cost.attention.memPaper,
    },
    attentionMatrices: attentionMatrices(spec),
    dataset: file.dataset,
  };
}

/** "switchhead H2 d_head 8 E3 k2 on V, O; xl positions + XL memory; d_model 16, 1 layer, d_ff 32, dense MLP" */
export function describeModel(spec: ExperimentSpec): string {
  const m = spec.model,
    a = m.attention;
  const on = (['q', 'k', 'v', 'o'] as const).filter((p) => a.moe[p]).map((p) => p.toUpperCase());
  const att =
    a.kind === 'dense'
      ? `dense attention H${a.nHeads} d_head ${a.dHead}`
      : a.kind === 'moa'
        ? `MoA E${a.nExperts} k${a.k} d_head ${a.dHead}`
        : `SwitchHead H${a.nHeads} d_head ${a.dHead} E${a.nExperts} k${a.k} on ${on.join(', ') || 'nothing'}`;
  const mlp = m.mlp.kind === 'sigma-moe' ? `σ-MoE MLP E${m.mlp.nExperts} k${m.mlp.k}` : 'dense MLP';
  const layers = `${m.nLayers} layer${m.nLayers === 1 ? '' : 's'}`;
  return `${att}; ${a.positions} positions${a.xlMemory ? ' + XL memory' : ''}; d_model ${m.dModel}, ${layers}, d_ff ${m.dFF}, ${mlp}`;
}

export interface MarkdownExtras {
  /** Shown under the status line, e.g. how to resume. */
  notes?: string[];
}

/** summary.md: what the run was, how it was started, where it ended, its final metrics and its loss curve. */
export function summaryMarkdown(
  file: RunSpecFile,
  s: Omit<RunSummary, 'status'> & { status: RunStatus },
  extras: MarkdownExtras = {},
): string {
  const spec = file.spec;
  const n = (x: number | null | undefined, d: number) => (x === null || x === undefined ? '-' : x.toFixed(d));
  const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
  const t = s.final.train,
    v = s.final.val;
  const lines = [
    `# ${spec.name}`,
    '',
    ...(spec.description ? [spec.description, ''] : []),
    `**${s.status}** at step ${s.steps} of ${spec.train.steps}` +
      (s.error ? `: ${s.error.reason}, ${s.error.message}` : '') +
      '.',
    ...(extras.notes?.length ? ['', ...extras.notes] : []),
    '',
    '| | |',
    '|---|---|',
    `| model | ${describeModel(spec)} |`,
    `| parameters | ${s.params.toLocaleString('en-US')} (${s.paramsPaper}) |`,
    `| attention per layer | ${s.attention.macsPerLayer.toLocaleString('en-US')} MACs (${s.attention.macsPaper}), ` +
      `${s.attention.memFloatsPerLayer.toLocaleString('en-US')} floats of memory (${s.attention.memPaper}) ` +
      `(SPEC §6 formula \`${s.attention.formula}\`); ${s.attentionMatrices.perLayer} attention matrices per layer, ` +
      `${s.attentionMatrices.total} in all |`,
    `| data | ${file.dataset}; batch ${spec.data.batchSize} × ${spec.data.seqLen} tokens |`,
    `| training | ${spec.train.steps} steps, lr ${spec.train.lr}, seed ${spec.train.seed} |`,
    `| backend | ${s.backend === file.backend.name ? `${s.backend} (${file.backend.adapter})` : `${s.backend} (started on ${file.backend.name})`} |`,
    `| engine | ${file.engineVersion} |`,
    `| started | ${file.createdAt} |`,
    ...(file.command ? [`| command | \`${file.command}\` |`] : []),
    ...(file.commit ? [`| commit | ${file.commit} |`] : []),
    '',
    '## Final metrics',
    '',
    '| | train | validation |',
    '|---|---|---|',
    `| step | ${t?.step ?? '-'} | ${v?.step ?? '-'} |`,
    `| loss (nats/token) | ${n(t?.loss, 4)} | ${n(v?.loss, 4)} |`,
    ...(v?.bpb !== null && v?.bpb !== undefined ? [`| bits per byte | | ${n(v.bpb, 3)} |`] : []),
    ...(v?.answer_accuracy !== undefined || t?.accuracy !== undefined
      ? [`| answer-token accuracy | ${pct(t?.accuracy)} | ${pct(v?.accuracy)} |`]
      : []),
    ...(v?.answer_accuracy !== undefined ? [`| whole answers right | | ${pct(v.answer_accuracy)} |`] : []),
    '',
    `${s.tokens.toLocaleString('en-US')} training tokens in ${n(s.trainTimeS, 1)} s of training ` +
      `(${n(s.tokensPerS, 0)} tokens/s, evaluation excluded).`,
    '',
    '![loss](loss.svg)',
    '',
  ];
  return lines.join('\n');
}

const MAX_TRAIN_POINTS = 500;

/** Mean over equal step buckets, so that a long run's curve stays a small file. */
function thin(points: [number, number][], max: number): [number, number][] {
  if (points.length <= max) return points;
  const per = points.length / max;
  return Array.from({ length: max }, (_, i) => {
    const part = points.slice(Math.floor(i * per), Math.floor((i + 1) * per));
    const mean = (k: 0 | 1) => part.reduce((a, p) => a + p[k], 0) / part.length;
    return [mean(0), mean(1)];
  });
}

/** loss.svg: training loss (bucket means beyond 500 points) and validation loss against the step. */
export function lossCurveSvg(name: string, train: [number, number][], val: [number, number][]): string {
  return lineChartSvg({
    title: `${name}: loss`,
    xLabel: 'step',
    yLabel: 'loss (nats/token)',
    series: [
      { name: 'train', points: thin(train, MAX_TRAIN_POINTS) },
      { name: 'validation', points: val },
    ],
  });
}

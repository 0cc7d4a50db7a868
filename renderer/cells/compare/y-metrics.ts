// The y metrics a Compare cell can overlay, and the chart series of its runs for one of them: one line per visible
// run, in the run's colour, on the chosen x axis (step, tokens, wall time, or cumulative attention MACs: the run's
// per-step attention MACs × steps). Pure apart from reading the runs' typed-array columns.
import type { SeriesInput } from '../../charts/chart-model';
import type { ValueKind } from '../../charts/format';
import { xAxisChoice, type XAxisKind } from '../../charts/x-axis';
import { runInfo } from '../../panels/run-data';
import type { RunEntry } from '../../state/runs';
import type { RunStyle } from './compare-colors';

export interface YMetric {
  key: string; // saved in the notebook (compare.yMetric)
  label: string; // the picker and the chart title
  table: 'train' | 'val';
  column: string;
  smooth: boolean; // training series are noisy (smoothed, with a min-max band); validation is already a mean
  yKind: ValueKind;
  perToken: boolean; // depends on the tokenizer (not comparable across tokenizers)
  dataDependent: boolean; // depends on the data (not comparable across corpora or tasks)
}

const m = (
  key: string,
  label: string,
  column: string,
  o: Partial<Pick<YMetric, 'yKind' | 'perToken' | 'dataDependent'>> = {},
): YMetric => {
  const table = key.startsWith('train.') ? 'train' : 'val';
  return {
    key,
    label,
    table,
    column,
    smooth: table === 'train',
    yKind: o.yKind ?? 'plain',
    perToken: o.perToken ?? false,
    dataDependent: o.dataDependent ?? true,
  };
};

export const Y_METRICS: readonly YMetric[] = [
  m('val.loss', 'val loss', 'loss', { perToken: true }),
  m('train.ce', 'train loss', 'ce', { perToken: true }),
  m('val.bpb', 'bits per byte', 'bpb'),
  m('val.ppl', 'val perplexity', 'ppl', { perToken: true }),
  m('val.bits_per_token', 'val bits per token', 'bits_per_token', { perToken: true }),
  m('val.answer_accuracy', 'val answer accuracy', 'answer_accuracy', { yKind: 'percent' }),
  m('val.accuracy', 'val token accuracy', 'accuracy', { yKind: 'percent', perToken: true }),
  m('train.accuracy', 'train accuracy', 'accuracy', { yKind: 'percent', perToken: true }),
  m('train.grad_norm', 'gradient norm', 'grad_norm', { dataDependent: false }),
  m('train.lr', 'learning rate', 'lr', { dataDependent: false }),
  m('train.tokens_per_s', 'tokens/s', 'tokens_per_s', { perToken: true, dataDependent: false }),
];

export const DEFAULT_Y_METRIC = 'val.loss';

export const yMetric = (key: string): YMetric => Y_METRICS.find((x) => x.key === key) ?? Y_METRICS[0];

export interface CompareSeries {
  series: SeriesInput[];
  notes: string[]; // runs left out and why
  macsAvailable: boolean;
}

/** One series per run in `runs` (already filtered to the visible ones, in table order) for the metric. */
export function compareSeries(
  runs: readonly { entry: RunEntry; label: string; style: RunStyle }[],
  metric: YMetric,
  xAxis: XAxisKind,
): CompareSeries {
  const choice = xAxisChoice(xAxis);
  const series: SeriesInput[] = [];
  const noMacs: string[] = [];
  const noData: string[] = [];
  let macsAvailable = false;
  for (const { entry: e, label, style } of runs) {
    const info = runInfo(e);
    if (info.macsPerStep !== null) macsAvailable = true;
    if (xAxis === 'macs' && info.macsPerStep === null) {
      noMacs.push(label);
      continue;
    }
    const table = metric.table === 'train' ? e.train : e.val;
    const y = (table.get as (c: string) => Float64Array)(metric.column);
    if (!y || y.length === 0 || !hasFinite(y)) {
      noData.push(label);
      continue;
    }
    const step = table.get('step');
    series.push({
      key: `${e.id}/${metric.table}/${metric.column}`,
      label,
      color: style.color,
      dash: style.dash,
      x: table.get(choice.column),
      xScale: xAxis === 'macs' ? info.macsPerStep! : 1,
      y,
      steps: step,
      smooth: metric.smooth,
      band: metric.smooth,
      exportColumns: { step, tokens: table.get('tokens'), time_s: table.get('time_s') },
      macsPerStep: info.macsPerStep ?? undefined,
    });
  }
  const notes: string[] = [];
  if (noMacs.length) notes.push(`${noMacs.join(', ')}: no attention MACs without a spec, not shown on this axis`);
  if (noData.length) notes.push(`${noData.join(', ')}: no ${metric.label} yet`);
  return { series, notes, macsAvailable };
}

function hasFinite(a: Float64Array): boolean {
  for (let i = a.length - 1; i >= 0; i--) if (Number.isFinite(a[i])) return true;
  return false;
}

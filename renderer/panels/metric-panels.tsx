// The metric panels of a run set: loss (train cross-entropy and validation loss), learning rate, gradient norm, and
// task accuracy for synthetic tasks (answer and token accuracy, and per task when the task is a mixture). Each reads
// the runs' typed-array columns and re-renders on the runs' versions only.
import { memo, useMemo } from 'react';
import type { ChartView } from '../charts/chart-model';
import { MetricChart } from '../charts/metric-chart';
import { runColor } from '../charts/palette';
import { useChartTheme } from '../charts/theme';
import { xAxisChoice } from '../charts/x-axis';
import { entriesOf, metricSeries, runInfo, runLabels, useRunsVersion, type MetricSpec } from './run-data';
import { useChartView, type ViewChange } from './panel-view';

export interface RunsPanelProps {
  runIds: readonly string[];
  colors?: Record<string, string>; // user-chosen run colours (compare cells)
}

const LOSS: MetricSpec[] = [
  { table: 'train', column: 'ce', suffix: 'train', smooth: true, band: true },
  { table: 'val', column: 'loss', suffix: 'val', smooth: false, band: false, dashed: true, colorOffset: 1 },
];

/** Loss: the cell's own view (x-axis, log axes and smoothing are saved with the notebook). */
export const LossPanel = memo(function LossPanel(p: RunsPanelProps & { view: ChartView; onViewChange: ViewChange }) {
  const version = useRunsVersion(p.runIds);
  const mode = useChartTheme().mode;
  const data = useMemo(
    () => metricSeries(p.runIds, LOSS, p.view.xAxis, mode, p.colors),
    // `version` stands for the runs' columns (mutated in place)
    [version, p.view.xAxis, mode, p.colors],
  );
  return (
    <MetricChart
      title="loss"
      series={data.series}
      view={p.view}
      onViewChange={p.onViewChange}
      macsAvailable={data.macsAvailable}
      notes={data.notes}
      emptyText="Waiting for the first step"
    />
  );
});

interface SharedProps extends RunsPanelProps {
  shared: ChartView;
  onShared: ViewChange;
}

function SimpleMetricPanel(
  p: SharedProps & { title: string; metrics: MetricSpec[]; logY?: boolean; smoothing?: number },
) {
  const version = useRunsVersion(p.runIds, true);
  const mode = useChartTheme().mode;
  const [view, onView] = useChartView(p.shared, p.onShared, { logY: p.logY, smoothing: p.smoothing });
  const data = useMemo(
    () => metricSeries(p.runIds, p.metrics, view.xAxis, mode, p.colors),
    // `version` stands for the runs' columns (mutated in place)
    [version, view.xAxis, mode, p.colors, p.metrics],
  );
  return (
    <MetricChart
      title={p.title}
      series={data.series}
      view={view}
      onViewChange={onView}
      macsAvailable={data.macsAvailable}
      notes={data.notes}
      yKind="plain"
    />
  );
}

const LR: MetricSpec[] = [{ table: 'train', column: 'lr', suffix: 'lr', smooth: false, band: false }];
const GRAD: MetricSpec[] = [
  { table: 'train', column: 'grad_norm', suffix: 'grad norm', smooth: true, band: true, colorOffset: 2 },
];

export const LearningRatePanel = memo(function LearningRatePanel(p: SharedProps) {
  return <SimpleMetricPanel {...p} title="learning rate" metrics={LR} />;
});

export const GradNormPanel = memo(function GradNormPanel(p: SharedProps) {
  return <SimpleMetricPanel {...p} title="gradient norm (before clipping)" metrics={GRAD} logY smoothing={0.6} />;
});

const UNIT_RANGE: [number, number] = [0, 1];

const ACCURACY: MetricSpec[] = [
  { table: 'train', column: 'accuracy', suffix: 'train answer', smooth: true, band: true },
  {
    table: 'val',
    column: 'answer_accuracy',
    suffix: 'val answer',
    smooth: false,
    band: false,
    dashed: true,
    colorOffset: 1,
  },
  { table: 'val', column: 'accuracy', suffix: 'val token', smooth: false, band: false, dashed: true, colorOffset: 2 },
];

/** Accuracy for synthetic tasks: answer and token accuracy, and per task (val) when the runs report tasks. */
export const AccuracyPanel = memo(function AccuracyPanel(p: SharedProps) {
  const version = useRunsVersion(p.runIds, true);
  const mode = useChartTheme().mode;
  const [view, onView] = useChartView(p.shared, p.onShared, { smoothing: 0.6 });
  const data = useMemo(() => {
    const base = metricSeries(p.runIds, ACCURACY, view.xAxis, mode, p.colors);
    const entries = entriesOf(p.runIds);
    const labels = runLabels(entries.map(runInfo));
    const single = entries.length === 1;
    const choice = xAxisChoice(view.xAxis);
    entries.forEach((e, r) => {
      const tasks = Object.keys(e.valTasks ?? {}).sort();
      if (tasks.length < 2) return; // one task: the val answer line says it already
      const macs = runInfo(e).macsPerStep;
      if (view.xAxis === 'macs' && macs === null) return;
      tasks.forEach((t, ti) => {
        const c = e.valTasks[t];
        base.series.push({
          key: `${e.id}/task/${t}`,
          label: single ? `val ${t}` : `${labels[r]} val ${t}`,
          color: runColor(single ? 3 + ti : p.runIds.indexOf(e.id), mode),
          dash: '2 3',
          x: c.get(choice.column),
          xScale: view.xAxis === 'macs' ? macs! : 1,
          y: c.get('accuracy'),
          steps: c.get('step'),
          smooth: false,
          band: false,
          exportColumns: { step: c.get('step'), tokens: c.get('tokens'), time_s: c.get('time_s') },
        });
      });
    });
    return base;
    // `version` stands for the runs' columns (mutated in place)
  }, [version, view.xAxis, mode, p.colors]);
  return (
    <MetricChart
      title="task accuracy"
      series={data.series}
      view={view}
      onViewChange={onView}
      macsAvailable={data.macsAvailable}
      notes={data.notes}
      yKind="percent"
      yDomain={UNIT_RANGE}
      emptyText="Waiting for the first step"
    />
  );
});

// The live panels under an Experiment cell (or any set of runs): a responsive grid of equal small charts, W&B style.
// Loss, learning rate, gradient norm, task accuracy (synthetic tasks only), then routing for the newest run. The
// view (x-axis, log axes, smoothing, routing layer and side) is the cell's, saved in the notebook; without an owner
// the grid keeps its own.
import { memo, useMemo } from 'react';
import { ensureChartStyles } from '../charts/styles';
import { AccuracyPanel, GradNormPanel, LearningRatePanel, LossPanel } from './metric-panels';
import { useOwnedView, type PanelsView, type ViewChange } from './panel-view';
import { RoutingHealthPanels } from './routing-health-panel';
import { RoutingPanels } from './routing-panel';
import { entriesOf, runInfo, useRunsVersion } from './run-data';

export interface PanelGridProps {
  runIds: readonly string[]; // oldest first; routing is shown for the last one
  view?: PanelsView;
  onViewChange?: ViewChange;
  colors?: Record<string, string>;
  label?: string; // accessible name of the grid
}

export const PanelGrid = memo(function PanelGrid(p: PanelGridProps) {
  ensureChartStyles();
  const [view, onViewChange] = useOwnedView(p.view, p.onViewChange);
  const version = useRunsVersion(p.runIds, true);
  const hasAccuracy = useMemo(
    () => entriesOf(p.runIds).some((e) => runInfo(e).synthetic !== null || hasFinite(e.train.get('accuracy'))),
    [version], // `version` stands for the runs' data
  );
  if (p.runIds.length === 0)
    return (
      <p className="swc-panel-note" role="note">
        No runs yet: press Run to train this spec. Its loss, learning rate and routing appear here as it trains.
      </p>
    );
  const routingRun = p.runIds[p.runIds.length - 1];
  const shared = { shared: view, onShared: onViewChange, runIds: p.runIds, colors: p.colors };
  return (
    <section className="swc-grid" aria-label={p.label ?? 'Run panels'}>
      <LossPanel runIds={p.runIds} colors={p.colors} view={view} onViewChange={onViewChange} />
      <LearningRatePanel {...shared} />
      <GradNormPanel {...shared} />
      {hasAccuracy && <AccuracyPanel {...shared} />}
      <RoutingPanels runId={routingRun} view={view} onViewChange={onViewChange} />
      <RoutingHealthPanels runId={routingRun} layer={view.routingLayer} side={view.routingSide} />
    </section>
  );
});

function hasFinite(a: Float64Array): boolean {
  for (let i = a.length - 1; i >= 0; i--) if (Number.isFinite(a[i])) return true;
  return false;
}

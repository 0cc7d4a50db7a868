// The panels' settings. The Experiment cell keeps one view in the notebook (x-axis, log x/y, smoothing, routing
// layer and side: what a reload restores). The loss chart shows and edits that view; every other chart shares its
// x-axis and log x (so the curves line up across the grid) and keeps its own log y and smoothing.
import { useCallback, useMemo, useState } from 'react';
import type { ChartView } from '../charts/chart-model';
import type { RoutingSide } from './routing-data';

export interface PanelsView extends ChartView {
  routingLayer: number;
  routingSide: RoutingSide;
}

export const DEFAULT_PANELS_VIEW: PanelsView = {
  xAxis: 'step',
  logX: false,
  logY: false,
  smoothing: 0.6,
  routingLayer: 0,
  routingSide: 'src',
};

export type ViewChange = (patch: Partial<PanelsView>) => void;

/** The view given by the owner, or one kept here when the owner gives none (standalone use). */
export function useOwnedView(view: PanelsView | undefined, onChange: ViewChange | undefined): [PanelsView, ViewChange] {
  const [own, setOwn] = useState<PanelsView>(DEFAULT_PANELS_VIEW);
  const change = useCallback<ViewChange>(
    (patch) => (onChange ? onChange(patch) : setOwn((v) => ({ ...v, ...patch }))),
    [onChange],
  );
  return [view ?? own, change];
}

/** A chart's own view: shared x-axis and log x, its own log y and smoothing (starting from `initial`). */
export function useChartView(
  shared: ChartView,
  onShared: ViewChange,
  initial: { logY?: boolean; smoothing?: number },
): [ChartView, (patch: Partial<ChartView>) => void] {
  const [local, setLocal] = useState({ logY: initial.logY ?? false, smoothing: initial.smoothing ?? 0 });
  const view = useMemo<ChartView>(
    () => ({ xAxis: shared.xAxis, logX: shared.logX, logY: local.logY, smoothing: local.smoothing }),
    [shared.xAxis, shared.logX, local.logY, local.smoothing],
  );
  const change = useCallback(
    (patch: Partial<ChartView>) => {
      const { xAxis, logX, logY, smoothing } = patch;
      if (xAxis !== undefined || logX !== undefined)
        onShared({ ...(xAxis !== undefined && { xAxis }), ...(logX !== undefined && { logX }) });
      if (logY !== undefined || smoothing !== undefined)
        setLocal((l) => ({ logY: logY ?? l.logY, smoothing: smoothing ?? l.smoothing }));
    },
    [onShared],
  );
  return [view, change];
}

// Routing over time for one run: pick a layer, a side (source V / destination O / σ-MoE MLP) and a head; see each
// expert's usage share as a stacked area (expert e keeps its place and colour at every step), and the head's
// normalised usage entropy and dead-expert fraction. Dense runs have no experts: one line says so, no empty axes.
import { memo, useDeferredValue, useMemo, useState } from 'react';
import type { ChartView, SeriesInput } from '../charts/chart-model';
import { MetricChart } from '../charts/metric-chart';
import { expertColor, runColor } from '../charts/palette';
import { StackedChart, type StackedInput } from '../charts/stacked-chart';
import { useChartTheme } from '../charts/theme';
import { formatValue } from '../charts/format';
import { useRuns } from '../state/runs';
import {
  lookupByStep,
  routingColumns,
  routingSlots,
  sideLabel,
  sideShort,
  type RoutingColumns,
  type RoutingSide,
} from './routing-data';
import { runInfo } from './run-data';
import { useChartView, type PanelsView, type ViewChange } from './panel-view';

const UNIT_RANGE: [number, number] = [0, 1];

export interface RoutingPanelsProps {
  runId: string;
  view: PanelsView;
  onViewChange: ViewChange;
}

/** The picker row and the two routing charts (grid items of the panel grid). */
export const RoutingPanels = memo(function RoutingPanels({ runId, view, onViewChange }: RoutingPanelsProps) {
  // routing rows arrive every routingInterval steps: re-render for them (and for the spec), not for every metric
  // batch; on the wall-time axis the training rows place them, so that axis follows the run's version too
  const version = useRoutingVersion(runId, view.xAxis === 'time');
  const mode = useChartTheme().mode;
  const [head, setHead] = useState(0);
  const [healthView, onHealthView] = useChartView(view, onViewChange, {});
  const e = useRuns.getState().runs[runId];
  const info = e ? runInfo(e) : null;
  const reports = e?.routing ?? [];
  // `version` stands for the run's data (mutated in place)
  const slots = useMemo(() => routingSlots(reports), [version]);
  const slot =
    slots.find((s) => s.layer === view.routingLayer && s.side === view.routingSide) ??
    slots.find((s) => s.layer === view.routingLayer) ??
    slots[0];
  const h = slot ? Math.min(head, slot.nHeads - 1) : 0;

  const cols = useMemo(
    () => (slot ? routingColumns(reports, slot.layer, slot.side, h) : null),
    [version, slot?.layer, slot?.side, h],
  );
  const x = useMemo(
    () => (cols && e ? xColumn(cols, e.train, view.xAxis, info?.macsPerStep ?? null) : null),
    [cols, view.xAxis],
  );
  const stacked = useMemo<StackedInput>(
    () => ({
      x: x?.x ?? new Float64Array(0),
      xScale: x?.xScale,
      layers: cols
        ? cols.share.map((values, ex) => ({
            key: `e${ex}`,
            label: `expert ${ex}`,
            color: expertColor(ex, cols.nExperts, mode),
            values,
          }))
        : [],
      exportColumns: cols ? { step: cols.step, tokens: cols.tokens } : undefined,
    }),
    [x, cols, mode],
  );
  const health = useMemo<SeriesInput[]>(() => {
    if (!cols || !x) return [];
    const base = { x: x.x, xScale: x.xScale, steps: cols.step, smooth: false, band: false };
    const exportColumns = { step: cols.step, tokens: cols.tokens };
    return [
      {
        ...base,
        key: `${runId}/entropy`,
        label: 'usage entropy (1 = uniform)',
        color: runColor(0, mode),
        y: cols.entropy,
        exportColumns,
      },
      {
        ...base,
        key: `${runId}/dead`,
        label: 'dead experts (fraction)',
        color: runColor(1, mode),
        y: cols.dead,
        exportColumns,
      },
    ];
  }, [cols, x, mode, runId]);

  if (info?.hasRouting === false && reports.length === 0)
    return (
      <p className="swc-panel-note" role="note">
        Dense attention with a dense MLP: no experts, so there is no routing to show for this run.
      </p>
    );
  const waiting = `Waiting for the first routing report${info?.routingInterval ? ` (every ${info.routingInterval} steps)` : ''}`;
  const where = slot ? `L${slot.layer} ${sideShort(slot)} · head ${h}` : '';
  const notes = x?.note ? [x.note] : [];
  return (
    <>
      <div className="swc-picker swc-panel-wide" role="group" aria-label="Routing selection">
        <strong>Routing</strong>
        {slot && (
          <>
            <label>
              layer{' '}
              <select
                aria-label="Routing layer"
                value={slot?.layer ?? ''}
                disabled={!slot}
                onChange={(ev) => onViewChange({ routingLayer: Number(ev.target.value) })}
              >
                {[...new Set(slots.map((s) => s.layer))].map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <label>
              side{' '}
              <select
                aria-label="Routing side"
                value={slot?.side ?? ''}
                disabled={!slot}
                onChange={(ev) => onViewChange({ routingSide: ev.target.value as RoutingSide })}
              >
                {slots
                  .filter((s) => s.layer === slot?.layer)
                  .map((s) => (
                    <option key={s.side} value={s.side}>
                      {sideLabel(s)}
                    </option>
                  ))}
              </select>
            </label>
            <label>
              head{' '}
              <select
                aria-label="Routing head"
                value={h}
                disabled={!slot}
                onChange={(ev) => setHead(Number(ev.target.value))}
              >
                {Array.from({ length: slot?.nHeads ?? 0 }, (_, i) => (
                  <option key={i} value={i}>
                    {i}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {cols && cols.n > 0 && <LatestStats cols={cols} />}
      </div>
      <StackedChart
        title={`expert usage${where ? ` · ${where}` : ''}`}
        input={stacked}
        view={healthView}
        onViewChange={onHealthView}
        macsAvailable={info?.macsPerStep != null}
        emptyText={waiting}
        notes={notes}
      />
      <MetricChart
        title={`routing health${where ? ` · ${where}` : ''}`}
        series={health}
        view={healthView}
        onViewChange={onHealthView}
        controls={{ smoothing: false }}
        macsAvailable={info?.macsPerStep != null}
        yDomain={UNIT_RANGE}
        emptyText={waiting}
        notes={notes}
      />
    </>
  );
});

/** A key that changes when the run's routing rows (or its spec or listing) change; with `everyRow`, on every
 *  version of the run. Taken in a transition, like the other secondary panels. */
function useRoutingVersion(runId: string, everyRow: boolean): string {
  const key = useRuns((s) => {
    const e = s.runs[runId];
    if (!e) return '';
    const last = e.routing[e.routing.length - 1];
    return everyRow ? `v${e.version}` : `${e.routing.length}:${last?.step ?? ''}:${e.specFile ? 1 : 0}`;
  });
  return useDeferredValue(key);
}

/** The newest report's numbers for the picked head, as text (readable without hovering). */
function LatestStats({ cols }: { cols: RoutingColumns }) {
  const i = cols.n - 1;
  let top = 0;
  for (let e = 1; e < cols.nExperts; e++) if (cols.share[e][i] > cols.share[top][i]) top = e;
  const dead = Math.round(cols.dead[i] * cols.nExperts);
  return (
    <span className="swc-stats" aria-label="Latest routing statistics">
      <span>
        step <b>{formatValue(cols.step[i], 'count')}</b>
      </span>
      <span>
        entropy <b>{formatValue(cols.entropy[i])}</b>
      </span>
      <span>
        dead{' '}
        <b>
          {Number.isFinite(dead) ? dead : '–'}/{cols.nExperts}
        </b>
      </span>
      <span>
        top expert{' '}
        <b>
          {top} ({formatValue(cols.share[top]?.[i], 'percent')})
        </b>
      </span>
    </span>
  );
}

/** The x column of routing rows for an axis: steps and tokens are in the reports; wall time comes from the training
 *  rows; attention MACs are steps x MACs per step. */
function xColumn(
  cols: RoutingColumns,
  train: { get(c: 'step' | 'time_s'): Float64Array },
  axis: ChartView['xAxis'],
  macs: number | null,
): { x: ArrayLike<number>; xScale?: number; note?: string } {
  if (axis === 'tokens') return { x: cols.tokens };
  if (axis === 'time') return { x: lookupByStep(cols.step, train.get('step'), train.get('time_s')) };
  if (axis === 'macs') {
    if (macs === null) return { x: new Float64Array(0), note: 'no attention MACs without the run’s spec' };
    return { x: cols.step, xScale: macs };
  }
  return { x: cols.step };
}

// The Atlas tab of an Inspect cell: the run picker, the expert atlas of the run's model (its live worker while this
// page trains it, else its newest checkpoint), and below it the run's routing health over time (the same panels as
// under an Experiment cell, for the cell's layer and a side picked here).
import { memo, useMemo, useState } from 'react';
import type { SelectionSide } from '../../../../engine/contracts/reports';
import { RoutingHealthPanels } from '../../../panels/routing-health-panel';
import { routingSlots, sideLabel } from '../../../panels/routing-data';
import { ensureChartStyles } from '../../../charts/styles';
import { notebookActions, useCell } from '../../../state/notebook';
import type { CellId, InspectCell } from '../../../state/notebook-schema';
import { useRuns } from '../../../state/runs';
import { RunPicker } from '../lens-controls';
import { useInspectRequest } from '../walkthrough/use-inspect-request';
import { ExpertAtlas } from './atlas-view';

/** Pick a run for the cell (as the Lens tab does: layer, head, step and text start over). */
export function pickInspectRun(id: CellId, runId: string): void {
  notebookActions.update<InspectCell>(id, { runId, step: null, layer: 0, head: 0, probeText: null });
}

/** Where the answers come from, in words. */
export function sourceWords(s: { source: 'live' | 'checkpoint' | null; step: number | null }): string {
  if (s.source === 'live') return 'the live model (this page trains the run)';
  if (s.source === 'checkpoint') return `its checkpoint at step ${s.step?.toLocaleString('en-US')}`;
  return '';
}

export function AtlasTab({ id }: { id: CellId }) {
  const cell = useCell(id) as InspectCell | undefined;
  const runId = cell?.kind === 'inspect' ? cell.runId : null;
  const client = useInspectRequest(runId);
  if (cell?.kind !== 'inspect') return null;
  return (
    <div className="at-tab">
      <div className="lens-controls">
        <RunPicker value={runId} onChange={(r) => pickInspectRun(id, r)} />
        {client.source && <span className="at-muted">answers from {sourceWords(client)}</span>}
      </div>
      {runId === null ? (
        <p className="lens-hint">Pick a run of the workspace to see which tokens choose each of its experts.</p>
      ) : (
        <>
          {client.error && (
            <p className="callout callout-warning" role="alert">
              {client.error}
            </p>
          )}
          <ExpertAtlas key={runId} runId={runId} request={client.request} layer={cell.layer} head={cell.head} />
          <HealthSection runId={runId} layer={cell.layer} />
        </>
      )}
    </div>
  );
}

const HealthSection = memo(function HealthSection({ runId, layer }: { runId: string; layer: number }) {
  ensureChartStyles();
  const rows = useRuns((s) => s.runs[runId]?.routing.length ?? 0);
  const slots = useMemo(() => routingSlots(useRuns.getState().runs[runId]?.routing ?? []), [runId, rows]);
  const [side, setSide] = useState<SelectionSide>('src');
  const layerSlots = slots.filter((s) => s.layer === layer);
  return (
    <details className="at-health" open>
      <summary>Routing health over time</summary>
      {layerSlots.length > 1 && (
        <label className="at-controls">
          side{' '}
          <select aria-label="Health side" value={side} onChange={(e) => setSide(e.target.value as SelectionSide)}>
            {layerSlots.map((s) => (
              <option key={s.side} value={s.side}>
                {sideLabel(s)}
              </option>
            ))}
          </select>
        </label>
      )}
      <div className="swc-grid">
        <RoutingHealthPanels runId={runId} layer={layer} side={side} />
      </div>
    </details>
  );
});

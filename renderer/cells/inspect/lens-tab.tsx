// The Lens tab of an Inspect cell: the controls (run, layer, head, step, probe text), the routing lens of the chosen
// probe, the hovered token's readout, and counterfactual routing. The cell's document holds the run, text, layer, head
// and step (saved, undoable); interventions and the hovered token are view state.
import { useCallback, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import type { RunSpecFile } from '../../../engine/contracts/run-files';
import { stepIndex } from '../../canvas/hit-test';
import { useElementSize } from '../../charts/use-size';
import { useChartTheme } from '../../charts/theme';
import { notebookActions, useCell } from '../../state/notebook';
import type { CellId, InspectCell } from '../../state/notebook-schema';
import { useRuns } from '../../state/runs';
import { InterventionMenu, type InterventionTarget } from './intervention-menu';
import { CounterfactualPanel } from './counterfactual-panel';
import { HoverReadout } from './hover-readout';
import { addIntervention, expertChange } from './interventions';
import { lensColors } from './lens-colors';
import { IndexPicker, ProbeTextField, RunPicker, StepScrubber } from './lens-controls';
import { probeShape, selectionGrid } from './lens-data';
import { hoveredToken, hoverStore, lensActions, useInterventions, useLensState } from './lens-state';
import { LensView, type PickedCell } from './lens-view';
import { positionIndex, probeSource, stepPositions } from './step-positions';
import { sideNames } from './token-routing';
import { LensMessage } from './lens-message';
import { useLensProbe } from './use-lens-probe';

/** How often "now" asks a training run's worker again. */
export const LIVE_REFRESH_MS = 3000;

const update = (id: CellId, fields: Partial<Omit<InspectCell, 'id' | 'kind'>>) =>
  notebookActions.update<InspectCell>(id, fields);

export function LensTab({ id }: { id: CellId }) {
  const cell = useCell(id) as InspectCell | undefined;
  if (cell?.kind !== 'inspect') return null;
  const pickRun = (runId: string) => {
    lensActions.setInterventions(id, []);
    hoverStore(id).set({ row: null, col: null });
    update(id, { runId, step: null, layer: 0, head: 0, probeText: null });
  };
  return (
    <div className="lens-tab">
      {cell.runId === null ? (
        <>
          <div className="lens-controls">
            <RunPicker value={null} onChange={pickRun} />
          </div>
          <p className="lens-hint">
            Pick a run of the workspace (trained here or with the CLI) to look inside its routing.
          </p>
        </>
      ) : (
        <RunLens id={id} cell={cell} runId={cell.runId} onRun={pickRun} />
      )}
    </div>
  );
}

function useLiveRefresh(active: boolean): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setTick((t) => t + 1), LIVE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [active]);
  return tick;
}

function RunLens({
  id,
  cell,
  runId,
  onRun,
}: {
  id: CellId;
  cell: InspectCell;
  runId: string;
  onRun: (r: string) => void;
}) {
  const listing = useRuns((s) => s.runs[runId]?.listing ?? null);
  const specFile = useRuns((s) => s.runs[runId]?.specFile ?? null) as RunSpecFile | null;
  const liveState = useRuns((s) => s.runs[runId]?.live?.state ?? null);
  const live = liveState === 'running' || liveState === 'paused';
  const positions = useMemo(() => stepPositions(listing, live), [listing, live]);
  const index = positionIndex(positions, cell.step);
  const position = positions[index];
  const interventions = useInterventions(id);
  const allowCompute = useLensState((s) => s.computeOk[id] === runId);
  const refresh = useLiveRefresh(position?.step === null && liveState === 'running');
  const probe = useLensProbe({
    runId,
    position,
    text: cell.probeText,
    specText: specFile?.spec?.log?.probeText ?? null,
    newestSaved: listing?.probes.length ? Math.max(...listing.probes) : null,
    interventions,
    hasSavedProbes: (listing?.probes.length ?? 0) > 0,
    allowCompute,
    refresh,
  });
  const report = probe.report;
  const nLayers = report?.layers.length ?? specFile?.spec?.model?.nLayers ?? 1;
  const layer = Math.min(cell.layer, nLayers - 1);
  const nHeads = report?.layers[layer]?.attention.length ?? specFile?.spec?.model?.attention?.nHeads ?? 1;
  const head = Math.min(cell.head, nHeads - 1);
  const names = useMemo(() => sideNames(specFile?.spec?.model?.attention), [specFile]);
  const colors = lensColors(useChartTheme());
  const hover = hoverStore(id);
  const [sizeRef, size] = useElementSize<HTMLDivElement>();
  const [menu, setMenu] = useState<InterventionTarget | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);

  const onPick = useCallback(
    (c: PickedCell) => {
      if (!report) return;
      const g = selectionGrid(report, layer, c.side, head);
      if (!g) return;
      const i = c.token * g.E + c.expert;
      setMenu({ ...c, sideName: names[c.side], layer, head: g.group, score: g.scores[i], chosen: !!g.chosen[i] });
    },
    [report, layer, head, names],
  );
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const T = report?.tokens.length ?? 0;
    const delta = { ArrowLeft: -1, ArrowUp: -1, ArrowRight: 1, ArrowDown: 1 }[e.key];
    if ((delta === undefined && e.key !== 'Home' && e.key !== 'End') || T === 0) return;
    e.preventDefault();
    e.stopPropagation();
    const t = e.key === 'Home' ? 0 : e.key === 'End' ? T - 1 : stepIndex(hoveredToken(hover.get()), delta!, T);
    hover.set({ row: t, col: t });
  };
  const counterfactual = interventions.length > 0;
  const blocked = probeSource(position, cell.probeText === null, true);
  const cfDisabled = blocked.kind === 'none' ? blocked.reason : null;
  const phase =
    probe.status === 'loading'
      ? 'probing…'
      : probe.source.kind === 'live' && report
        ? `live model · step ${report.step.toLocaleString('en-US')}`
        : null;

  return (
    <>
      <div className="lens-controls">
        <RunPicker value={runId} onChange={onRun} />
        <IndexPicker
          label="layer"
          prefix="L"
          value={layer}
          count={nLayers}
          onChange={(v) => update(id, { layer: v })}
        />
        <IndexPicker label="head" prefix="h" value={head} count={nHeads} onChange={(v) => update(id, { head: v })} />
        <StepScrubber
          positions={positions}
          index={index}
          onChange={(i) => update(id, { step: i === positions.length - 1 ? null : positions[i].step })}
        />
        <span className="lens-status" aria-live="polite">
          {phase}
        </span>
      </div>
      <ProbeTextField
        text={cell.probeText ?? probe.text ?? ''}
        own={cell.probeText === null}
        onApply={(text) => update(id, { probeText: text })}
      />
      <LensMessage
        probe={probe}
        onCompute={() => lensActions.allowCompute(id, runId)}
        onCut={(text) => update(id, { probeText: text })}
      />
      <div
        ref={sizeRef}
        hidden={!report && probe.status !== 'loading'}
        className={`lens${counterfactual ? ' lens-cf' : ''}`}
        tabIndex={0}
        role="group"
        aria-label="Routing lens"
        aria-busy={probe.status === 'loading'}
        data-step={report?.step ?? ''}
        data-counterfactual={counterfactual || undefined}
        onKeyDown={onKey}
      >
        {counterfactual && (
          <span className="lens-cf-badge" role="status">
            counterfactual · {interventions.length} intervention{interventions.length === 1 ? '' : 's'}
          </span>
        )}
        {report && size.width > 0 && (
          <LensView
            report={report}
            baseline={counterfactual ? probe.baseline : null}
            layer={layer}
            head={head}
            width={size.width - 24}
            names={names}
            colors={colors}
            hover={hover}
            onPick={onPick}
            exportRun={runId}
          />
        )}
      </div>
      {report && <HoverReadout report={report} names={names} layer={layer} head={head} hover={hover} />}
      {report && probeShape(report).layers.some((l) => l.sides.length > 0) && (
        <CounterfactualPanel
          id={id}
          list={interventions}
          tokens={report.tokens}
          report={counterfactual && report.interventions ? report : null}
          names={names}
          layer={layer}
          head={head}
          hover={hover}
          busy={probe.status === 'loading'}
          disabled={cfDisabled}
        />
      )}
      {menu && report && (
        <InterventionMenu
          target={menu}
          tokens={report.tokens}
          onClose={closeMenu}
          onChoose={(kind, position) =>
            lensActions.setInterventions(
              id,
              addIntervention(
                interventions,
                expertChange(
                  kind,
                  { layer: menu.layer, side: menu.side, head: menu.head, expert: menu.expert },
                  position,
                ),
              ),
            )
          }
        />
      )}
    </>
  );
}

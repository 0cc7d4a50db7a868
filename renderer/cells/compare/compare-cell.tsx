// The Compare cell (issue 9, UI sketch "Compare cell"): runs of the workspace, the app's and the CLI's, overlaid on
// one chart (y metric, x axis step / tokens / wall time / attention MACs, smoothing, log axes: the chart's toolbar),
// with the run table as its legend (sort, filter, hide, recolour, colour by a column). Says which axes do not
// compare across the runs. One click sets up the paper's comparison at CPU scale. Everything it shows is saved in
// the notebook and undoable.
import './compare.css';
import { memo, useCallback, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ChartView } from '../../charts/chart-model';
import { MetricChart } from '../../charts/metric-chart';
import type { ThemeMode } from '../../charts/palette';
import { useChartTheme } from '../../charts/theme';
import { xAxisChoice } from '../../charts/x-axis';
import { runLabels, runInfo, useRunsVersion } from '../../panels/run-data';
import { phaseOf, PHASE_WORDS } from '../../runs/status';
import { getDoc, notebookActions, useNotebook, useReadOnly } from '../../state/notebook';
import type { CellDoc, CellId } from '../../state/notebook-schema';
import { useRuns, type RunEntry } from '../../state/runs';
import { comparability } from './comparability';
import { runColoring } from './compare-colors';
import { cellRunIds, withoutRun, type CompareDoc } from './compare-doc';
import { compareRow, type CompareRow } from './compare-rows';
import { compareColumns, filterRows, nextSort, sortRows } from './compare-table';
import { CompareToolbar, EmptyCompare } from './compare-toolbar';
import { RunTable } from './run-table';
import { compareSeries, Y_METRICS, yMetric } from './y-metrics';

const lastOf = (a: Float64Array) => (a.length ? a[a.length - 1] : NaN);

/** A run's table row from what the runs store holds. */
export function rowOfEntry(e: RunEntry): CompareRow {
  const val = e.val.length ? { loss: lastOf(e.val.get('loss')), bpb: lastOf(e.val.get('bpb')) } : null;
  const train = e.train.length
    ? { tokens: lastOf(e.train.get('tokens')), time_s: lastOf(e.train.get('time_s')) }
    : null;
  return compareRow({
    id: e.id,
    name: e.listing?.name ?? null,
    status: PHASE_WORDS[phaseOf(e)],
    specFile: e.specFile,
    summary: e.summary,
    lastVal: val,
    lastTrain: train,
  });
}

function update(id: CellId, fields: Partial<CompareDoc>, group: string | null = null): void {
  notebookActions.update<CompareDoc>(id, fields as Partial<CompareDoc>, group);
}

/** Everything the cell draws, from its document, the runs it shows and the theme (also the report's source). */
export function buildCompareModel(c: CompareDoc, runIds: string[], mode: ThemeMode) {
  const runs = useRuns.getState().runs;
  const entries = runIds.map((r) => runs[r]).filter((e): e is RunEntry => !!e);
  const rows = entries.map(rowOfEntry);
  const labelList = runLabels(entries.map(runInfo));
  const labels = Object.fromEntries(entries.map((e, i) => [e.id, labelList[i]]));
  const columns = compareColumns(rows);
  const sorted = sortRows(filterRows(rows, columns, c.filter ?? ''), columns, c.sort);
  const coloring = runColoring(rows, runIds, c.colors, c.colorBy ?? 'run', columns, mode);
  const hidden = new Set(c.hidden);
  const metric = yMetric(c.yMetric);
  const visible = sorted
    .filter((r) => !hidden.has(r.id))
    .map((r) => ({ entry: runs[r.id], label: labels[r.id], style: coloring.styles[r.id] }));
  const data = compareSeries(visible, metric, c.xAxis);
  const comp = comparability(rows, Y_METRICS);
  return { runIds, rows, sorted, columns, labels, coloring, hidden, metric, data, comp, mode };
}

/** The model, memoised on the runs' versions and status. */
function useCompareModel(c: CompareDoc) {
  const runIds = useNotebook(useShallow((s) => cellRunIds(c, s.cells)));
  const version = useRunsVersion(runIds);
  const phases = useRuns((s) => runIds.map((r) => `${phaseOf(s.runs[r])}:${s.runs[r]?.listing?.name ?? ''}`).join());
  const mode = useChartTheme().mode;
  // `version` and `phases` stand for the runs' data (mutated in place) and status
  return useMemo(() => buildCompareModel(c, runIds, mode), [runIds, version, phases, mode, c]);
}

export const CompareCell = memo(function CompareCell({ id }: { id: CellId }) {
  const c = useNotebook((s) => s.cells[id]) as CompareDoc | undefined;
  const readOnly = useReadOnly();
  if (!c || c.kind !== 'compare') return null;
  return <CompareBody id={id} c={c} readOnly={readOnly} />;
});

function CompareBody({ id, c, readOnly }: { id: CellId; c: CompareDoc; readOnly: boolean }) {
  const m = useCompareModel(c);
  const view = useMemo<ChartView>(
    () => ({ xAxis: c.xAxis, logX: c.logX ?? false, logY: c.logY ?? false, smoothing: c.smoothing }),
    [c.xAxis, c.logX, c.logY, c.smoothing],
  );
  const onView = useCallback(
    (patch: Partial<ChartView>) =>
      update(id, patch, Object.keys(patch).length === 1 && 'smoothing' in patch ? `compare:${id}:smoothing` : null),
    [id],
  );
  const onRemove = useCallback((runId: string) => update(id, withoutRun(current(id), getDoc().cells, runId)), [id]);
  const onPickRun = useCallback(
    (runId: string, on: boolean) => {
      const now = current(id);
      if (!on) return update(id, withoutRun(now, getDoc().cells, runId));
      if (!cellRunIds(now, getDoc().cells).includes(runId)) update(id, { runIds: [...now.runIds, runId] });
    },
    [id],
  );
  const notes = useMemo(() => [...m.data.notes], [m.data.notes]);
  const colorByLabel = m.columns.find((col) => col.key === c.colorBy)?.label ?? 'run';
  return (
    <div className="compare">
      <CompareToolbar
        id={id}
        c={c}
        readOnly={readOnly}
        runIds={m.runIds}
        columns={m.columns}
        badMetrics={m.comp.badMetrics}
        onPickRun={onPickRun}
        onChange={(f, g) => update(id, f, g)}
      />
      {m.comp.notes.length > 0 && (
        <div className="callout callout-warning cmp-notes" role="note" aria-label="Not comparable">
          {m.comp.notes.map((n) => (
            <p key={n}>{n}</p>
          ))}
        </div>
      )}
      {m.runIds.length === 0 ? (
        <EmptyCompare id={id} readOnly={readOnly} following={c.followCells?.length ?? 0} />
      ) : (
        <>
          <MetricChart
            title={m.metric.label}
            series={m.data.series}
            view={view}
            onViewChange={onView}
            macsAvailable={m.data.macsAvailable}
            notes={notes}
            yKind={m.metric.yKind}
            height={260}
            emptyText={
              m.hidden.size === m.rows.length
                ? 'Every run is hidden: click a dot in the table to show it'
                : `No ${m.metric.label} yet`
            }
          />
          {m.coloring.key.length > 0 && (
            <p className="cmp-key" aria-label="Colour key">
              <span className="cmp-key-title">colour = {colorByLabel}</span>
              {m.coloring.key.map((k) => (
                <span key={k.value} className="cmp-key-item">
                  <span className="cmp-key-swatch" style={{ background: k.color }} />
                  {k.value}
                </span>
              ))}
            </p>
          )}
          <RunTable
            rows={m.sorted}
            columns={m.columns}
            labels={m.labels}
            styles={m.coloring.styles}
            hidden={m.hidden}
            sort={c.sort}
            mode={m.mode}
            colorByRun={(c.colorBy ?? 'run') === 'run' || !m.columns.some((col) => col.key === c.colorBy)}
            colorByLabel={colorByLabel}
            readOnly={readOnly}
            onSort={(col) => update(id, { sort: { ...nextSort(c.sort, col) } })}
            onToggle={(r) =>
              update(id, { hidden: c.hidden.includes(r) ? c.hidden.filter((h) => h !== r) : [...c.hidden, r] })
            }
            onPick={(r, pick) => {
              const { [r]: _old, ...rest } = c.colors;
              update(id, { colors: pick === null ? rest : { ...rest, [r]: pick } });
            }}
            onRemove={onRemove}
          />
          {m.sorted.length < m.rows.length && (
            <p className="cmp-filtered" role="status">
              {m.sorted.length} of {m.rows.length} runs match “{c.filter}”.
            </p>
          )}
        </>
      )}
    </div>
  );
}

function current(id: CellId): CompareDoc {
  return getDoc().cells[id] as CompareDoc;
}

/** The cell's header: how many runs, the y metric against the x axis. */
export function CompareTitle({ id }: { id: CellId }) {
  const text = useNotebook((s) => compareTitle(id, s.cells));
  return text ? <span className="cell-title">{text}</span> : null;
}

export function compareTitle(id: CellId, cells: Record<CellId, CellDoc>): string {
  const c = cells[id] as CompareDoc | undefined;
  if (!c || c.kind !== 'compare') return '';
  const n = cellRunIds(c, cells).length;
  return `${n} run${n === 1 ? '' : 's'} · ${yMetric(c.yMetric).label} vs ${xAxisChoice(c.xAxis).label}`;
}

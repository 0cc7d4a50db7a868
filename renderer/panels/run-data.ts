// What the panels need to know about a run beyond its columns, read from its spec.json (RunSpecFile): a label, the
// attention MACs of one step (for the MACs x-axis), whether it has routing at all (dense runs have none), whether it
// trains a synthetic task (accuracy), and how often routing is logged. Plus the series builders for metric charts.
import { useDeferredValue } from 'react';
import { useRuns, type RunEntry } from '../state/runs';
import { ExperimentSpecSchema, type ExperimentSpec } from '../../engine/spec';
import { attentionCost } from '../../engine/cost';
import type { SeriesInput } from '../charts/chart-model';
import { runColor, runDash, type ThemeMode } from '../charts/palette';
import { macsPerStep, xAxisChoice, type XAxisKind } from '../charts/x-axis';

export interface RunInfo {
  id: string;
  name: string;
  spec: ExperimentSpec | null; // null: no spec.json yet, or one this engine cannot read
  macsPerStep: number | null;
  hasRouting: boolean | null; // null: unknown (no spec)
  synthetic: string | null; // the synthetic task, or null for text
  routingInterval: number | null;
}

const infoCache = new WeakMap<object, RunInfo>();

/** The run's spec-derived facts (cached per spec file object). */
export function runInfo(e: RunEntry): RunInfo {
  const file = e.specFile as { spec?: unknown } | null;
  const cached = file && typeof file === 'object' ? infoCache.get(file) : undefined;
  if (cached && cached.name === (e.listing?.name ?? cached.name)) return cached;
  const parsed = file && typeof file === 'object' ? ExperimentSpecSchema.safeParse(file.spec) : null;
  const spec = parsed?.success ? parsed.data : null;
  const info: RunInfo = {
    id: e.id,
    name: e.listing?.name ?? spec?.name ?? e.id,
    spec,
    macsPerStep: spec
      ? macsPerStep({
          macsPerLayer: attentionCost(spec).macs,
          nLayers: spec.model.nLayers,
          batchSize: spec.data.batchSize,
        })
      : null,
    hasRouting: spec ? spec.model.attention.kind !== 'dense' || spec.model.mlp.kind === 'sigma-moe' : null,
    synthetic: spec && spec.data.source.kind === 'synthetic' ? spec.data.source.task : null,
    routingInterval: spec ? spec.log.routingInterval : null,
  };
  if (file && typeof file === 'object') infoCache.set(file, info);
  return info;
}

/** Labels for runs charted together: their names, with the id's tail where two share a name. */
export function runLabels(infos: RunInfo[]): string[] {
  const counts = new Map<string, number>();
  for (const i of infos) counts.set(i.name, (counts.get(i.name) ?? 0) + 1);
  return infos.map((i) => ((counts.get(i.name) ?? 0) > 1 ? `${i.name} (${i.id.slice(-6)})` : i.name));
}

/** The runs' entries as they are now (read-only: never creates one while rendering). */
export function entriesOf(runIds: readonly string[]): RunEntry[] {
  const runs = useRuns.getState().runs;
  return runIds.map((id) => runs[id]).filter((e): e is RunEntry => !!e);
}

/**
 * Re-render when any of the runs changes: a string of their versions (one store update per frame at most).
 * `deferred`: the secondary panels take the new version in a transition (React renders them in slices, after the
 * loss chart), so a grid of charts redrawing together never makes one long task.
 */
export function useRunsVersion(runIds: readonly string[], deferred = false): string {
  const v = useRuns((s) => runIds.map((id) => `${id}:${s.runs[id]?.version ?? -1}`).join('|'));
  const later = useDeferredValue(v);
  return deferred ? later : v;
}

export interface MetricSpec {
  table: 'train' | 'val';
  column: string;
  suffix: string; // "train", "val", "answer acc."
  smooth: boolean;
  band: boolean;
  dashed?: boolean;
  colorOffset?: number; // single run: give each metric its own palette colour
}

/** One series per (run, metric) for the x-axis `xAxis`; runs without what the axis needs are left out and named. */
export function metricSeries(
  runIds: readonly string[],
  metrics: MetricSpec[],
  xAxis: XAxisKind,
  mode: ThemeMode,
  colors?: Record<string, string>,
): { series: SeriesInput[]; notes: string[]; macsAvailable: boolean } {
  const entries = entriesOf(runIds);
  const infos = entries.map(runInfo);
  const labels = runLabels(infos);
  const choice = xAxisChoice(xAxis);
  const series: SeriesInput[] = [],
    notes: string[] = [];
  const single = entries.length === 1;
  const drawable = entries.map((e, r) => {
    const ok = !(xAxis === 'macs' && infos[r].macsPerStep === null);
    if (!ok) notes.push(`${labels[r]}: no attention MACs without its spec, not shown on this axis`);
    return ok;
  });
  // metric by metric (all training lines, then validation on top of them), run by run
  for (const m of metrics)
    entries.forEach((e, r) => {
      if (!drawable[r]) return;
      const info = infos[r];
      const table = m.table === 'train' ? e.train : e.val;
      if (!(table.names as readonly string[]).includes(m.column)) return;
      const y = (table.get as (c: string) => Float64Array)(m.column);
      if (y.length === 0) return; // nothing yet (validation comes every evalInterval steps)
      const step = table.get('step');
      const colorIndex = single ? (m.colorOffset ?? 0) : runIds.indexOf(e.id);
      series.push({
        key: `${e.id}/${m.table}/${m.column}`,
        label: single ? m.suffix : `${labels[r]} ${m.suffix}`,
        color: runColor(colorIndex, mode, single ? null : colors?.[e.id]),
        dash: m.dashed ? '5 3' : runDash(colorIndex),
        x: table.get(choice.column),
        xScale: xAxis === 'macs' ? info.macsPerStep! : 1,
        y,
        steps: step,
        smooth: m.smooth,
        band: m.band,
        exportColumns: { step, tokens: table.get('tokens'), time_s: table.get('time_s') },
        macsPerStep: info.macsPerStep ?? undefined,
      });
    });
  return { series, notes, macsAvailable: infos.some((i) => i.macsPerStep !== null) };
}

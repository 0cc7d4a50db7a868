// Routing health over time (PRODUCT ideas 3-5) for the layer and side picked in the routing panel, every head at
// once: Jain fairness with the collapse threshold, usage entropy and dead-expert fraction, the margin between the
// k-th and (k+1)-th score (mean with its p10-p90 band), and the flip rate between consecutive saved probes; heads
// flagged as collapsing (engine `collapse`) get a marked step range on the charts and a badge with the reason; then
// the V x O co-occurrence of a head with its change over steps. Grid items of the panel grid; usable on its own
// (the Inspect cell) with its own layer and side.
import { memo, useDeferredValue, useEffect, useMemo, useState } from 'react';
import type { SelectionSide } from '../../engine/contracts/reports';
import { COLLAPSE } from '../../engine/run/routing-health';
import { runColor } from '../charts/palette';
import { useChartTheme } from '../charts/theme';
import { getPlatform } from '../platform/context';
import { useRuns } from '../state/runs';
import { HealthChart, type HealthRegion, type HealthSeries } from './routing-health-chart';
import { CooccurrencePanel } from './routing-health-cooccurrence';
import {
  collapseRegions,
  cooccurrenceHeads,
  healthColumns,
  type CollapseRegion,
  type HealthColumns,
} from './routing-health-data';
import { FlipCache, type FlipSeries } from './routing-health-flips';
import { ensureHealthStyles } from './routing-health-styles';
import { routingSlots, sideLabel, sideShort } from './routing-data';
import { runInfo } from './run-data';

export interface RoutingHealthProps {
  runId: string;
  layer: number;
  side: SelectionSide;
}

const UNIT: [number, number] = [0, 1];

/** One flip-rate cache for the page: probes are read once per run and step through the Platform. */
let flipCache: FlipCache | null = null;
export function pageFlipCache(): FlipCache {
  return (flipCache ??= new FlipCache((run, step) => getPlatform().readProbe(run, step)));
}

/** Re-render for new routing rows, a new spec, or a new saved probe; not for every metrics batch. */
function useHealthVersion(runId: string): string {
  const key = useRuns((s) => {
    const e = s.runs[runId];
    if (!e) return '';
    return `${e.routing.length}:${e.routing.at(-1)?.step ?? ''}:${e.specFile ? 1 : 0}:${e.listing?.probes.join(',') ?? ''}`;
  });
  return useDeferredValue(key);
}

function useFlips(runId: string, steps: string, layer: number, side: SelectionSide): FlipSeries | null {
  const [flips, setFlips] = useState<FlipSeries | null>(null);
  useEffect(() => {
    let live = true;
    const list = steps ? steps.split(',').map(Number) : [];
    if (list.length < 2) return setFlips(null);
    pageFlipCache()
      .flips(runId, list, layer, side)
      .then((f) => live && setFlips(f))
      .catch((e: Error) => live && setFlips({ step: [], from: [], heads: [], notes: [e.message] }));
    return () => {
      live = false;
    };
  }, [runId, steps, layer, side]);
  return flips;
}

export const RoutingHealthPanels = memo(function RoutingHealthPanels(p: RoutingHealthProps) {
  ensureHealthStyles();
  const version = useHealthVersion(p.runId);
  const mode = useChartTheme().mode;
  const e = useRuns.getState().runs[p.runId];
  const reports = e?.routing ?? [];
  const info = e ? runInfo(e) : null;
  const slots = useMemo(() => routingSlots(reports), [version]);
  const slot =
    slots.find((s) => s.layer === p.layer && s.side === p.side) ?? slots.find((s) => s.layer === p.layer) ?? slots[0];
  const cols = useMemo(
    () => (slot ? healthColumns(reports, slot.layer, slot.side) : null),
    [version, slot?.layer, slot?.side],
  );
  const probeSteps = useRuns((s) => s.runs[p.runId]?.listing?.probes.join(',') ?? '');
  const flips = useFlips(p.runId, probeSteps, slot?.layer ?? 0, slot?.side ?? 'src');
  const cooHeads = useMemo(
    () => cooccurrenceHeads(reports).filter((c) => c.layer === slot?.layer),
    [version, slot?.layer],
  );

  if (info?.hasRouting === false && reports.length === 0) return null; // the routing panel already says "dense"
  if (!slot || !cols)
    return (
      <p className="swc-panel-note" role="note">
        Routing health appears with the first routing report.
      </p>
    );
  const where = `L${slot.layer} ${sideShort(slot)}`;
  const color = (h: number) => runColor(h, mode);
  const regions = collapseRegions(cols);
  const lastOfHead = new Map(regions.map((g, i) => [g.head, i]));
  const marks: HealthRegion[] = regions.map((g, i) => ({
    key: `r${i}`,
    from: g.from,
    to: g.to,
    color: color(g.head),
    label: lastOfHead.get(g.head) === i ? `head ${g.head}` : '', // one label per head
  }));
  const nProbes = probeSteps ? probeSteps.split(',').length : 0;
  return (
    <>
      <HealthHeader where={sideLabel(slot)} layer={slot.layer} regions={regions} cols={cols} />
      <HealthChart
        title={`Jain fairness · ${where}`}
        series={perHead(cols, color, (h) => h.jain, 'Jain')}
        yDomain={UNIT}
        threshold={{ y: COLLAPSE.minJain, label: `collapse below ${COLLAPSE.minJain}` }}
        regions={marks}
        emptyText="Waiting for the first routing report"
        notes={[`1 = every expert used equally, 1/${cols.nExperts} = one expert takes all`]}
      />
      <HealthChart
        title={`entropy and dead experts · ${where}`}
        series={[
          ...perHead(cols, color, (h) => h.entropy, 'entropy'),
          ...perHead(cols, color, (h) => h.dead, 'dead', '5 3'),
        ]}
        yDomain={UNIT}
        threshold={{ y: COLLAPSE.maxDeadFraction, label: `collapse: dead above ${COLLAPSE.maxDeadFraction}` }}
        regions={marks}
        emptyText="Waiting for the first routing report"
        notes={['solid: normalised usage entropy (1 = uniform); dashed: fraction of experts never chosen']}
      />
      <HealthChart
        title={`top-k margin · ${where}`}
        series={cols.hasMargin ? marginSeries(cols, color) : []}
        emptyText={
          cols.n === 0
            ? 'Waiting for the first routing report'
            : 'No margins: every expert is chosen (k = E), or the rows predate margins'
        }
        notes={[
          'k-th minus (k+1)-th sigmoid score per token: mean, band p10–p90 (small: a close call, routing can flip)',
        ]}
      />
      <HealthChart
        title={`flip rate · ${where}`}
        series={flipSeries(flips, color)}
        yDomain={UNIT}
        yKind="percent"
        emptyText={`Flip rate needs two saved probes${info?.spec ? ` (every ${info.spec.log.probeInterval} steps)` : ''}: ${nProbes} so far`}
        notes={[
          'share of the probe text’s tokens whose chosen top-k set changed since the previous saved probe',
          ...(flips?.notes ?? []),
        ]}
      />
      {slot.side !== 'mlp' && cooHeads.length > 0 && (
        <CooccurrencePanel reports={reports} layer={slot.layer} heads={cooHeads.length} version={version} />
      )}
    </>
  );
});

function perHead(
  cols: HealthColumns,
  color: (h: number) => string,
  pick: (h: HealthColumns['heads'][number]) => Float64Array,
  what: string,
  dash?: string,
): HealthSeries[] {
  return cols.heads.map((h) => ({
    key: `${what}-${h.head}`,
    label: `head ${h.head} ${what}`,
    color: color(h.head),
    dash,
    x: cols.step,
    y: pick(h),
    exportColumns: { tokens: cols.tokens },
  }));
}

function marginSeries(cols: HealthColumns, color: (h: number) => string): HealthSeries[] {
  return cols.heads.map((h) => ({
    key: `margin-${h.head}`,
    label: `head ${h.head} margin`,
    color: color(h.head),
    x: cols.step,
    y: h.marginMean,
    band: { lo: h.marginP10, hi: h.marginP90, label: 'p10–p90' },
    exportColumns: { tokens: cols.tokens },
  }));
}

function flipSeries(f: FlipSeries | null, color: (h: number) => string): HealthSeries[] {
  if (!f || f.step.length === 0) return [];
  return f.heads.map((y, h) => ({
    key: `flip-${h}`,
    label: `head ${h} flip rate`,
    color: color(h),
    x: f.step,
    y,
    exportColumns: { from_step: f.from },
  }));
}

const fmt = (step: number) => step.toLocaleString('en-US');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Per head, its newest flagged stretch and how many came before (a head hovering at the threshold is one badge). */
function headFlags(regions: CollapseRegion[]): { last: CollapseRegion; earlier: number; first: number }[] {
  const by = new Map<number, CollapseRegion[]>();
  for (const g of regions) by.set(g.head, [...(by.get(g.head) ?? []), g]);
  return [...by.values()].map((rs) => ({ last: rs[rs.length - 1]!, earlier: rs.length - 1, first: rs[0]!.from }));
}

/** The panel's title row: which selection, and a badge per collapse flag with its reason (or that none is flagged). */
function HealthHeader(p: { where: string; layer: number; regions: CollapseRegion[]; cols: HealthColumns }) {
  return (
    <div className="swc-panel-wide hx-header" role="group" aria-label="Routing health">
      <strong>Routing health</strong>
      <span className="hx-muted">
        layer {p.layer} · {p.where} · {p.cols.heads.length} heads · {p.cols.n} reports
      </span>
      <ul className="hx-badges" aria-label="Collapse flags">
        {p.regions.length === 0 ? (
          <li className="hx-badge hx-ok">
            ✓ no head flagged (collapse: Jain &lt; {COLLAPSE.minJain} or more than {COLLAPSE.maxDeadFraction * 100}% of
            experts dead)
          </li>
        ) : (
          headFlags(p.regions).map(({ last: g, earlier, first }) => (
            <li key={g.head} className="hx-badge hx-warn">
              ⚠ head {g.head}{' '}
              {g.ongoing
                ? `collapsing since step ${fmt(g.from)} (${plural(g.rows, 'report')}, still at step ${fmt(g.to)})`
                : `collapsed at step${g.rows === 1 ? ` ${fmt(g.from)}` : `s ${fmt(g.from)}–${fmt(g.to)}`} (${plural(g.rows, 'report')})`}
              : {g.reasons.join('; ')}
              {earlier > 0 &&
                ` · flagged ${earlier} more time${earlier === 1 ? '' : 's'} before, first at step ${fmt(first)}`}
            </li>
          ))
        )}
      </ul>
    </div>
  );
}

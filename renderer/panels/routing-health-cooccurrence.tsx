// The V x O co-occurrence of one head (PRODUCT idea 5): how often each (value expert, output expert) pair is chosen
// on the same token, as a share of the tokens, at a step picked with a slider over the run's routing rows; next to
// it, the change since the previous snapshot on a diverging scale (which pairings grew, which faded). Each heatmap
// exports as SVG, PNG, CSV and JSON.
import { memo, useEffect, useMemo, useState } from 'react';
import type { RoutingReport } from '../../engine/contracts/reports';
import { sequentialColor } from '../charts/palette';
import { useChartTheme } from '../charts/theme';
import { divergingColor, ExportFigure } from './routing-health-figure';
import { MatrixHeatmap } from './routing-health-heatmap';
import { cooccurrenceDiff, cooccurrenceSnapshots, maxAbs, toShares } from './routing-health-data';

export interface CooccurrenceProps {
  reports: readonly RoutingReport[];
  layer: number;
  heads: number;
  version: string; // changes when the reports do
}

const pct = (v: number) => `${(v * 100).toFixed(Math.abs(v) < 0.1 ? 1 : 0)}%`;
const signedPct = (v: number) => `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)}`;

function matrixCsv(m: number[][], counts: number[][] | null): string {
  const lines = [counts ? 'v_expert,o_expert,share,count' : 'v_expert,o_expert,change_in_share'];
  m.forEach((row, i) => row.forEach((v, j) => lines.push(`${i},${j},${v}${counts ? `,${counts[i]![j]}` : ''}`)));
  return lines.join('\n') + '\n';
}

export const CooccurrencePanel = memo(function CooccurrencePanel(p: CooccurrenceProps) {
  const theme = useChartTheme();
  const [head, setHead] = useState(0);
  const h = Math.min(head, Math.max(0, p.heads - 1));
  const snaps = useMemo(() => cooccurrenceSnapshots(p.reports, p.layer, h), [p.version, p.layer, h]);
  const [picked, setPicked] = useState<number | null>(null); // null: follow the newest
  useEffect(() => setPicked(null), [p.layer, h]);
  const i = picked === null ? snaps.length - 1 : Math.min(picked, snaps.length - 1);
  const snap = snaps[i];
  const prev = i > 0 ? snaps[i - 1] : undefined;
  const shares = useMemo(() => (snap ? toShares(snap.matrix) : null), [snap]);
  const diff = useMemo(() => (snap && prev ? cooccurrenceDiff(prev.matrix, snap.matrix) : null), [snap, prev]);
  if (!snap || !shares) return null;
  const E = shares.length;
  const labels = (side: string) => Array.from({ length: E }, (_, e) => `${side}${e}`);
  const where = `L${p.layer} head ${h}`;
  const seq = sequentialColor('gate', theme.mode);
  const peak = Math.max(...shares.flat(), 1e-9);
  const half = Math.max(maxAbs(diff ?? []), 1e-4);
  const div = divergingColor(theme.mode, theme.surface);
  const cell = { w: E <= 8 ? 40 : 20, h: E <= 8 ? 24 : 16 };
  const controls = (
    <span className="hx-actions">
      {p.heads > 1 && (
        <label>
          head{' '}
          <select aria-label="Co-occurrence head" value={h} onChange={(e) => setHead(Number(e.target.value))}>
            {Array.from({ length: p.heads }, (_, k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        step{' '}
        <input
          type="range"
          aria-label="Co-occurrence step"
          aria-valuetext={`step ${snap.step}`}
          min={0}
          max={snaps.length - 1}
          value={i}
          disabled={snaps.length < 2}
          onChange={(e) => {
            const v = Number(e.target.value);
            setPicked(v === snaps.length - 1 ? null : v);
          }}
        />
        <output>{snap.step.toLocaleString('en-US')}</output>
      </label>
    </span>
  );
  return (
    <>
      <ExportFigure
        title={`V × O co-occurrence · ${where} · step ${snap.step}`}
        className="hx-cooc"
        actions={controls}
        notes={[`share of tokens choosing both (first validation batch); ${snaps.length} snapshots`]}
        exportData={() => ({
          csv: matrixCsv(shares, snap.matrix),
          json: JSON.stringify({
            format: 'switchhead-cooccurrence',
            version: 1,
            layer: p.layer,
            head: h,
            step: snap.step,
            counts: snap.matrix,
            shares,
          }),
        })}
      >
        <MatrixHeatmap
          label={`V × O co-occurrence of ${where} at step ${snap.step}: ${E} × ${E} experts`}
          values={shares}
          rowLabels={labels('V e')}
          colLabels={labels('e')}
          rowTitle="value expert"
          colTitle="output expert"
          color={(v) => seq(v / peak)}
          format={pct}
          cell={cell}
          inline={E <= 8}
          legend={{ min: 0, max: peak, title: 'share of tokens' }}
        />
      </ExportFigure>
      <ExportFigure
        title={`co-occurrence change · L${p.layer} h${h} · ${prev ? `step ${prev.step} → ${snap.step}` : `step ${snap.step}`}`}
        className="hx-cooc"
        notes={[diff ? 'change in share of tokens, percentage points (blue: more often, orange: less often)' : '']}
        exportData={() => ({
          csv: matrixCsv(diff ?? [], null),
          json: JSON.stringify({
            format: 'switchhead-cooccurrence-change',
            version: 1,
            layer: p.layer,
            head: h,
            from: prev?.step ?? null,
            to: snap.step,
            change: diff,
          }),
        })}
      >
        {diff ? (
          <MatrixHeatmap
            label={`Change of the V × O co-occurrence of ${where} from step ${prev!.step} to ${snap.step}`}
            values={diff}
            rowLabels={labels('V e')}
            colLabels={labels('e')}
            rowTitle="value expert"
            colTitle="output expert"
            color={(v) => div(v / half)}
            format={signedPct}
            cell={cell}
            inline={E <= 8}
            legend={{ min: -half, max: half, title: 'Δ share (pp)' }}
          />
        ) : (
          <p className="swc-panel-note">The first snapshot: nothing earlier to compare with.</p>
        )}
      </ExportFigure>
    </>
  );
});

// The routing signature per token type: token type x expert, how often the type's occurrences choose each expert
// (a row sums to k), sorted by token frequency or grouped by dominant expert (the clustering of tokens by routing),
// the dominant expert outlined. Exports as SVG, PNG, CSV and JSON like every chart.
import { memo, useCallback, useMemo, useState } from 'react';
import type { AtlasGroup, AtlasReport } from '../../../../engine/contracts/reports';
import { sequentialColor } from '../../../charts/palette';
import { useChartTheme } from '../../../charts/theme';
import { ExportFigure } from '../../../panels/routing-health-figure';
import { MatrixHeatmap } from '../../../panels/routing-health-heatmap';
import { signatureCsv, signatureRows, visibleToken, type SignatureOrder } from './atlas-data';

const LIMITS = [24, 64, 256];

export const SignatureView = memo(function SignatureView(p: { report: AtlasReport; group: AtlasGroup; where: string }) {
  const theme = useChartTheme();
  const [order, setOrder] = useState<SignatureOrder>('frequency');
  const [limit, setLimit] = useState(24);
  const rows = useMemo(() => signatureRows(p.report, p.group, order), [p.report, p.group, order]);
  const shown = rows.slice(0, limit);
  const E = p.group.experts;
  const title = `routing signature per token type · ${p.where}`;
  const exportData = useCallback(
    () => ({
      csv: signatureCsv(rows, E),
      json: JSON.stringify({
        format: 'switchhead-routing-signature',
        version: 1,
        step: p.report.step,
        source: p.report.source,
        layer: p.group.layer,
        side: p.group.side,
        head: p.group.head,
        k: p.group.k,
        order,
        rows: rows.map((r) => ({ token: r.name, count: r.count, dominant: r.dominant, shares: r.shares })),
      }),
    }),
    [rows, E, p.report, p.group, order],
  );
  const gate = sequentialColor('gate', theme.mode);
  const color = (v: number) => gate(v); // a share in [0, 1]
  const actions = (
    <span className="at-sig-actions">
      <label>
        sort{' '}
        <select
          aria-label="Sort token types"
          value={order}
          onChange={(e) => setOrder(e.target.value as SignatureOrder)}
        >
          <option value="frequency">by token frequency</option>
          <option value="dominant">by dominant expert</option>
        </select>
      </label>
      <label>
        show{' '}
        <select aria-label="Token types shown" value={limit} onChange={(e) => setLimit(Number(e.target.value))}>
          {LIMITS.filter((l, i) => i === 0 || LIMITS[i - 1]! < rows.length).map((l) => (
            <option key={l} value={l}>
              {Math.min(l, rows.length)} of {rows.length}
            </option>
          ))}
        </select>
      </label>
    </span>
  );
  if (rows.length === 0)
    return <p className="at-muted">No token type has a routing signature (the atlas was asked for none).</p>;
  return (
    <ExportFigure
      title={title}
      exportData={exportData}
      className="at-signature"
      actions={actions}
      notes={[
        `share of each token type's occurrences that choose the expert (a row sums to k = ${p.group.k}); blank: never`,
      ]}
    >
      <MatrixHeatmap
        label={`Routing signature: ${shown.length} token types × ${E} experts`}
        values={shown.map((r) => r.shares)}
        rowLabels={shown.map((r) => `${visibleToken(r.name)} ${r.count}×`)}
        colLabels={Array.from({ length: E }, (_, e) => `e${e}`)}
        colTitle="expert"
        color={color}
        format={(v) => (v === 0 ? '' : v.toFixed(2))}
        cell={{ w: E <= 8 ? 40 : 22, h: 17 }}
        inline={E <= 8}
        legend={{ min: 0, max: 1, title: 'share of occurrences', format: (v) => v.toFixed(2) }}
      />
    </ExportFigure>
  );
});

// Cost readout of an Experiment cell (SPEC §6 via engine/cost.ts), updated as the spec changes: parameters,
// attention MACs and memory per layer, attention matrices, each against a dense baseline.
import { memo, useMemo } from 'react';
import type { CellId } from '../../state/notebook-schema';
import { costSummary, formatCount, formatFloatBytes, formatRatio } from './cost-summary';
import { usePreset, useSpecCheck } from './use-spec';

function Stat({ label, value, detail, ratio }: { label: string; value: string; detail?: string; ratio?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        <span className="stat-value">{value}</span>
        {detail && <span className="stat-detail">{detail}</span>}
        {ratio && <span className="stat-ratio">{ratio}</span>}
      </dd>
    </div>
  );
}

/** "5× fewer than cpu-xl" (or "2× more than ..."): how many attention matrices the baseline computes per ours. */
function timesFewer(reduction: number, base: string): string | undefined {
  if (reduction === 1) return undefined;
  const x = reduction > 1 ? reduction : 1 / reduction;
  return `${x.toFixed(1).replace(/\.0$/, '')}× ${reduction > 1 ? 'fewer' : 'more'} than ${base}`;
}

export const CostReadout = memo(function CostReadout({ id }: { id: CellId }) {
  const check = useSpecCheck(id);
  const preset = usePreset(id);
  const summary = useMemo(() => (check.ok ? costSummary(check.spec, preset) : null), [check, preset]);
  if (!summary) return <p className="cost cost-empty">Cost appears when the spec is valid.</p>;
  const { report: r, baseline: b } = summary;
  const vs = (x: number | null | undefined, what = 'of') =>
    x == null || !b ? undefined : `${formatRatio(x)} ${what} ${b.name}`;
  const matricesRatio = b ? timesFewer(b.ratios.attentionMatrixReduction, b.name) : undefined;
  return (
    <section className="cost" aria-label="Cost">
      <dl className="stats">
        <Stat
          label="Parameters"
          value={r.params ? formatCount(r.params.total) : 'n/a'}
          detail={r.params ? undefined : 'char vocabulary: known once the corpus is read'}
          ratio={vs(b?.ratios.params)}
        />
        <Stat
          label="Attention MACs / layer"
          value={formatCount(r.attention.macsPerLayer)}
          detail={`T ${r.attention.T}${r.attention.c ? ' + memory' : ''}`}
          ratio={vs(b?.ratios.macs)}
        />
        <Stat
          label="Attention memory / layer"
          value={`${formatCount(r.attention.memFloatsPerLayer)} floats`}
          detail={formatFloatBytes(r.attention.memFloatsPerLayer)}
          ratio={vs(b?.ratios.memFloats)}
        />
        <Stat
          label="Attention matrices"
          value={`${r.attentionMatrices.perLayer} / layer`}
          detail={`${r.attentionMatrices.total} in total`}
          ratio={matricesRatio}
        />
      </dl>
      <p className="cost-note">
        {b ? (
          <>
            Compared with <strong>{b.name}</strong>: {b.detail}.
          </>
        ) : (
          summary.why && <>No comparison: {summary.why}.</>
        )}
        {r.notes.length > 0 && <> {r.notes.join('; ')}.</>}
      </p>
    </section>
  );
});

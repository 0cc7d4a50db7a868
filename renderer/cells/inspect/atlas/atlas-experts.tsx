// The experts of one (layer, side, head) in the atlas: the colour legend, and per expert its share of the
// selections, the token types that choose it most often, and the contexts of its highest gates, the text coloured by
// chosen expert. Experts never chosen in the text read say so.
import { memo, useMemo } from 'react';
import type { AtlasGroup, AtlasReport } from '../../../../engine/contracts/reports';
import { contextWindow, expertSummaries, nameTable, visibleToken, type ExpertSummary } from './atlas-data';
import { ColouredText } from './atlas-text';

export interface ExpertsProps {
  report: AtlasReport;
  group: AtlasGroup;
  colors: readonly string[];
  radius: number;
  separator: string;
  numbers: boolean;
  where: string; // "layer 0 · source (V) · head 1"
}

const pct = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;

export const ExpertLegend = memo(function ExpertLegend(p: { group: AtlasGroup; colors: readonly string[] }) {
  const total = p.group.counts.reduce((a, b) => a + b, 0) || 1;
  return (
    <ul className="at-legend" aria-label="Expert colours">
      {p.group.counts.map((c, e) => (
        <li key={e}>
          <span className="at-swatch" style={{ background: p.colors[e] }} aria-hidden="true" />
          expert {e} <span className="at-muted">{pct(c / total)}</span>
        </li>
      ))}
    </ul>
  );
});

export const ExpertCards = memo(function ExpertCards(p: ExpertsProps) {
  const summaries = useMemo(() => expertSummaries(p.report, p.group), [p.report, p.group]);
  const names = useMemo(() => nameTable(p.report), [p.report]);
  return (
    <div className="at-cards">
      {summaries.map((s) => (
        <ExpertCard key={s.expert} s={s} names={names} {...p} />
      ))}
    </div>
  );
});

function ExpertCard(p: ExpertsProps & { s: ExpertSummary; names: Map<number, string> }) {
  const { s } = p;
  const label = `Expert ${s.expert}`;
  return (
    <section
      className="at-card"
      aria-label={label}
      data-expert={s.expert}
      style={{ borderTopColor: p.colors[s.expert] }}
    >
      <h4>
        <span className="at-swatch" style={{ background: p.colors[s.expert] }} aria-hidden="true" />
        {label}
        <span className="at-muted">
          {s.count ? `${pct(s.share)} of selections · ${s.count.toLocaleString('en-US')}×` : 'never chosen'}
        </span>
      </h4>
      {s.count === 0 ? (
        <p className="at-muted at-empty">No token of the text read chose this expert ({p.where}): it is dead here.</p>
      ) : (
        <>
          <ul className="at-tokens" aria-label={`Top tokens of expert ${s.expert}`}>
            {s.tokens.map((t) => (
              <li key={t.name} title={`${t.count} of its ${t.ofType} occurrences choose expert ${s.expert}`}>
                <span className="at-tok">{visibleToken(t.name)}</span>
                <span className="at-muted">
                  {t.count}× · {pct(t.count / t.ofType)}
                </span>
              </li>
            ))}
          </ul>
          <ol className="at-contexts" aria-label={`Highest-gate contexts of expert ${s.expert}`}>
            {s.contexts.map((c) => {
              const w = contextWindow(p.report, p.group, c.pos, p.radius, p.names);
              return (
                <li key={c.pos}>
                  <span className="at-gate" title={`gate of expert ${s.expert} at this token`}>
                    {c.gate.toFixed(3)}
                  </span>
                  <ColouredText
                    cells={w.cells}
                    mark={c.pos}
                    colors={p.colors}
                    separator={p.separator}
                    numbers={p.numbers}
                  />
                </li>
              );
            })}
          </ol>
        </>
      )}
    </section>
  );
}

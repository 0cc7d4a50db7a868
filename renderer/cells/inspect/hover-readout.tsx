// What the lens says about the hovered token: its experts and gates in every layer and head ("L0 h1 V{1,3} O{0,2}"),
// and the model's next-token prediction at its position (top 5 with p; under counterfactual routing before and after).
// Subscribes to the hover store: moving the pointer re-renders this readout only.
import { memo } from 'react';
import type { ProbeReport, ProbeTop } from '../../../engine/contracts/reports';
import type { PointerStore } from '../../canvas/highlight';
import { usePointer } from '../../canvas/highlight';
import { hoveredToken, type LensHover } from './lens-state';
import { displayToken, tokenTitle } from './token-display';
import { gatesText, pickText, tokenRouting, type SideNames } from './token-routing';

interface Props {
  report: ProbeReport;
  names: SideNames;
  layer: number;
  head: number;
  hover: PointerStore<LensHover>;
}

export const HoverReadout = memo(function HoverReadout({ report, names, layer, head, hover }: Props) {
  const t = usePointer(hover, hoveredToken);
  const T = report.tokens.length;
  if (t === null || t >= T)
    return (
      <p className="lens-hint" aria-live="polite">
        Hover a token (or focus the lens and use the arrow keys) to see its experts in every layer and head and the
        next-token prediction at its position.
      </p>
    );
  const routing = tokenRouting(report, t, names);
  const target = report.targets?.[t];
  return (
    <section className="lens-readout" aria-label="Hovered token" data-token={t}>
      <p className="lens-readout-head">
        <strong className="mono">{tokenTitle(report.tokens, t)}</strong>
        {target !== undefined && (
          <span>
            {' '}
            predicts <span className="mono">“{displayToken(target)}”</span>
            {report.outputs && <> · loss {report.outputs.tokenLoss[t].toFixed(3)}</>}
          </span>
        )}
      </p>
      <div className="lens-readout-cols">
        <table className="lens-routing" aria-label="Experts of the hovered token in every layer and head">
          <tbody>
            {routing.map((l) => (
              <tr key={l.layer}>
                <th scope="row">L{l.layer}</th>
                {l.heads.map((h) => (
                  <td key={h.head} data-current={(l.layer === layer && h.head === head) || undefined}>
                    <span className="lens-muted">h{h.head}</span>{' '}
                    {h.picks.length === 0 ? (
                      <span className="lens-muted">dense</span>
                    ) : (
                      h.picks.map((p) => (
                        <span key={p.side} className="lens-pick" title={`gates ${gatesText(p)}`}>
                          <span className="mono">{pickText(p)}</span> <span className="lens-gates">{gatesText(p)}</span>
                        </span>
                      ))
                    )}
                  </td>
                ))}
                {l.mlp && (
                  <td>
                    <span className="mono">{pickText(l.mlp)}</span>{' '}
                    <span className="lens-gates">{gatesText(l.mlp)}</span>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
        <NextToken report={report} t={t} />
      </div>
    </section>
  );
});

function TopList({ top, label }: { top: ProbeTop[]; label: string }) {
  return (
    <ol className="lens-top" aria-label={label}>
      {top.map((x) => (
        <li key={x.id} data-p={x.p}>
          <span className="mono">“{displayToken(x.token)}”</span> <span className="lens-p">{x.p.toFixed(3)}</span>
        </li>
      ))}
    </ol>
  );
}

function NextToken({ report, t }: { report: ProbeReport; t: number }) {
  const after = report.outputs?.top[t];
  if (!after)
    return <p className="lens-muted">This saved probe has no next-token predictions (written before protocol 2).</p>;
  const before = report.baseline?.top[t];
  return (
    <div className="lens-next">
      <p className="lens-next-title">next token at #{t}</p>
      {before ? (
        <div className="lens-next-cmp">
          <TopList top={before} label="Next token before the intervention" />
          <span aria-hidden="true">→</span>
          <TopList top={after} label="Next token under the intervention" />
        </div>
      ) : (
        <TopList top={after} label="Next token" />
      )}
    </div>
  );
}

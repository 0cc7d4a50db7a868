// Counterfactual routing: the active interventions (each with a remove button), the uniform-routing toggle, and what
// they change: the probe's loss, and at the hovered token the attention output norms of the shown layer and head
// (|u|, the head's output before the output projection; |y|, the layer's attention output after it, summed over heads),
// before -> after. The next-token distribution before and after is in the hover readout.
import { memo } from 'react';
import type { ProbeIntervention, ProbeReport } from '../../../engine/contracts/reports';
import { usePointer, type PointerStore } from '../../canvas/highlight';
import type { CellId } from '../../state/notebook-schema';
import { describeIntervention, hasUniform, removeIntervention, setUniform } from './interventions';
import { hoveredToken, lensActions, type LensHover } from './lens-state';
import { tokenTitle } from './token-display';
import type { SideNames } from './token-routing';

interface Props {
  id: CellId;
  list: ProbeIntervention[];
  tokens: readonly string[];
  report: ProbeReport | null; // the probe under `list` (with its baseline), when it has arrived
  names: SideNames;
  layer: number;
  head: number;
  hover: PointerStore<LensHover>;
  busy: boolean;
  disabled: string | null; // why interventions cannot run here (no model to compute with), or null
}

const signed = (v: number, digits: number) => (v > 0 ? '+' : v < 0 ? '−' : '±') + Math.abs(v).toFixed(digits);

function Change({
  label,
  before,
  after,
  digits = 4,
}: {
  label: string;
  before: number;
  after: number;
  digits?: number;
}) {
  const d = after - before;
  return (
    <div className="cf-change">
      <span className="cf-label">{label}</span>
      <output aria-label={label} data-before={before} data-after={after} data-delta={d} className="mono">
        {before.toFixed(digits)} → {after.toFixed(digits)} ({signed(d, digits)})
      </output>
    </div>
  );
}

function Norms({ report, layer, head, hover }: Pick<Props, 'layer' | 'head' | 'hover'> & { report: ProbeReport }) {
  const t = usePointer(hover, hoveredToken);
  const now = report.outputs?.attentionNorm[layer];
  const was = report.baseline?.attentionNorm[layer];
  if (t === null || !now || !was)
    return <p className="lens-muted">Hover a token to see its attention output change.</p>;
  const u = now.head[head]?.[t],
    u0 = was.head[head]?.[t];
  return (
    <>
      <p className="cf-at">
        at {tokenTitle(report.tokens, t)}, layer {layer}:
      </p>
      {u !== undefined && u0 !== undefined && (
        <Change
          label={`Head ${head} output norm |u| (before the output projection)`}
          before={u0}
          after={u}
          digits={3}
        />
      )}
      <Change
        label="Attention output norm |y| (after the output projection, all heads)"
        before={was.out[t]}
        after={now.out[t]}
        digits={3}
      />
    </>
  );
}

export const CounterfactualPanel = memo(function CounterfactualPanel(p: Props) {
  const { id, list, report, names } = p;
  const uniform = hasUniform(list);
  const tokens = p.tokens;
  return (
    <section className="cf" aria-label="Counterfactual routing" data-active={list.length > 0 || undefined}>
      <div className="cf-head">
        <h4>Counterfactual routing</h4>
        <label className="cf-toggle">
          <input
            type="checkbox"
            checked={uniform}
            disabled={!!p.disabled}
            onChange={(e) => lensActions.setInterventions(id, setUniform(list, e.target.checked))}
          />
          Uniform routing (every layer and head)
        </label>
        {list.length > 0 && (
          <button
            type="button"
            className="btn btn-small btn-quiet"
            onClick={() => lensActions.setInterventions(id, [])}
          >
            Clear all
          </button>
        )}
      </div>
      {p.disabled ? (
        <p className="lens-muted">{p.disabled}</p>
      ) : list.length === 0 ? (
        <p className="lens-muted">
          Click a cell of a selection heatmap to ablate or force that expert, for one token or for all; or turn on
          uniform routing. The lens then shows the routing as changed, and what it did.
        </p>
      ) : (
        <ul className="cf-list" aria-label="Active interventions">
          {list.map((iv, i) => {
            const text = describeIntervention(iv, tokens, names);
            return (
              <li key={`${i}:${text}`}>
                <span className="mono">{text}</span>
                <button
                  type="button"
                  className="btn btn-small btn-quiet"
                  aria-label={`Remove ${text}`}
                  onClick={() => lensActions.setInterventions(id, removeIntervention(list, i))}
                >
                  Remove
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {list.length > 0 && report?.outputs && report.baseline && !p.busy && (
        <div className="cf-changes" aria-live="polite">
          <Change
            label="Probe loss (nats/token)"
            before={report.baseline.loss}
            after={report.outputs.loss}
            digits={5}
          />
          <Norms report={report} layer={p.layer} head={p.head} hover={p.hover} />
        </div>
      )}
    </section>
  );
});

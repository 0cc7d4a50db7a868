// The expert atlas (PRODUCT idea 8): which tokens of the validation text select each expert of a layer, side and
// head, most often and with the highest gates, shown in context with the text coloured by chosen expert; and each
// token type's routing signature. The engine's `atlas` request reads the first validation rows of the run's current
// model; the view says which. SwitchHead (source V, destination O), SwitchAll (and its MLP experts), MoA
// (destination); dense runs are told the atlas does not apply.
import './atlas.css';
import { memo, useMemo, useState } from 'react';
import type { AtlasReport, SelectionSide } from '../../../../engine/contracts/reports';
import { expertColor } from '../../../charts/palette';
import { useChartTheme } from '../../../charts/theme';
import { ExportFigure } from '../../../panels/routing-health-figure';
import { runInfo } from '../../../panels/run-data';
import { useRuns } from '../../../state/runs';
import { requestId, useAnswer, type RequestFn } from '../walkthrough/use-answer';
import { atlasSlots, expertsCsv, findGroup, groupJson, signatureRows, sideName } from './atlas-data';
import { atlasSvg } from './atlas-export';
import { ExpertCards, ExpertLegend } from './atlas-experts';
import { SignatureView } from './atlas-signature';

export interface AtlasProps {
  runId: string;
  /** The run's engine client (null while the Inspect cell is still starting one). */
  request: RequestFn | null;
  layer?: number;
  head?: number;
}

const READ_SIZES = [1024, 4096, 16384];

interface RunFacts {
  kind: 'switchhead' | 'moa' | 'other';
  dense: boolean; // no expert selection anywhere: the atlas does not apply
  separator: string; // how tokens join into running text
}

function useRunFacts(runId: string): RunFacts | null {
  const specFile = useRuns((s) => s.runs[runId]?.specFile);
  return useMemo(() => {
    const e = useRuns.getState().runs[runId];
    const spec = e ? runInfo(e).spec : null;
    if (!spec) return null;
    const att = spec.model.attention.kind;
    return {
      kind: att === 'switchhead' || att === 'moa' ? att : 'other',
      dense: att === 'dense' && spec.model.mlp.kind !== 'sigma-moe',
      separator: spec.data.source.kind === 'synthetic' ? ' ' : '',
    };
  }, [runId, specFile]);
}

export const ExpertAtlas = memo(function ExpertAtlas(p: AtlasProps) {
  const facts = useRunFacts(p.runId);
  const [maxTokens, setMaxTokens] = useState(4096);
  const request = p.request;
  const atlas = useAnswer<AtlasReport>(
    request && !facts?.dense ? `atlas:${requestId(request)}:${maxTokens}` : null,
    async () => (await request!('atlas', { maxTokens })).report,
  );
  if (facts?.dense)
    return (
      <p className="callout" role="note">
        The expert atlas does not apply to this run: its attention and its MLP are dense, so no token chooses an expert.
        Pick a SwitchHead, SwitchAll or MoA run.
      </p>
    );
  return (
    <section className="at" aria-label="Expert atlas">
      <div className="at-controls" role="group" aria-label="Atlas settings">
        <label>
          read up to{' '}
          <select aria-label="Tokens read" value={maxTokens} onChange={(e) => setMaxTokens(Number(e.target.value))}>
            {READ_SIZES.map((n) => (
              <option key={n} value={n}>
                {n.toLocaleString('en-US')} tokens
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="btn btn-small" onClick={atlas.refresh} disabled={!request || atlas.loading}>
          Recompute
        </button>
      </div>
      {atlas.error && (
        <p className="callout callout-warning" role="alert">
          {atlas.error}
        </p>
      )}
      {!atlas.data && !atlas.error && (
        <p className="at-muted" role="status">
          {request ? 'Reading the validation text through the model…' : 'Starting the model for this run…'}
        </p>
      )}
      {atlas.data && <AtlasBody report={atlas.data} facts={facts} initialLayer={p.layer} initialHead={p.head} />}
    </section>
  );
});

const AtlasBody = memo(function AtlasBody(p: {
  report: AtlasReport;
  facts: RunFacts | null;
  initialLayer?: number;
  initialHead?: number;
}) {
  const { report } = p;
  const mode = useChartTheme().mode;
  const slots = useMemo(() => atlasSlots(report), [report]);
  const [layer, setLayer] = useState(p.initialLayer ?? slots[0]?.layer ?? 0);
  const [side, setSide] = useState<SelectionSide>(slots[0]?.side ?? 'src');
  const [head, setHead] = useState(p.initialHead ?? 0);
  const [numbers, setNumbers] = useState(false);
  const slot =
    slots.find((s) => s.layer === layer && s.side === side) ?? slots.find((s) => s.layer === layer) ?? slots[0];
  const h = slot ? Math.min(head, slot.heads - 1) : 0;
  const group = slot ? findGroup(report, slot.layer, slot.side, h) : undefined;
  const kind = p.facts?.kind ?? 'switchhead';
  const separator = p.facts?.separator ?? '';
  const radius = separator ? 5 : 10;
  const colors = useMemo(
    () => Array.from({ length: group?.experts ?? 0 }, (_, e) => expertColor(e, group!.experts, mode)),
    [group?.experts, mode],
  );
  if (!slot || !group) return <p className="at-muted">The atlas holds no expert selection.</p>;
  const where = `L${slot.layer} ${sideName(slot.side, kind)}${slot.side === 'mlp' ? '' : ` · head ${h}`}`;
  const exportData = () => ({
    csv: expertsCsv(report, group, radius, separator),
    json: groupJson(report, group, radius, signatureRows(report, group, 'frequency')),
  });
  return (
    <>
      <p className="at-source">
        <strong>Read:</strong> {report.source} · model at step {report.step.toLocaleString('en-US')}
      </p>
      <div className="at-controls" role="group" aria-label="Atlas selection">
        <label>
          layer{' '}
          <select aria-label="Atlas layer" value={slot.layer} onChange={(e) => setLayer(Number(e.target.value))}>
            {[...new Set(slots.map((s) => s.layer))].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          side{' '}
          <select aria-label="Atlas side" value={slot.side} onChange={(e) => setSide(e.target.value as SelectionSide)}>
            {slots
              .filter((s) => s.layer === slot.layer)
              .map((s) => (
                <option key={s.side} value={s.side}>
                  {sideName(s.side, kind)}
                </option>
              ))}
          </select>
        </label>
        <label>
          head{' '}
          <select
            aria-label="Atlas head"
            value={h}
            disabled={slot.heads < 2}
            onChange={(e) => setHead(Number(e.target.value))}
          >
            {Array.from({ length: slot.heads }, (_, i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <label title="Write each coloured run's expert number after it (not colour alone)">
          <input type="checkbox" checked={numbers} onChange={(e) => setNumbers(e.target.checked)} /> expert numbers
        </label>
        <span className="at-muted">
          {group.experts} experts, k = {group.k}
        </span>
      </div>
      <ExportFigure
        title={`expert atlas · ${where}`}
        exportData={exportData}
        exportSvg={(theme) =>
          atlasSvg(report, group, { title: `expert atlas · ${where}`, theme, colors, radius, separator })
        }
        className="at-figure"
      >
        <ExpertLegend group={group} colors={colors} />
        <ExpertCards
          report={report}
          group={group}
          colors={colors}
          radius={radius}
          separator={separator}
          numbers={numbers}
          where={where}
        />
      </ExportFigure>
      <SignatureView report={report} group={group} where={where} />
    </>
  );
});

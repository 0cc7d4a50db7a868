// The teaching walkthrough (PRODUCT idea 9): one token stepped through one SwitchHead attention layer of the run's
// current model, stage by stage (walkthrough-stages.ts), each with a text to read aloud and the real numbers (the
// engine's `trace` request). Next / Previous (or the arrow keys), a token picker, and "predict, then reveal": the
// numbers of each new stage stay hidden until Reveal. Only SwitchHead layers; other runs are told so.
import './walkthrough.css';
import { memo, useCallback, useEffect, useMemo, useState, type KeyboardEvent } from 'react';
import type { TokenizeReport, TraceReport } from '../../../../engine/contracts/reports';
import { runInfo } from '../../../panels/run-data';
import { useRuns } from '../../../state/runs';
import { visibleToken } from '../atlas/atlas-data';
import { cutToTokens } from '../token-display';
import { requestId, useAnswer, type RequestFn } from './use-answer';
import { buildStages, STAGE_IDS, type StageId } from './walkthrough-stages';
import { StageView } from './walkthrough-stage';

export interface WalkthroughProps {
  runId: string;
  /** The run's engine client (null while the Inspect cell is still starting one). */
  request: RequestFn | null;
  /** The text to trace (default: the run's probe text). */
  text?: string | null;
  layer?: number;
  head?: number;
}

/** The run's spec facts the walkthrough needs (null until its spec.json is read). */
function useRunModel(runId: string) {
  const specFile = useRuns((s) => s.runs[runId]?.specFile);
  return useMemo(() => {
    const e = useRuns.getState().runs[runId];
    const spec = e ? runInfo(e).spec : null;
    return spec
      ? { attention: spec.model.attention.kind, nLayers: spec.model.nLayers, probeText: spec.log.probeText ?? '' }
      : null;
  }, [runId, specFile]);
}

export const Walkthrough = memo(function Walkthrough(p: WalkthroughProps) {
  const model = useRunModel(p.runId);
  const [draft, setDraft] = useState<string | null>(null);
  const text = draft ?? p.text ?? model?.probeText ?? '';
  const [layer, setLayer] = useState(p.layer ?? 0);
  const [head, setHead] = useState(p.head ?? 0);
  const [position, setPosition] = useState<number | null>(null);
  const [stage, setStage] = useState(0);
  const [predict, setPredict] = useState(false);
  const [revealed, setRevealed] = useState<ReadonlySet<StageId>>(new Set());
  const request = p.request;
  const dense = model !== null && model.attention !== 'switchhead';

  const tokens = useAnswer<TokenizeReport>(
    request && text && !dense ? `tok:${requestId(request)}:${text}` : null,
    async () => (await request!('tokenize', { text })).report,
  );
  const tok = tokens.data;
  const T = tok && !tok.problem ? tok.length - 1 : 0; // positions a probe of this text has
  const pos = position !== null && position < T ? position : T - 1;
  const trace = useAnswer<TraceReport>(
    request && T > 0 && !dense ? `tr:${requestId(request)}:${text}:${pos}:${layer}` : null,
    async () => (await request!('trace', { text, position: pos, layer })).report,
  );
  const tr = trace.data;
  // an over-long text: offer its first tokens (when they rebuild the text exactly)
  const cut = tok?.problem && tok.length > tok.maxLength ? cutToTokens(text, tok.tokens, tok.maxLength) : null;
  const h = tr ? Math.min(head, tr.nHeads - 1) : head;
  const stages = useMemo(() => (tr ? buildStages(tr, h) : null), [tr, h]);
  useEffect(() => setRevealed(new Set()), [tr, h]); // new numbers: predict again

  const go = useCallback((d: number) => setStage((s) => Math.max(0, Math.min(STAGE_IDS.length - 1, s + d))), []);
  const onKey = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName) || e.altKey || e.ctrlKey || e.metaKey) return;
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    go(d);
  };
  const togglePredict = (on: boolean) => {
    setPredict(on);
    if (on) setRevealed(new Set(STAGE_IDS.slice(0, stage + 1))); // what was already shown stays shown
  };

  if (dense)
    return (
      <p className="callout" role="note">
        The walkthrough steps one token through a SwitchHead attention layer. This run’s attention is{' '}
        <strong>{model!.attention}</strong>, so there are no attention experts to step through: pick a SwitchHead run.
      </p>
    );
  const current = stages?.[stage];
  const hidden = predict && current !== undefined && !revealed.has(current.id);
  return (
    <section className="wt" aria-label="Teaching walkthrough" onKeyDown={onKey} tabIndex={-1}>
      <div className="wt-controls" role="group" aria-label="Walkthrough settings">
        <label className="wt-text">
          Text
          <input
            className="field-input"
            aria-label="Walkthrough text"
            value={text}
            onChange={(e) => setDraft(e.target.value)}
            spellCheck={false}
          />
        </label>
        <label>
          Layer{' '}
          <select aria-label="Walkthrough layer" value={layer} onChange={(e) => setLayer(Number(e.target.value))}>
            {Array.from({ length: model?.nLayers ?? layer + 1 }, (_, l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <label>
          Head{' '}
          <select aria-label="Walkthrough head" value={h} onChange={(e) => setHead(Number(e.target.value))}>
            {Array.from({ length: tr?.nHeads ?? h + 1 }, (_, i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <label>
          Token{' '}
          <select
            aria-label="Walkthrough token"
            value={T > 0 ? pos : ''}
            disabled={T === 0}
            onChange={(e) => setPosition(Number(e.target.value))}
          >
            {tok?.tokens.slice(0, T).map((t, i) => (
              <option key={i} value={i}>
                {i}: {visibleToken(t)}
              </option>
            ))}
          </select>
        </label>
        <label className="wt-check" title="Hide each new stage's numbers until you press Reveal">
          <input type="checkbox" checked={predict} onChange={(e) => togglePredict(e.target.checked)} />
          Predict, then reveal
        </label>
        <button
          type="button"
          className="btn btn-small"
          onClick={trace.refresh}
          disabled={!tr}
          title="Trace again with the model as it is now"
        >
          Refresh
        </button>
        {tr && <span className="wt-step">model at step {tr.step.toLocaleString('en-US')}</span>}
      </div>
      {tok && !tok.problem && (
        <div className="wt-tokens" role="group" aria-label="Tokens of the text">
          {tok.tokens.slice(0, T).map((t, i) => (
            <button
              key={i}
              type="button"
              className="wt-token"
              aria-pressed={i === pos}
              aria-label={`Token ${i}: ${visibleToken(t)}`}
              onClick={() => setPosition(i)}
            >
              {visibleToken(t)}
            </button>
          ))}
        </div>
      )}
      <Status
        waiting={!request}
        problem={tok?.problem ?? tokens.error ?? trace.error}
        loading={tokens.loading || trace.loading}
      />
      {cut !== null && (
        <button type="button" className="btn btn-small wt-cut" onClick={() => setDraft(cut)}>
          Use the first {tok!.maxLength} tokens
        </button>
      )}
      {stages && current && (
        <>
          <nav className="wt-stepper" aria-label="Stages">
            <ol>
              {stages.map((s, i) => (
                <li key={s.id}>
                  <button
                    type="button"
                    aria-current={i === stage ? 'step' : undefined}
                    onClick={() => setStage(i)}
                    title={s.title}
                  >
                    <span className="wt-num">{i + 1}</span> {s.title}
                  </button>
                </li>
              ))}
            </ol>
          </nav>
          <StageView
            stage={current}
            index={stage}
            count={stages.length}
            hidden={hidden}
            onReveal={() => setRevealed((r) => new Set([...r, current.id]))}
            meta={{ step: tr!.step, layer: tr!.layer, head: h, position: pos, token: tr!.token }}
          />
          <div className="wt-nav" role="group" aria-label="Stage navigation">
            <button type="button" className="btn" onClick={() => go(-1)} disabled={stage === 0}>
              ← Previous
            </button>
            <span className="wt-count">
              stage {stage + 1} of {stages.length}
            </span>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => go(1)}
              disabled={stage === stages.length - 1}
            >
              Next →
            </button>
          </div>
        </>
      )}
    </section>
  );
});

function Status(p: { waiting: boolean; problem: string | null | undefined; loading: boolean }) {
  if (p.problem)
    return (
      <p className="callout callout-warning" role="alert">
        {p.problem}
      </p>
    );
  if (p.waiting || p.loading)
    return (
      <p className="wt-status" role="status">
        {p.waiting ? 'Starting the model for this run…' : 'Tracing the token through the layer…'}
      </p>
    );
  return null;
}

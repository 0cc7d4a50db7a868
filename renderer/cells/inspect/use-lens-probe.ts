// The probe a lens shows, wherever it comes from (step-positions.ts probeSource): a saved probes/<step>.json read
// through the Platform, or a probe computed by an inspect session (the run's checkpoint of that step on wasm, or the
// run's own worker for "now") for any text and under interventions. The text is checked with the worker's tokenize
// first: an empty or over-long text gets a clear message and no probe is sent. Results are cached (saved probes per
// run and step; computed ones per run, step, text and interventions; live ones never).
import { useEffect, useRef, useState } from 'react';
import type { ProbeIntervention, ProbeReport } from '../../../engine/contracts/reports';
import { getPlatform } from '../../platform/context';
import { getInspectClient, type InspectClient } from '../../runs/inspect-session';
import { interventionsKey } from './interventions';
import { probeSource, type ProbeSource, type StepPosition } from './step-positions';
import { cutToTokens } from './token-display';

export interface LensRequest {
  runId: string;
  position: StepPosition | undefined;
  text: string | null; // null: the run's own probe text
  specText: string | null; // spec.log.probeText (the run's text when no saved probe says otherwise)
  newestSaved: number | null; // the newest saved probe's step (its text is the run's probe text)
  interventions: ProbeIntervention[];
  hasSavedProbes: boolean;
  allowCompute: boolean; // the user asked to compute a probe of a run without saved ones
  refresh: number; // bump to ask the live model again
}

export type LensOffer = { kind: 'compute'; step: number } | { kind: 'cut'; text: string; tokens: number };

export interface LensProbe {
  status: 'loading' | 'ready' | 'message' | 'error';
  report: ProbeReport | null; // kept while the next one loads (no flash)
  baseline: ProbeReport | null; // the same probe without interventions, when known
  source: ProbeSource;
  message: string | null;
  offer: LensOffer | null;
  text: string | null; // the text probed (or refused), once known
}

const saved = new Map<string, Promise<ProbeReport>>();
const computed = new Map<string, ProbeReport>();
const COMPUTED_MAX = 24;

function readSaved(runId: string, step: number): Promise<ProbeReport> {
  const key = `${runId}@${step}`;
  let p = saved.get(key);
  if (!p) {
    p = getPlatform().readProbe(runId, step) as Promise<ProbeReport>;
    p.catch(() => saved.delete(key));
    saved.set(key, p);
  }
  return p;
}

function remember(key: string, r: ProbeReport): void {
  computed.delete(key);
  computed.set(key, r);
  if (computed.size > COMPUTED_MAX) computed.delete(computed.keys().next().value!);
}

const sourceKey = (s: ProbeSource) => (s.kind === 'checkpoint' || s.kind === 'saved' ? `${s.kind}@${s.step}` : s.kind);
const cacheKey = (runId: string, s: ProbeSource, text: string, iv: readonly ProbeIntervention[]) =>
  `${runId}|${sourceKey(s)}|${text}|${interventionsKey(iv)}`;

const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Holds one inspect client per (run, source) for as long as the lens needs it. */
function useLease() {
  const lease = useRef<{ key: string; client: Promise<InspectClient> } | null>(null);
  useEffect(
    () => () => {
      void lease.current?.client.then(
        (c) => c.release(),
        () => undefined,
      );
      lease.current = null;
    },
    [],
  );
  return (runId: string, s: ProbeSource): Promise<InspectClient> => {
    const key = `${runId}|${sourceKey(s)}`;
    if (lease.current?.key === key) return lease.current.client;
    void lease.current?.client.then(
      (c) => c.release(),
      () => undefined,
    );
    const client =
      s.kind === 'live'
        ? getInspectClient(runId, { live: true })
        : getInspectClient(runId, { step: (s as { step: number }).step, live: false });
    lease.current = { key, client };
    client.catch(() => lease.current?.client === client && (lease.current = null));
    return client;
  };
}

/** The run's own probe text: the one its saved probes were made of, else its spec's. */
async function ownText(req: LensRequest): Promise<string | null> {
  if (req.newestSaved !== null) {
    const r = await readSaved(req.runId, req.newestSaved).catch(() => null);
    if (r) return r.text;
  }
  return req.specText; // null: the run's spec.json is not read yet (the lens waits for it)
}

export function useLensProbe(req: LensRequest): LensProbe {
  const [state, setState] = useState<LensProbe>({
    status: 'loading',
    report: null,
    baseline: null,
    source: { kind: 'none', reason: '' },
    message: null,
    offer: null,
    text: null,
  });
  const lease = useLease();
  const lastRun = useRef(req.runId);
  const ivKey = interventionsKey(req.interventions);
  const pos = req.position;
  const posKey = pos ? `${pos.step}:${pos.saved}:${pos.checkpoint}` : 'none';

  useEffect(() => {
    let live = true;
    const own = req.text === null;
    const source = probeSource(pos, own, req.interventions.length > 0);
    const keep = lastRun.current === req.runId;
    lastRun.current = req.runId;
    const set = (s: Partial<LensProbe> & Pick<LensProbe, 'status'>) =>
      live &&
      setState((prev) => ({
        report: keep ? prev.report : null,
        baseline: null,
        message: null,
        offer: null,
        text: prev.text,
        ...s,
        source,
      }));
    const say = (message: string, offer: LensOffer | null = null) =>
      set({ status: 'message', message, offer, report: null });
    setState((prev) => ({ ...prev, status: 'loading', report: keep ? prev.report : null, source }));

    void (async () => {
      if (source.kind === 'none') return say(source.reason);
      if (source.kind === 'saved') {
        const report = await readSaved(req.runId, source.step);
        return set({ status: 'ready', report, text: report.text });
      }
      if (source.kind === 'checkpoint' && !req.hasSavedProbes && own && !req.interventions.length && !req.allowCompute)
        return say('This run has no saved probes.', { kind: 'compute', step: source.step });
      const text = req.text ?? (await ownText(req));
      if (text === null) return;
      if (live) setState((prev) => ({ ...prev, text }));
      if (text.length === 0)
        return say('The probe text is empty: type a text of at least two tokens. Nothing was sent.');
      const key = cacheKey(req.runId, source, text, req.interventions);
      const base = cacheKey(req.runId, source, text, []);
      const hit = source.kind === 'live' ? undefined : computed.get(key);
      const savedTwin = own && pos?.saved && pos.step !== null ? pos.step : null; // same weights, same text
      const baseline = !req.interventions.length
        ? null
        : (computed.get(base) ?? (savedTwin === null ? null : await readSaved(req.runId, savedTwin).catch(() => null)));
      if (hit) return set({ status: 'ready', report: hit, baseline });
      const client = await lease(req.runId, source);
      const tok = (await client.request('tokenize', { text })).report;
      if (tok.problem) {
        const cut = tok.length > tok.maxLength ? cutToTokens(text, tok.tokens, tok.maxLength) : null;
        return say(
          `${sentence(tok.problem)}. Nothing was sent.`,
          cut ? { kind: 'cut', text: cut, tokens: tok.maxLength } : null,
        );
      }
      const ivs = req.interventions.length ? req.interventions : undefined;
      const report = (await client.request('probe', { text, ...(ivs ? { interventions: ivs } : {}) })).report;
      if (source.kind !== 'live') remember(key, report);
      set({ status: 'ready', report, baseline });
    })().catch((e: Error) => set({ status: 'error', message: e.message }));
    return () => {
      live = false;
    };
    // the request is identified by these values (the interventions by their key, the position by its fields)
  }, [
    req.runId,
    posKey,
    req.text,
    req.specText,
    req.newestSaved,
    ivKey,
    req.hasSavedProbes,
    req.allowCompute,
    req.refresh,
  ]);

  return state;
}

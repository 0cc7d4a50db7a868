// Standalone page for test/e2e/atlas-gallery.test.ts (bundled by esbuild; no host, no worker): the expert atlas,
// the teaching walkthrough and the routing-health panels of four models (SwitchHead, SwitchAll, MoA, dense), fed
// with real engine answers computed in Node (atlas-fixtures.ts, served as /data.json). A stub `request` answers
// atlas / tokenize / trace from them, a stub Platform answers readProbe; exports are captured in window.__exports.
import '../../../renderer/styles/theme.css';
import '../../../renderer/styles/base.css';
import 'katex/dist/katex.min.css';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { PlatformApi } from '../../../engine/contracts/platform';
import type { RunListing } from '../../../engine/contracts/platform';
import { ExpertAtlas } from '../../../renderer/cells/inspect/atlas/atlas-view';
import type { RequestFn } from '../../../renderer/cells/inspect/walkthrough/use-answer';
import { Walkthrough } from '../../../renderer/cells/inspect/walkthrough/walkthrough-view';
import { setExportTarget } from '../../../renderer/charts/save';
import { ensureChartStyles } from '../../../renderer/charts/styles';
import { RoutingHealthPanels } from '../../../renderer/panels/routing-health-panel';
import { routingSlots, sideLabel } from '../../../renderer/panels/routing-data';
import { setPlatform } from '../../../renderer/platform/context';
import { appendRouting, flushTouches, patch } from '../../../renderer/state/runs';
import type { GalleryCase } from './atlas-fixtures';

declare global {
  interface Window {
    __exports: {
      name: string;
      mime: string;
      size: number;
      text: string | null;
      head: number[]; // the first bytes of binary data (PNG signature and header)
      wellFormed: boolean | null; // SVG: parses as XML
    }[];
    __setTheme(t: 'light' | 'dark'): void;
  }
}

window.__exports = [];
window.__setTheme = (t) => (document.documentElement.dataset.theme = t);
document.documentElement.dataset.theme = new URLSearchParams(location.search).get('theme') ?? 'light';
setExportTarget(async (name, data, mime) => {
  const text = typeof data === 'string' ? data : null;
  const wellFormed =
    mime === 'image/svg+xml' && text
      ? new DOMParser().parseFromString(text, 'image/svg+xml').getElementsByTagName('parsererror').length === 0
      : null;
  window.__exports.push({
    name,
    mime,
    size: typeof data === 'string' ? data.length : data.byteLength,
    text,
    head: typeof data === 'string' ? [] : Array.from(data.subarray(0, 24)),
    wellFormed,
  });
  return { saved: true, path: name } as never;
});

function revive(_k: string, v: unknown): unknown {
  const t = v as { __typed?: string; data?: number[] } | null;
  if (t && typeof t === 'object' && t.__typed === 'i32') return Int32Array.from(t.data!);
  if (t && typeof t === 'object' && t.__typed === 'f32') return Float32Array.from(t.data!);
  return v;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Answers like a WorkbenchClient from the case's precomputed reports (a little later, as a worker would). */
function stubRequest(c: GalleryCase): RequestFn {
  return (async (type: string, body: Record<string, unknown>) => {
    await sleep(20);
    if (type === 'atlas') {
      if ('error' in c.atlas) throw new Error(c.atlas.error);
      return { type, requestId: 1, report: c.atlas };
    }
    if (type === 'tokenize') {
      if (body.text !== c.tokenize.text) throw new Error(`no tokenization of "${String(body.text)}" in this gallery`);
      return { type: 'tokens', requestId: 1, report: c.tokenize };
    }
    if (type === 'trace') {
      const t = c.traces[`${String(body.position)}:${String(body.layer)}`];
      if (!t) throw new Error(`the walkthrough steps through a SwitchHead layer: this model's attention is not one`);
      return { type, requestId: 1, report: t };
    }
    throw new Error(`the gallery does not answer "${type}"`);
  }) as RequestFn;
}

function HealthCase({ c }: { c: GalleryCase }) {
  const slots = useMemo(() => routingSlots(c.routing), [c]);
  const [i, setI] = useState(0);
  const slot = slots[i];
  return (
    <div className="swc-grid">
      {slots.length > 0 && (
        <label className="swc-panel-wide">
          selection{' '}
          <select aria-label="Health selection" value={i} onChange={(e) => setI(Number(e.target.value))}>
            {slots.map((s, k) => (
              <option key={k} value={k}>
                L{s.layer} {sideLabel(s)}
              </option>
            ))}
          </select>
        </label>
      )}
      <RoutingHealthPanels runId={c.id} layer={slot?.layer ?? 0} side={slot?.side ?? 'src'} />
    </div>
  );
}

function Gallery({ cases }: { cases: GalleryCase[] }) {
  return (
    <main style={{ maxWidth: 1180, margin: '0 auto', padding: 16 }}>
      {cases.map((c) => {
        const request = stubRequest(c);
        return (
          <section key={c.id} data-case={c.id} aria-label={c.title} style={{ marginBottom: 28 }}>
            <h2 style={{ fontSize: 16, margin: '12px 0' }}>{c.title}</h2>
            {!c.healthOnly && (
              <>
                <div data-view="atlas" style={{ marginBottom: 16 }}>
                  <ExpertAtlas runId={c.id} request={request} />
                </div>
                <div data-view="walkthrough" style={{ marginBottom: 16 }}>
                  <Walkthrough runId={c.id} request={request} />
                </div>
              </>
            )}
            <div data-view="health">
              <HealthCase c={c} />
            </div>
          </section>
        );
      })}
    </main>
  );
}

async function main(): Promise<void> {
  ensureChartStyles();
  const cases = JSON.parse(await (await fetch('/data.json')).text(), revive) as GalleryCase[];
  const probes = new Map(cases.map((c) => [c.id, new Map(c.probes.map((p) => [p.step, p]))]));
  setPlatform({
    readProbe: async (run: string, step: number) => {
      const p = probes.get(run)?.get(step);
      if (!p) throw new Error(`probes/${step}.json: not found`);
      return p;
    },
  } as unknown as PlatformApi);
  for (const c of cases) {
    patch(c.id, {
      specFile: { spec: c.spec },
      listing: { id: c.id, probes: c.probes.map((p) => p.step), checkpoints: [] } as unknown as RunListing,
    });
    appendRouting(c.id, c.routing);
  }
  flushTouches();
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Gallery cases={cases} />
    </StrictMode>,
  );
}

void main();

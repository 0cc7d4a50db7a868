// Standalone page for the chart e2e test and `npm run bench:ui` (bundled by esbuild; no host, no worker).
// ?scenario=gallery (default): every panel in every state (three runs of 100k steps, a teaching mixture with
// per-task accuracy, a dense run, waiting, one point, NaN, no runs). ?scenario=loss: the loss panel alone with three
// runs of 100,000 points. window.__charts drives it: theme, appends, one measured redraw, captured exports.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { setExportTarget } from '../../../renderer/charts/save';
import { LossPanel } from '../../../renderer/panels/metric-panels';
import { PanelGrid } from '../../../renderer/panels/panel-grid';
import { DEFAULT_PANELS_VIEW, type PanelsView } from '../../../renderer/panels/panel-view';
import { flushTouches } from '../../../renderer/state/runs';
import { appendRoutingReports, appendTrain, appendVal, makeRun, threeRuns, type FakeRun } from './charts-data';

const params = new URLSearchParams(location.search);
const scenario = params.get('scenario') ?? 'gallery';
const N = Number(params.get('n') ?? 100_000);

/** The app's theme variables (renderer/styles/theme.css names and values), so the page looks like the app. */
function themeCss(): string {
  return `:root,[data-theme=light]{color-scheme:light;--bg:#f7f7f5;--surface:#ffffff;--border:#e3e2dd;
    --border-strong:#cfcec8;--text:#1f2023;--text-2:#55565c;--accent:#3553c9;--accent-soft:#e9edfb;--focus:#3d5fe0;
    --chart-grid:#e8e7e2;--chart-axis:#7d7e85;--chart-raw-opacity:0.25;--radius:8px;--radius-small:5px;
    --shadow-pop:0 10px 30px rgba(20,20,30,.14),0 2px 6px rgba(20,20,30,.08)}
  [data-theme=dark]{color-scheme:dark;--bg:#151618;--surface:#1c1d20;--border:#2d2e33;--border-strong:#3c3d44;
    --text:#e6e6e9;--text-2:#a9aab2;--accent:#8ea2f7;--accent-soft:#262c45;--focus:#8ea2f7;--chart-grid:#2c2d32;
    --chart-axis:#8b8c95;--chart-raw-opacity:0.3;--radius:8px;--radius-small:5px;
    --shadow-pop:0 12px 32px rgba(0,0,0,.5),0 2px 8px rgba(0,0,0,.4)}
  body{margin:0;background:var(--bg);color:var(--text);font:14px system-ui,sans-serif}
  main{max-width:1100px;margin:0 auto;padding:16px} h2{font-size:14px;margin:18px 0 8px;font-weight:600}
  section.case{margin-bottom:8px}`;
}

// ---- data ----

let runs: FakeRun[] = [];
const cases: { id: string; title: string; runIds: string[] }[] = [];

function buildGallery(): void {
  runs = threeRuns(N);
  const [sh, xl, xlh2] = runs;
  cases.push({
    id: 'three-runs',
    title: `Three runs, ${N.toLocaleString('en-US')} steps each`,
    runIds: [xl.id, xlh2.id, sh.id],
  });
  const mix = makeRun('run-mixture', 'teach-mixture', 0.6, 7);
  appendTrain(mix, 3000, { accuracy: true });
  appendVal(mix, 0, 100, ['copy', 'reverse', 'recall']);
  appendRoutingReports(mix, 0, 50, 4);
  cases.push({ id: 'teaching', title: 'Teaching mixture: accuracy per task', runIds: [mix.id] });
  const dense = makeRun('run-dense', 'cpu-xl', 1.9, 8);
  appendTrain(dense, 2000);
  appendVal(dense, 0, 200);
  cases.push({ id: 'dense', title: 'Dense run (no routing)', runIds: [dense.id] });
  makeRun('run-waiting', 'cpu-switchhead-k2', 1.8, 9);
  cases.push({ id: 'waiting', title: 'Started, no step yet', runIds: ['run-waiting'] });
  const one = makeRun('run-one', 'cpu-switchhead-k2', 1.8, 10);
  appendTrain(one, 1);
  appendRoutingReports(one, 0, 1);
  cases.push({ id: 'one-point', title: 'One step', runIds: [one.id] });
  const nan = makeRun('run-nan', 'cpu-switchhead-k2', 1.8, 11);
  appendTrain(nan, 800, { nanAt: new Set([300, 301, 302, 650]) });
  appendVal(nan, 0, 100);
  cases.push({ id: 'nan', title: 'NaN losses (gaps)', runIds: [nan.id] });
  cases.push({ id: 'no-runs', title: 'No runs', runIds: [] });
  flushTouches();
}

// ---- UI ----

function Case({ c }: { c: (typeof cases)[number] }) {
  const [view, setView] = useState<PanelsView>(DEFAULT_PANELS_VIEW);
  return (
    <section className="case" aria-label={c.title} data-case={c.id}>
      <h2>{c.title}</h2>
      <PanelGrid runIds={c.runIds} view={view} onViewChange={(p) => setView((v) => ({ ...v, ...p }))} label={c.title} />
    </section>
  );
}

function LossOnly() {
  const [view, setView] = useState<PanelsView>(DEFAULT_PANELS_VIEW);
  const ids = runs.map((r) => r.id);
  return (
    <section className="case" aria-label="Loss" data-case="loss" style={{ maxWidth: 560 }}>
      <LossPanel runIds={ids} view={view} onViewChange={(p) => setView((v) => ({ ...v, ...p }))} />
    </section>
  );
}

function Page() {
  return <main>{scenario === 'loss' ? <LossOnly /> : cases.map((c) => <Case key={c.id} c={c} />)}</main>;
}

// ---- driving it from the test and the bench ----

const exports: { name: string; mime: string; text?: string; bytes?: number[] }[] = [];
setExportTarget(async (name, data, mime) => {
  exports.push(typeof data === 'string' ? { name, mime, text: data } : { name, mime, bytes: Array.from(data) });
  return { saved: true, path: null };
});

const longTasks: number[] = [];
try {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
} catch {
  // no longtask support: the bench says so
}

/** Append `n` steps to every run, then time from the append to the end of the frame that painted it. */
/** The series paths of the loss chart, as a string that changes when any of them is redrawn. */
function lossPaths(fig: Element): string {
  return Array.from(fig.querySelectorAll('path.swc-line'), (p) => p.getAttribute('d') ?? '').join('|');
}

/** Append `n` steps to every run and time it until the loss chart's paths are redrawn and laid out. Charts take new
 *  data in a task of their own (renderer/charts/stagger.tsx), so the time runs from the append, through React's
 *  render of the panel and the chart's staggered commit, to a forced style and layout of the new paths. */
function redrawOnce(n: number): Promise<number> {
  return new Promise((done, fail) =>
    requestAnimationFrame(() => {
      const fig = document.querySelector('figure[aria-label="loss"]');
      if (!fig) return fail(new Error('no loss chart on the page'));
      const before = lossPaths(fig);
      const t0 = performance.now();
      const timer = setTimeout(() => (mo.disconnect(), fail(new Error('the loss chart was not redrawn in 5 s'))), 5000);
      const mo = new MutationObserver(() => {
        if (lossPaths(fig) === before) return; // another part of the chart changed first
        mo.disconnect();
        clearTimeout(timer);
        fig.getBoundingClientRect(); // style and layout of the new paths, now
        done(performance.now() - t0);
      });
      mo.observe(fig, { subtree: true, attributes: true, childList: true });
      for (const r of runs) appendTrain(r, n);
      flushTouches(); // the runs store's once-per-frame version bump, now
    }),
  );
}

declare global {
  interface Window {
    __charts: {
      ready: boolean;
      setTheme(m: 'light' | 'dark'): void;
      redrawOnce(n: number): Promise<number>;
      exports: typeof exports;
      longTasks: number[];
      longTaskSupported: boolean;
    };
  }
}

const style = document.createElement('style');
style.textContent = themeCss();
document.head.appendChild(style);
document.documentElement.dataset.theme = params.get('theme') === 'dark' ? 'dark' : 'light';
if (scenario === 'loss') {
  runs = threeRuns(N);
} else buildGallery();
createRoot(document.getElementById('root') ?? document.body.appendChild(document.createElement('div'))).render(
  <StrictMode>
    <Page />
  </StrictMode>,
);
window.__charts = {
  ready: true,
  setTheme: (m) => (document.documentElement.dataset.theme = m),
  redrawOnce,
  exports,
  longTasks,
  longTaskSupported: PerformanceObserver.supportedEntryTypes?.includes('longtask') ?? false,
};

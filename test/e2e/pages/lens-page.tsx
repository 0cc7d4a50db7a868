// Standalone page for `npm run bench:ui` (lens_render_ms) and the lens e2e checks: the routing lens (LensView, no
// host, no worker) on a synthetic probe of ?tokens=256 tokens, ?layers=4 layers, ?heads=2 heads, ?experts=8 experts,
// k = 2, source and destination selections. window.__lens mounts it and times mount-to-painted, a layer/head switch
// and a hover, each measured to the end of the frame that painted it.
import '../../../renderer/cells/inspect/inspect.css';
import { useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import type { ProbeReport, ProbeSelection } from '../../../engine/contracts/reports';
import { lensColors } from '../../../renderer/cells/inspect/lens-colors';
import { hoverStore } from '../../../renderer/cells/inspect/lens-state';
import { LensView } from '../../../renderer/cells/inspect/lens-view';
import { sideNames } from '../../../renderer/cells/inspect/token-routing';
import { readChartTheme } from '../../../renderer/charts/theme';

const params = new URLSearchParams(location.search);
const T = Number(params.get('tokens') ?? 256);
const L = Number(params.get('layers') ?? 4);
const H = Number(params.get('heads') ?? 2);
const E = Number(params.get('experts') ?? 8);
const K = 2;

/** Mulberry32: a small deterministic generator. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function selection(r: () => number): ProbeSelection {
  const scores = Array.from({ length: T }, () => Array.from({ length: H }, () => Array.from({ length: E }, () => r())));
  const idx = scores.map((row) =>
    row.map((s) =>
      s
        .map((v, e) => [v, e])
        .sort((a, b) => b[0] - a[0])
        .slice(0, K)
        .map(([, e]) => e),
    ),
  );
  const gates = idx.map((row, t) => row.map((ix, h) => ix.map((e) => scores[t][h][e])));
  return { scores, idx, gates };
}

/** A probe report shaped like the engine's (nested arrays), different for every seed. */
export function syntheticProbe(seed: number): ProbeReport {
  const r = rng(seed);
  const words = 'The quick brown fox jumps over the lazy dog. '.split('');
  const tokens = Array.from({ length: T }, (_, t) => words[t % words.length]);
  const layers = Array.from({ length: L }, (_, layer) => ({
    layer,
    attention: Array.from({ length: H }, () =>
      Array.from({ length: T }, (_, q) => {
        const row = Array.from({ length: T }, (_, k) => (k <= q ? r() ** 4 : 0));
        const sum = row.reduce((a, b) => a + b, 0);
        return row.map((v) => v / sum);
      }),
    ),
    src: selection(r),
    dst: selection(r),
  }));
  return { step: 100, text: tokens.join(''), tokens, targets: tokens.slice(1).concat(['.']), layers };
}

const names = sideNames({ kind: 'switchhead' });
const hover = hoverStore('benchpg1');
let setView: (v: { layer: number; head: number }) => void = () => {};

function Lens({ report }: { report: ProbeReport }) {
  const [view, set] = useState({ layer: 0, head: 0 });
  setView = set;
  return (
    <LensView
      report={report}
      baseline={null}
      layer={view.layer}
      head={view.head}
      width={1060}
      names={names}
      colors={lensColors(readChartTheme())}
      hover={hover}
      onPick={() => {}}
      exportRun="bench"
    />
  );
}

/** Run `change` in a frame, then resolve with the time until that frame was painted (ms). */
function timeFrame(change: () => void): Promise<number> {
  return new Promise((done) =>
    requestAnimationFrame(() => {
      const t0 = performance.now();
      change();
      window.__lens.lastScriptMs = performance.now() - t0;
      const ch = new MessageChannel();
      ch.port1.onmessage = () => done(performance.now() - t0);
      ch.port2.postMessage(0);
    }),
  );
}

const host = document.getElementById('root') ?? document.body.appendChild(document.createElement('div'));
let root: Root | null = null;

declare global {
  interface Window {
    __lens: {
      ready: boolean;
      /** Mount the lens on a fresh probe (seed) and time mount-to-painted. */
      mount(seed: number): Promise<number>;
      unmount(): void;
      switchTo(layer: number, head: number): Promise<number>;
      hover(t: number): Promise<number>;
      shape: { tokens: number; layers: number; heads: number; experts: number };
      /** The last measured frame's script part (render, commit, canvas drawing), before style, layout and paint. */
      lastScriptMs: number;
    };
  }
}

const style = document.createElement('style');
style.textContent = `:root{--bg:#f7f7f5;--surface:#ffffff;--surface-2:#f2f2ef;--border:#e3e2dd;--border-strong:#cfcec8;
  --text:#1f2023;--text-2:#55565c;--text-3:#7d7e85;--accent:#3553c9;--focus:#3d5fe0;--warn:#8a4b00;--warn-bg:#fff3df;
  --warn-border:#f1c98a;--font-mono:ui-monospace,monospace}
  body{margin:0;background:var(--bg);color:var(--text);font:14px system-ui,sans-serif} #root{padding:12px}
  .visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}`;
document.head.appendChild(style);

window.__lens = {
  ready: true,
  lastScriptMs: 0,
  shape: { tokens: T, layers: L, heads: H, experts: E },
  mount(seed) {
    const report = syntheticProbe(seed); // built before the clock starts: the lens's own work is measured
    return timeFrame(() => {
      root ??= createRoot(host);
      flushSync(() => root!.render(<Lens key={seed} report={report} />));
    });
  },
  unmount() {
    flushSync(() => root?.render(null));
  },
  switchTo: (layer, head) => timeFrame(() => flushSync(() => setView({ layer, head }))),
  hover: (t) => timeFrame(() => flushSync(() => hover.set({ row: t, col: t }))),
};

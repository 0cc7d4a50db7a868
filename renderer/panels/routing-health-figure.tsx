// A figure with the charts' Export menu (SVG, PNG 2x, CSV, JSON) for views that are not line charts: the routing
// health heatmaps, the walkthrough's number strips and matrices, the atlas's signature. SVG comes from the first
// <svg> inside the figure (wrapped as a standalone figure by the charts' figureSvg) or from the owner's own markup
// (a canvas heatmap); PNG rasterises that SVG at 2x; CSV and JSON come from the owner. Plus the colour helpers these
// views share (a diverging scale whose zero is the surface colour, so it reads in both themes).
import { memo, useCallback, useRef, type ReactNode } from 'react';
import { ChartToolbar, type ExportKind } from '../charts/chart-toolbar';
import { exportFileName } from '../charts/export-data';
import { figureSvg } from '../charts/export-image';
import { parseHex, runColor, type ThemeMode } from '../charts/palette';
import { saveFigure } from '../charts/save';
import { ensureChartStyles } from '../charts/styles';
import { useChartTheme, type ChartTheme } from '../charts/theme';
import { DEFAULT_VIEW } from '../charts/chart-model';
import { ensureHealthStyles } from './routing-health-styles';

export interface ExportFigureProps {
  title: string;
  /** The title of exported files and figures when it says more than the one shown (default: `title`). */
  exportTitle?: string;
  children: ReactNode;
  exportData: () => { csv: string; json: string };
  /** Standalone SVG markup of the figure (canvas views); absent: the first <svg> inside, wrapped with the title. */
  exportSvg?: (theme: ChartTheme) => { markup: string; width: number; height: number };
  className?: string;
  actions?: ReactNode; // controls next to the title (a step slider, a sort order)
  notes?: string[];
}

const NO_CONTROLS = { xAxis: false, logX: false, logY: false, smoothing: false };
const noop = () => {};

export const ExportFigure = memo(function ExportFigure(p: ExportFigureProps) {
  ensureChartStyles();
  ensureHealthStyles();
  const theme = useChartTheme();
  const body = useRef<HTMLDivElement>(null);
  const { title, exportData, exportSvg } = p;
  const fileTitle = p.exportTitle ?? title;
  const onExport = useCallback(
    async (kind: ExportKind) => {
      try {
        await saveFigure(
          kind,
          (k) => exportFileName(fileTitle, k),
          (k) => exportData()[k],
          () => {
            if (exportSvg) return exportSvg(theme);
            const svg = body.current?.querySelector<SVGSVGElement>('svg');
            if (!svg) throw new Error(`nothing drawn in "${title}" yet`);
            return figureSvg(svg, { title: fileTitle, theme, legend: [], xLabel: '', notes: p.notes });
          },
        );
      } catch (err) {
        window.alert(`Export failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    [title, fileTitle, exportData, exportSvg, theme, p.notes],
  );
  return (
    <figure className={`swc-chart ${p.className ?? ''}`} aria-label={title}>
      <div className="swc-head">
        <span className="swc-title" title={title}>
          {title}
        </span>
        {p.actions}
        <ChartToolbar
          view={DEFAULT_VIEW}
          onViewChange={noop}
          controls={NO_CONTROLS}
          onExport={onExport}
          macsAvailable={false}
        />
      </div>
      <div ref={body} className="hx-body">
        {p.children}
      </div>
      {p.notes && p.notes.length > 0 && <p className="swc-notes">{p.notes.join(' · ')}</p>}
    </figure>
  );
});

// ---- colours ----

function mix(a: [number, number, number], b: [number, number, number], t: number): string {
  const c = a.map((x, i) => Math.round(x + (b[i]! - x) * t));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** The two ends of the diverging scale: Okabe-Ito blue (positive) and vermillion/orange (negative). */
export function signColors(mode: ThemeMode): { pos: string; neg: string } {
  return { pos: runColor(0, mode), neg: runColor(1, mode) };
}

/** A diverging scale on [-1, 1]: negative -> the theme's surface at 0 -> positive (readable in both themes). */
export function divergingColor(mode: ThemeMode, surface: string): (t: number) => string {
  const { pos, neg } = signColors(mode);
  const s = parseHex(surface.startsWith('#') ? surface : mode === 'dark' ? '#1c1d20' : '#ffffff');
  const P = parseHex(pos),
    N = parseHex(neg);
  return (t) => {
    const v = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0;
    return v >= 0 ? mix(s, P, v) : mix(s, N, -v);
  };
}

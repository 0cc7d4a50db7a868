// The frame every chart shares: a figure named by its title, the toolbar, the plot body (measured, so the plot is
// drawn at its real pixel width by its owner), the hover layer, the axis label, the legend, notes, and the exports (SVG, PNG 2x,
// CSV, JSON) through the Platform. The plot itself is a render prop, memoised by the chart that owns it.
import { memo, useCallback, useRef, type ReactNode } from 'react';
import type { ChartView } from './chart-model';
import { ChartToolbar, type ExportKind, type ToolbarControls } from './chart-toolbar';
import { exportFileName } from './export-data';
import { figureSvg, type LegendItem } from './export-image';
import { HoverLayer, type Readout } from './hover-layer';
import { plotRect, xScale } from './plot-geometry';
import { saveFigure } from './save';
import { ensureChartStyles } from './styles';
import { useChartTheme } from './theme';

export interface FrameLegendItem extends LegendItem {
  key: string;
  area?: boolean;
}

export interface ChartFrameProps {
  title: string;
  view: ChartView;
  onViewChange: (patch: Partial<ChartView>) => void;
  controls: ToolbarControls;
  macsAvailable: boolean;
  height: number;
  empty: boolean;
  emptyText: string;
  legend: FrameLegendItem[];
  notes: string[];
  xLabel: string;
  xTitle: string; // the axis' explanation (tooltip)
  xDomain: [number, number] | null; // for the hover layer (null: nothing drawn)
  zoomed: boolean;
  onZoom: (range: [number, number]) => void;
  onResetZoom: () => void;
  lookup: (x: number) => Readout | null;
  exportData: () => { csv: string; json: string };
  renderPlot: () => ReactNode;
  measureRef: (el: HTMLDivElement | null) => void; // the owner measures the body (its model depends on the width)
  width: number;
}

export const ChartFrame = memo(function ChartFrame(p: ChartFrameProps) {
  ensureChartStyles();
  const theme = useChartTheme();
  const body = useRef<HTMLDivElement | null>(null);
  const { measureRef, width } = p;
  const bodyRef = useCallback(
    (el: HTMLDivElement | null) => {
      body.current = el;
      measureRef(el);
    },
    [measureRef],
  );
  const rect = plotRect(width, p.height);
  const { title, legend, notes, xLabel, exportData } = p;

  const onExport = useCallback(
    async (kind: ExportKind) => {
      try {
        await saveFigure(
          kind,
          (k) => exportFileName(title, k),
          (k) => exportData()[k],
          () => {
            const svg = body.current?.querySelector<SVGSVGElement>('svg.recharts-surface');
            if (!svg) throw new Error(`nothing drawn in "${title}" yet`);
            return figureSvg(svg, { title, theme, legend, xLabel, notes });
          },
        );
      } catch (err) {
        // the export failed: say so where the user clicked (an alert is the one place every host shows)
        window.alert(`Export failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    },
    [title, theme, legend, xLabel, notes, exportData],
  );

  const scale = p.xDomain ? xScale(p.xDomain, p.view.logX, rect) : null;
  return (
    <figure className="swc-chart" aria-label={title}>
      <div className="swc-head">
        <span className="swc-title" title={title}>
          {title}
        </span>
        {!p.empty && (
          <ChartToolbar
            view={p.view}
            onViewChange={p.onViewChange}
            controls={p.controls}
            onExport={onExport}
            macsAvailable={p.macsAvailable}
          />
        )}
      </div>
      <div className="swc-body" ref={bodyRef} style={{ height: p.height }}>
        {p.empty ? (
          <div className="swc-empty" role="status">
            {p.emptyText}
          </div>
        ) : (
          width > 0 && (
            <>
              {p.renderPlot()}
              {p.zoomed && (
                <button
                  type="button"
                  className="swc-reset"
                  style={{ top: rect.top + 4, right: width - rect.left - rect.width + 4 }}
                  onClick={p.onResetZoom}
                  title="Show the whole x range (or double-click the chart)"
                >
                  Reset zoom
                </button>
              )}
              {scale && (
                <HoverLayer
                  rect={rect}
                  width={width}
                  scale={scale}
                  lookup={p.lookup}
                  onZoom={p.onZoom}
                  onResetZoom={p.onResetZoom}
                />
              )}
            </>
          )
        )}
      </div>
      {!p.empty && (
        <div className="swc-xlabel" title={p.xTitle}>
          {xLabel}
        </div>
      )}
      {legend.length > 0 && !p.empty && (
        <div className="swc-legend" aria-label="Legend">
          {legend.map((l) => (
            <span key={l.key} title={l.label}>
              <span
                className={l.area ? 'swc-swatch swc-area' : 'swc-swatch'}
                style={
                  l.area
                    ? { background: l.color }
                    : { borderColor: l.color, borderTopStyle: l.dash ? 'dashed' : 'solid' }
                }
              />
              {l.label}
            </span>
          ))}
        </div>
      )}
      {notes.length > 0 && <p className="swc-notes">{notes.join(' · ')}</p>}
    </figure>
  );
});

// A small labelled heatmap (expert x expert co-occurrence, token type x expert signature): one SVG rect per cell with
// its value in a <title>, row and column labels, optional outlines, and a colour bar with its end values. At most a
// few thousand cells, so plain SVG: the Export menu's SVG is the figure as drawn, and the PNG its 2x raster.
import { memo } from 'react';
import { luminance, useChartTheme } from '../charts/theme';

export interface MatrixHeatmapProps {
  label: string; // accessible name
  values: readonly (readonly number[])[]; // [rows][cols]
  rowLabels: readonly string[];
  colLabels: readonly string[];
  color: (v: number) => string;
  format: (v: number) => string;
  cell?: { w: number; h: number };
  rowTitle?: string; // what the rows are ("V expert", "token")
  colTitle?: string;
  marks?: (r: number, c: number) => boolean;
  legend?: { min: number; max: number; title: string; format?: (v: number) => string };
  /** Write each value inside its cell (small matrices). */
  inline?: boolean;
}

export const MatrixHeatmap = memo(function MatrixHeatmap(p: MatrixHeatmapProps) {
  const theme = useChartTheme();
  const rows = p.values.length,
    cols = p.values[0]?.length ?? 0;
  const cw = p.cell?.w ?? 28,
    ch = p.cell?.h ?? 18;
  const rowLabelW = Math.min(96, 14 + 6.6 * Math.max(2, ...p.rowLabels.map((l) => l.length)));
  const left = rowLabelW + (p.rowTitle ? 14 : 0);
  const top = (p.colTitle ? 14 : 0) + 16;
  const legendH = p.legend ? 34 : 0;
  const W = Math.max(left + cols * cw + 8, p.legend ? left + 156 + p.legend.title.length * 6.2 : 0),
    H = top + rows * ch + 6 + legendH;
  const font = Math.min(11, ch - 4);
  const steps = 24;
  return (
    <svg
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={p.label}
      fontFamily={theme.monoFamily}
      fontSize={font}
      data-rows={rows}
      data-cols={cols}
    >
      {p.colTitle && (
        <text x={left + (cols * cw) / 2} y={10} textAnchor="middle" fill={theme.fgMuted} fontFamily={theme.fontFamily}>
          {p.colTitle}
        </text>
      )}
      {p.rowTitle && (
        <text
          transform={`translate(10 ${top + (rows * ch) / 2}) rotate(-90)`}
          textAnchor="middle"
          fill={theme.fgMuted}
          fontFamily={theme.fontFamily}
        >
          {p.rowTitle}
        </text>
      )}
      {p.colLabels.map((c, j) => (
        <text key={j} x={left + j * cw + cw / 2} y={top - 4} textAnchor="middle" fill={theme.fgMuted}>
          {c}
        </text>
      ))}
      {p.rowLabels.map((r, i) => (
        <text
          key={i}
          className="hx-row"
          x={left - 5}
          y={top + i * ch + ch / 2 + font / 2 - 1}
          textAnchor="end"
          fill={theme.fg}
          xmlSpace="preserve"
        >
          {r}
        </text>
      ))}
      {p.values.map((row, i) =>
        row.map((v, j) => {
          const x = left + j * cw,
            y = top + i * ch;
          const fill = p.color(v);
          return (
            <g key={`${i}-${j}`}>
              <rect x={x} y={y} width={cw} height={ch} fill={fill} stroke={theme.surface} strokeWidth={0.5}>
                <title>{`${p.rowLabels[i]} × ${p.colLabels[j]}: ${p.format(v)}`}</title>
              </rect>
              {p.inline && (
                <text
                  x={x + cw / 2}
                  y={y + ch / 2 + font / 2 - 1}
                  textAnchor="middle"
                  fill={(luminance(fill) ?? 1) < 0.3 ? '#ffffff' : '#15171a'}
                  pointerEvents="none"
                >
                  {p.format(v)}
                </text>
              )}
              {p.marks?.(i, j) && (
                <rect
                  x={x + 1}
                  y={y + 1}
                  width={cw - 2}
                  height={ch - 2}
                  fill="none"
                  stroke={theme.fg}
                  strokeWidth={1.5}
                />
              )}
            </g>
          );
        }),
      )}
      {p.legend && (
        <g transform={`translate(${left} ${top + rows * ch + 12})`}>
          {Array.from({ length: steps }, (_, s) => {
            const v = p.legend!.min + ((p.legend!.max - p.legend!.min) * (s + 0.5)) / steps;
            return <rect key={s} x={(s * 140) / steps} y={0} width={140 / steps + 0.5} height={8} fill={p.color(v)} />;
          })}
          <text x={0} y={20} fill={theme.fgMuted} fontSize={10}>
            {(p.legend.format ?? p.format)(p.legend.min)}
          </text>
          <text x={140} y={20} textAnchor="end" fill={theme.fgMuted} fontSize={10}>
            {(p.legend.format ?? p.format)(p.legend.max)}
          </text>
          <text x={148} y={8} fill={theme.fgMuted} fontSize={10} fontFamily={theme.fontFamily}>
            {p.legend.title}
          </text>
        </g>
      )}
    </svg>
  );
});

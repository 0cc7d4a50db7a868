// The walkthrough's numbers drawn small: a vector as a strip of bars (signed around a centre line, or 0..1 from the
// bottom), with each value written under its bar when there are few; a matrix as a small heatmap with its row and
// column labels; outlined entries (chosen experts, the strongest attention). Plain SVG with every colour written
// out, so the Export menu's SVG and PNG are the figure as shown. Every bar and cell names its value in a <title>.
import { memo } from 'react';
import { sequentialColor } from '../../../charts/palette';
import { useChartTheme, type ChartTheme } from '../../../charts/theme';
import { divergingColor, signColors } from '../../../panels/routing-health-figure';
import type { MatrixItem, VectorItem } from './walkthrough-stages';

const fmt = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function range(values: readonly number[]): { min: number; max: number; absMax: number } {
  let min = Infinity,
    max = -Infinity;
  for (const v of values)
    if (Number.isFinite(v)) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  if (min > max) min = max = 0;
  return { min, max, absMax: Math.max(Math.abs(min), Math.abs(max)) || 1 };
}

/** Bars per value: wide with numbers for short vectors, thin for long ones. */
export function stripGeometry(n: number): { bar: number; numbers: boolean } {
  if (n <= 16) return { bar: 36, numbers: true };
  if (n <= 40) return { bar: 9, numbers: false };
  return { bar: Math.max(3, Math.min(6, Math.floor(360 / n))), numbers: false };
}

export const VectorStrip = memo(function VectorStrip({ item }: { item: VectorItem }) {
  const theme = useChartTheme();
  const n = item.values.length;
  const { bar, numbers } = stripGeometry(n);
  const H = 56,
    labelH = numbers ? 30 : 14,
    left = 4;
  const W = left + n * bar + 4;
  const { min, max, absMax } = range(item.values);
  const { pos, neg } = signColors(theme.mode);
  const signed = item.scale === 'signed';
  const base = signed ? H / 2 : H;
  const marks = new Set(item.marks ?? []);
  const label = `${item.title}: ${n} numbers from ${fmt(min, 3)} to ${fmt(max, 3)}`;
  return (
    <svg
      width={W}
      height={H + labelH}
      viewBox={`0 0 ${W} ${H + labelH}`}
      role="img"
      aria-label={label}
      fontFamily={theme.monoFamily}
      fontSize={10}
    >
      <line x1={left} x2={W - 4} y1={base} y2={base} stroke={theme.border} />
      {item.values.map((v, i) => {
        const x = left + i * bar;
        const size = signed ? (Math.abs(v) / absMax) * (H / 2 - 2) : Math.max(0, Math.min(1, v)) * (H - 2);
        const y = signed ? (v >= 0 ? base - size : base) : H - size;
        const fill = signed ? (v >= 0 ? pos : neg) : pos;
        return (
          <g key={i}>
            <title>{`${item.labels[i] ?? i}: ${fmt(v, 4)}`}</title>
            <rect x={x + 1} y={y} width={Math.max(1, bar - 2)} height={Math.max(0.5, size)} fill={fill} />
            {marks.has(i) && (
              <rect
                x={x + 0.5}
                y={1}
                width={bar - 1}
                height={H - 2}
                fill="none"
                stroke={theme.fg}
                strokeWidth={1.5}
                rx={2}
              />
            )}
            {numbers && (
              <>
                <text x={x + bar / 2} y={H + 11} textAnchor="middle" fill={theme.fg}>
                  {fmt(v)}
                </text>
                <text x={x + bar / 2} y={H + 24} textAnchor="middle" fill={theme.fgMuted} fontSize={9}>
                  {shortLabel(item.labels[i] ?? String(i), 6)}
                </text>
              </>
            )}
          </g>
        );
      })}
      {!numbers && (
        <text x={left} y={H + 11} fill={theme.fgMuted} fontSize={9}>
          {`${n} values · min ${fmt(min)} · max ${fmt(max)}`}
        </text>
      )}
    </svg>
  );
});

function shortLabel(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max - 1) + '…';
}

/** Colour of a matrix cell under the item's scale. */
export function cellColor(theme: ChartTheme, scale: MatrixItem['scale'], absMax: number): (v: number) => string {
  if (scale === 'unit') return sequentialColor('gate', theme.mode);
  const div = divergingColor(theme.mode, theme.surface);
  return (v) => div(v / absMax);
}

export const MatrixSvg = memo(function MatrixSvg({ item }: { item: MatrixItem }) {
  const theme = useChartTheme();
  const rows = item.values.length,
    cols = item.values[0]?.length ?? 0;
  const cw = cols <= 8 ? 26 : cols <= 20 ? 14 : 8;
  const ch = rows <= 24 ? 14 : 9;
  const left = 64,
    top = cols <= 20 ? 16 : 4;
  const W = left + cols * cw + 4,
    H = top + rows * ch + 4;
  const flat = item.values.flat();
  const { min, max, absMax } = range(flat);
  const color = cellColor(theme, item.scale, absMax);
  const marks = item.marks;
  return (
    <svg
      width={W}
      height={H}
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={`${item.title}: ${rows} × ${cols} matrix from ${fmt(min, 3)} to ${fmt(max, 3)}`}
      fontFamily={theme.monoFamily}
      fontSize={Math.min(10, ch - 2)}
    >
      {cols <= 20 &&
        item.colLabels.map((c, j) => (
          <text key={j} x={left + j * cw + cw / 2} y={top - 4} textAnchor="middle" fill={theme.fgMuted} fontSize={9}>
            {c}
          </text>
        ))}
      {item.rowLabels.map((r, i) =>
        ch >= 9 ? (
          <text key={i} x={left - 4} y={top + i * ch + ch - 3} textAnchor="end" fill={theme.fgMuted}>
            {shortLabel(r, 9)}
          </text>
        ) : null,
      )}
      {item.values.map((row, i) =>
        row.map((v, j) => (
          <rect key={`${i}-${j}`} x={left + j * cw} y={top + i * ch} width={cw} height={ch} fill={color(v)}>
            <title>{`${item.rowLabels[i] ?? i}, ${item.colLabels[j] ?? j}: ${fmt(v, 4)}`}</title>
          </rect>
        )),
      )}
      {marks?.map((cs, i) =>
        cs.map((j) => (
          <rect
            key={`m${i}-${j}`}
            x={left + j * cw + 1}
            y={top + i * ch + 1}
            width={cw - 2}
            height={ch - 2}
            fill="none"
            stroke={theme.fg}
            strokeWidth={1.5}
          />
        )),
      )}
      <rect x={left} y={top} width={cols * cw} height={rows * ch} fill="none" stroke={theme.border} />
    </svg>
  );
});

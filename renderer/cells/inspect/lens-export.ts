// A lens figure (the attention matrix or a selection heatmap) as a standalone SVG of rectangles (runs of equal colour
// merged, so a 256 x 256 matrix stays lean), and its data as CSV (one row per cell with a value) and JSON. Pure: the
// PNG is this SVG rasterised at 2x (renderer/charts/export-image.ts svgToPng).
import { lutHex } from '../../canvas/color-lut';
import { lutIndex, transferOf, type Transfer } from '../../canvas/matrix-image';

export interface GridFigure {
  title: string; // "attention, layer 0 head 1"
  fileBase: string; // "attention-L0-h1"
  rows: number;
  cols: number;
  values: Float32Array; // [rows * cols]; NaN = no value (left out of the CSV, blank in the SVG)
  outlines: Uint8Array | null; // chosen cells
  rowLabels: readonly string[];
  colLabels: readonly string[];
  rowName: string; // "query", "token"
  colName: string; // "key", "expert"
  valueName: string; // "weight", "gate"
  lut: Uint8ClampedArray;
  transfer: Transfer;
  ticks: readonly number[];
  colors: { text: string; muted: string; surface: string; outline: string; font: string };
  meta: Record<string, string | number | null>; // run, step, layer, head, side
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** SVG markup of the figure: title, labelled axes, the cells, outlines, a legend with numbers. */
export function gridSvg(f: GridFigure): { markup: string; width: number; height: number } {
  const s = Math.max(3, Math.min(24, Math.round(560 / Math.max(f.rows, f.cols))));
  const label = s >= 8;
  const font = Math.min(11, s - 1);
  const maxChars = (xs: readonly string[]) => Math.min(14, Math.max(2, ...xs.map((x) => x.length)));
  const left = label ? 10 + maxChars(f.rowLabels) * font * 0.62 : 12;
  const top = 30 + (label ? 6 + maxChars(f.colLabels) * font * 0.62 : 4);
  const gw = f.cols * s,
    gh = f.rows * s;
  const width = Math.ceil(left + gw + 16);
  const height = Math.ceil(top + gh + 56);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${esc(f.colors.font)}" font-size="${font}">`,
    `<rect width="${width}" height="${height}" fill="${f.colors.surface}"/>`,
    `<text x="10" y="18" font-size="13" font-weight="600" fill="${f.colors.text}">${esc(f.title)}</text>`,
  );
  if (label) {
    for (let r = 0; r < f.rows; r++)
      out.push(
        `<text x="${(left - 4).toFixed(1)}" y="${(top + (r + 0.5) * s).toFixed(1)}" text-anchor="end" dominant-baseline="central" fill="${f.colors.text}">${esc(f.rowLabels[r])}</text>`,
      );
    for (let c = 0; c < f.cols; c++) {
      const x = (left + (c + 0.5) * s).toFixed(1);
      const y = (top - 4).toFixed(1);
      out.push(
        `<text transform="translate(${x} ${y}) rotate(-90)" dominant-baseline="central" fill="${f.colors.text}">${esc(f.colLabels[c])}</text>`,
      );
    }
  }
  out.push(`<g transform="translate(${left.toFixed(1)} ${top.toFixed(1)})" shape-rendering="crispEdges">`);
  for (let r = 0; r < f.rows; r++) {
    let c = 0;
    while (c < f.cols) {
      const v = f.values[r * f.cols + c];
      if (v !== v) {
        c++;
        continue;
      }
      const i = lutIndex(v, f.transfer);
      let end = c + 1;
      while (end < f.cols) {
        const w = f.values[r * f.cols + end];
        if (w !== w || lutIndex(w, f.transfer) !== i) break;
        end++;
      }
      out.push(`<rect x="${c * s}" y="${r * s}" width="${(end - c) * s}" height="${s}" fill="${lutHex(f.lut, i)}"/>`);
      c = end;
    }
  }
  if (f.outlines) {
    const sw = s >= 8 ? 2 : 1;
    for (let i = 0; i < f.outlines.length; i++)
      if (f.outlines[i])
        out.push(
          `<rect x="${(i % f.cols) * s + sw / 2}" y="${Math.floor(i / f.cols) * s + sw / 2}" width="${s - sw}" height="${s - sw}" fill="none" stroke="${f.colors.outline}" stroke-width="${sw}"/>`,
        );
  }
  out.push(`<rect width="${gw}" height="${gh}" fill="none" stroke="${f.colors.muted}" stroke-width="0.5"/></g>`);
  const ly = top + gh + 18;
  out.push(legend(f, 10, ly), `</svg>`);
  return { markup: '<?xml version="1.0" encoding="UTF-8"?>\n' + out.join('\n') + '\n', width, height };
}

function legend(f: GridFigure, x: number, y: number): string {
  const w = 160,
    n = 32;
  const at = transferOf(f.transfer);
  const parts = [`<text x="${x}" y="${y + 8}" fill="${f.colors.muted}" font-size="10">${esc(f.valueName)}</text>`];
  const bx = x + 60;
  for (let i = 0; i < n; i++)
    parts.push(
      `<rect x="${(bx + (i * w) / n).toFixed(1)}" y="${y}" width="${(w / n + 0.3).toFixed(1)}" height="10" fill="${lutHex(f.lut, Math.round((i / (n - 1)) * 255))}"/>`,
    );
  for (const t of f.ticks)
    parts.push(
      `<text x="${(bx + at(t) * w).toFixed(1)}" y="${y + 22}" text-anchor="middle" fill="${f.colors.muted}" font-size="10">${t}</text>`,
    );
  if (f.outlines)
    parts.push(
      `<rect x="${bx + w + 20}" y="${y}" width="10" height="10" fill="none" stroke="${f.colors.outline}" stroke-width="2"/>`,
      `<text x="${bx + w + 36}" y="${y + 8}" fill="${f.colors.muted}" font-size="10">chosen (top-k)</text>`,
    );
  return parts.join('\n');
}

/** RFC 4180 field. */
const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** One row per cell with a value: row index, row label, column index, column label, value (, chosen). */
export function gridCsv(f: GridFigure): string {
  const head = [f.rowName, `${f.rowName}_text`, f.colName, `${f.colName}_text`, f.valueName];
  if (f.outlines) head.push('chosen');
  const lines = [head.join(',')];
  for (let r = 0; r < f.rows; r++)
    for (let c = 0; c < f.cols; c++) {
      const i = r * f.cols + c;
      const v = f.values[i];
      if (v !== v) continue;
      const row = [String(r), field(f.rowLabels[r]), String(c), field(f.colLabels[c]), String(v)];
      if (f.outlines) row.push(f.outlines[i] ? '1' : '0');
      lines.push(row.join(','));
    }
  return lines.join('\n') + '\n';
}

/** The figure's data as JSON: labels, values [rows][cols] (null = no value), the chosen cells, and what it shows. */
export function gridJson(f: GridFigure): string {
  const values: (number | null)[][] = [];
  const chosen: number[][] = [];
  for (let r = 0; r < f.rows; r++) {
    const row: (number | null)[] = [];
    const picks: number[] = [];
    for (let c = 0; c < f.cols; c++) {
      const v = f.values[r * f.cols + c];
      row.push(v === v ? v : null);
      if (f.outlines?.[r * f.cols + c]) picks.push(c);
    }
    values.push(row);
    chosen.push(picks);
  }
  return JSON.stringify({
    format: 'switchhead-lens-data',
    version: 1,
    title: f.title,
    ...f.meta,
    rows: { name: f.rowName, labels: f.rowLabels },
    cols: { name: f.colName, labels: f.colLabels },
    value: f.valueName,
    values,
    ...(f.outlines ? { chosen } : {}),
  });
}

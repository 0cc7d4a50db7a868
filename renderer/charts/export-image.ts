// A chart as a standalone figure: the drawn SVG wrapped with a title, a legend and the axis label, on the theme's
// surface colour, with every colour and font written out (no CSS variables, no page styles needed); and the same
// figure rasterised to PNG at 2x for slides. Needs a DOM (XMLSerializer, Image, canvas).
import type { ChartTheme } from './theme';

export interface LegendItem {
  label: string;
  color: string;
  dash?: string;
}

export interface FigureOptions {
  title: string;
  theme: ChartTheme;
  legend: LegendItem[];
  xLabel: string;
  notes?: string[];
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const TITLE_H = 26,
  X_LABEL_H = 18,
  LEGEND_ROW_H = 18;

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>) {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function text(content: string, attrs: Record<string, string | number>): SVGTextElement {
  const t = el('text', attrs);
  t.textContent = content;
  return t;
}

/** Legend entries laid out in rows that fit `width`. */
function legendRows(items: LegendItem[], width: number): { item: LegendItem; x: number; row: number }[] {
  const out: { item: LegendItem; x: number; row: number }[] = [];
  let x = 12,
    row = 0;
  for (const item of items) {
    const w = 30 + item.label.length * 6.6;
    if (x + w > width - 8 && x > 12) {
      x = 12;
      row++;
    }
    out.push({ item, x, row });
    x += w + 14;
  }
  return out;
}

/** SVG markup of the chart drawn in `svg` (a recharts surface), as a standalone figure. */
export function figureSvg(svg: SVGSVGElement, opts: FigureOptions): { markup: string; width: number; height: number } {
  const { theme } = opts;
  const w = Math.round(svg.width.baseVal.value || svg.getBoundingClientRect().width);
  const h = Math.round(svg.height.baseVal.value || svg.getBoundingClientRect().height);
  const legend = legendRows(opts.legend, w);
  const legendH = legend.length ? (legend[legend.length - 1].row + 1) * LEGEND_ROW_H + 6 : 0;
  const notesH = opts.notes?.length ? 16 : 0;
  const H = TITLE_H + h + X_LABEL_H + legendH + notesH;
  const root = el('svg', {
    xmlns: SVG_NS,
    width: w,
    height: H,
    viewBox: `0 0 ${w} ${H}`,
    'font-family': theme.fontFamily,
    'font-size': 11,
  });
  root.appendChild(el('rect', { x: 0, y: 0, width: w, height: H, fill: theme.surface }));
  root.appendChild(text(opts.title, { x: 12, y: 18, fill: theme.fg, 'font-size': 13, 'font-weight': 600 }));
  const body = el('g', { transform: `translate(0 ${TITLE_H})` });
  for (const child of Array.from(svg.childNodes)) body.appendChild(child.cloneNode(true));
  root.appendChild(body);
  const xl = TITLE_H + h + 12;
  root.appendChild(text(opts.xLabel, { x: w / 2, y: xl, fill: theme.fgMuted, 'text-anchor': 'middle' }));
  const ly = TITLE_H + h + X_LABEL_H + 12;
  for (const { item, x, row } of legend) {
    const y = ly + row * LEGEND_ROW_H;
    const line = el('line', { x1: x, x2: x + 22, y1: y - 4, y2: y - 4, stroke: item.color, 'stroke-width': 2 });
    if (item.dash) line.setAttribute('stroke-dasharray', item.dash);
    root.appendChild(line);
    root.appendChild(text(item.label, { x: x + 28, y, fill: theme.fg }));
  }
  if (opts.notes?.length)
    root.appendChild(text(opts.notes.join(' · '), { x: 12, y: H - 5, fill: theme.fgMuted, 'font-size': 10 }));
  const markup = '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(root);
  return { markup, width: w, height: H };
}

/** Rasterise SVG markup at `scale` x (PNG bytes). */
export async function svgToPng(markup: string, width: number, height: number, scale = 2): Promise<Uint8Array> {
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('PNG export: this browser gives no 2D canvas');
    ctx.scale(scale, scale);
    ctx.drawImage(img, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((ok) => canvas.toBlob(ok, 'image/png'));
    if (!blob) throw new Error('PNG export: the canvas could not be encoded');
    return new Uint8Array(await blob.arrayBuffer());
  } finally {
    URL.revokeObjectURL(url);
  }
}

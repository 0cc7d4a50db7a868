// The expert atlas of one group as a standalone SVG figure (for the Export menu's SVG and PNG): a title, the source
// line, and per expert its share, top tokens and highest-gate contexts, the text coloured by chosen expert (a tint
// behind each token and a solid underline, the occurrence outlined, the expert number after each run). Monospace
// text, so positions are computed from the character count. Pure (returns markup); no DOM.
import type { AtlasGroup, AtlasReport } from '../../../../engine/contracts/reports';
import type { ChartTheme } from '../../../charts/theme';
import { colourSpans, contextWindow, expertSummaries, nameTable, visibleToken } from './atlas-data';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface AtlasSvgOptions {
  title: string;
  theme: ChartTheme;
  colors: readonly string[];
  radius: number;
  separator: string;
  fontPx?: number;
}

/** Blend `color` over `base` (both "#rrggbb" or rgb()) at `t` (0..1): the tint behind coloured text. */
export function tint(color: string, base: string, t: number): string {
  const rgb = (c: string): number[] => {
    const h = /^#([0-9a-f]{6})$/i.exec(c.trim());
    if (h) return [0, 2, 4].map((i) => parseInt(h[1]!.slice(i, i + 2), 16));
    const m = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
    return m ? [m[1], m[2], m[3]].map(Number) : [128, 128, 128];
  };
  const a = rgb(color),
    b = rgb(base);
  return `rgb(${a.map((v, i) => Math.round(b[i]! + (v - b[i]!) * t)).join(', ')})`;
}

export function atlasSvg(
  r: AtlasReport,
  g: AtlasGroup,
  o: AtlasSvgOptions,
): { markup: string; width: number; height: number } {
  const { theme } = o;
  const px = o.fontPx ?? 12;
  const cw = px * 0.6; // monospace advance
  const lh = px * 1.9;
  const names = nameTable(r);
  const parts: string[] = [];
  let y = 24,
    width = 480;
  const text = (x: number, s: string, attrs = '') =>
    parts.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`);
  text(12, o.title, `fill="${theme.fg}" font-size="14" font-weight="600" font-family="${esc(theme.fontFamily)}"`);
  y += 18;
  text(
    12,
    `${r.source} · step ${r.step}`,
    `fill="${theme.fgMuted}" font-size="11" font-family="${esc(theme.fontFamily)}"`,
  );
  y += 10;
  for (const s of expertSummaries(r, g)) {
    y += lh;
    parts.push(`<rect x="12" y="${(y - px).toFixed(1)}" width="12" height="12" rx="2" fill="${o.colors[s.expert]}"/>`);
    const head = s.count
      ? `expert ${s.expert} · ${(s.share * 100).toFixed(1)}% of selections · ${s.tokens
          .slice(0, 8)
          .map((t) => `${visibleToken(t.name)} ${t.count}×`)
          .join('  ')}`
      : `expert ${s.expert} · never chosen`;
    text(30, head, `fill="${theme.fg}" font-size="12" font-family="${esc(theme.fontFamily)}"`);
    width = Math.max(width, 30 + head.length * 6.6);
    for (const c of s.contexts) {
      y += lh;
      text(
        16,
        c.gate.toFixed(3),
        `fill="${theme.fgMuted}" font-size="${px - 1}" font-family="${esc(theme.monoFamily)}"`,
      );
      const w = contextWindow(r, g, c.pos, o.radius, names);
      let x = 16 + 6 * cw;
      for (const span of colourSpans(w.cells, c.pos, o.separator)) {
        const wpx = span.text.length * cw;
        const col = o.colors[span.expert] ?? theme.border;
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${(y - px).toFixed(1)}" width="${wpx.toFixed(1)}" height="${(px * 1.35).toFixed(1)}" fill="${tint(col, theme.surface, theme.mode === 'dark' ? 0.38 : 0.3)}"/>`,
          `<rect x="${x.toFixed(1)}" y="${(y + px * 0.35 - 3).toFixed(1)}" width="${wpx.toFixed(1)}" height="3" fill="${col}"/>`,
        );
        if (span.mark)
          parts.push(
            `<rect x="${(x - 1).toFixed(1)}" y="${(y - px - 1).toFixed(1)}" width="${(wpx + 2).toFixed(1)}" height="${(px * 1.35 + 2).toFixed(1)}" fill="none" stroke="${theme.fg}" stroke-width="1.5"/>`,
          );
        text(
          x,
          span.text,
          `fill="${theme.fg}" font-size="${px}" font-family="${esc(theme.monoFamily)}" xml:space="preserve"${span.mark ? ' font-weight="700"' : ''}`,
        );
        x += wpx;
        text(
          x + 1,
          String(span.expert),
          `fill="${theme.fgMuted}" font-size="8" font-family="${esc(theme.monoFamily)}"`,
        );
        x += cw + (o.separator ? cw : 0); // room for the expert number, then the separator
      }
      width = Math.max(width, x + 12);
    }
  }
  const height = Math.ceil(y + 16);
  width = Math.ceil(width);
  const markup =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="${theme.surface}"/>` +
    parts.join('') +
    '</svg>';
  return { markup, width, height };
}

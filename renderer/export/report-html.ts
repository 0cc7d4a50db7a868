// A notebook as ONE self-contained HTML file (issue 9): the title, each cell in order (notes as rendered HTML with
// KaTeX's CSS inlined, figures as inline SVG or PNG data, run tables), readable offline with no network and no
// scripts: a Content-Security-Policy meta tag allows nothing but inline styles, data: images and data: fonts. Pure:
// the sections arrive already rendered (report-collect.ts gathers them in the page); tested in Node.

export interface ReportFigure {
  title: string;
  svg?: string; // standalone SVG markup (an XML declaration is dropped)
  png?: string; // a data:image/png URL (canvas heatmaps)
  width?: number;
  height?: number;
}

export interface ReportTable {
  caption: string;
  head: string[];
  body: string[][];
  numeric?: boolean[]; // per column: right-aligned, monospace
  swatches?: (string | null)[]; // per row: the run's line colour, drawn before the first cell
}

export type ReportSection =
  | { kind: 'note'; html: string } // sanitised HTML (renderer/cells/note/markdown.ts renderMarkdown)
  | {
      kind: 'cell';
      label: string; // "Experiment", "Compare", ...
      title: string;
      lines: string[]; // short paragraphs (the spec in a line, notes on comparability)
      figures: ReportFigure[];
      tables: ReportTable[];
    };

export interface ReportInput {
  title: string;
  notebook: string; // the notebook's name
  exportedAt: string; // ISO time
  engineVersion: string;
  theme: 'light' | 'dark';
  sections: ReportSection[];
  katexCss: string | null; // KaTeX's stylesheet with its fonts as data: URLs (null: the notes hold no math)
}

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]);

/** The page allows nothing to load or run: styles inline, images and fonts only from data: URLs. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

/** Inline SVG markup for the page: no XML declaration or doctype; anything that could run or load is refused. */
export function inlineSvg(markup: string): string {
  const svg = markup
    .replace(/^\s*<\?xml[^>]*\?>\s*/i, '')
    .replace(/^\s*<!DOCTYPE[^>]*>\s*/i, '')
    .trim();
  if (!/^<svg[\s>]/i.test(svg)) throw new Error('report: a figure is not an SVG element');
  // serialised XML escapes "<" and ">" inside attribute values and text, so every tag is one match here
  for (const [tag, name] of svg.matchAll(/<([A-Za-z][\w:-]*)[^>]*>/g)) {
    if (/^(script|foreignObject|image|iframe|object|embed|use|a)$/i.test(name))
      throw new Error(`report: a figure holds a <${name}> element`);
    if (/\son\w+\s*=/i.test(tag) || /href\s*=\s*["'](?!#)/i.test(tag))
      throw new Error('report: a figure holds an event handler or an external reference');
  }
  return svg;
}

const PALETTE = {
  light: { bg: '#f7f7f5', surface: '#ffffff', border: '#e3e2dd', text: '#1f2023', text2: '#55565c', head: '#f2f2ef' },
  dark: { bg: '#151618', surface: '#1c1d20', border: '#2d2e33', text: '#e6e6e9', text2: '#a9aab2', head: '#222327' },
};

function styles(theme: 'light' | 'dark'): string {
  const c = PALETTE[theme];
  return `
:root { color-scheme: ${theme}; }
* { box-sizing: border-box; }
body { margin: 0; background: ${c.bg}; color: ${c.text};
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 32px 24px 64px; }
header.report-head { margin-bottom: 24px; }
header.report-head h1 { margin: 0 0 4px; font-size: 26px; }
header.report-head p { margin: 0; color: ${c.text2}; font-size: 13px; }
section.cell { margin: 0 0 18px; padding: 14px 18px 16px; border: 1px solid ${c.border}; border-radius: 8px;
  background: ${c.surface}; }
.cell-label { margin: 0 0 6px; color: ${c.text2}; font-size: 11px; font-weight: 650; letter-spacing: 0.08em;
  text-transform: uppercase; }
.cell-label span { margin-left: 8px; font: 12px ui-monospace, Menlo, Consolas, monospace; letter-spacing: 0;
  text-transform: none; }
.cell-line { margin: 4px 0; color: ${c.text2}; font-size: 13.5px; }
.note h2, .note h3, .note h4 { margin: 0.6em 0 0.3em; line-height: 1.25; }
.note p { margin: 0.5em 0; }
.note pre, .note code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.92em; }
.note pre { padding: 8px 10px; overflow-x: auto; border-radius: 6px; background: ${c.head}; }
.note table, table.runs { border-collapse: collapse; }
.note td, .note th { padding: 3px 8px; border: 1px solid ${c.border}; }
figure { margin: 12px 0; overflow-x: auto; }
figure svg, figure img { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: 2px; color: ${c.text2}; font-size: 12px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr)); gap: 0 16px; }
.table-wrap { overflow-x: auto; margin: 10px 0 0; }
table.runs { width: 100%; font-size: 13px; font-variant-numeric: tabular-nums; }
table.runs caption { padding-bottom: 4px; color: ${c.text2}; font-size: 12px; text-align: left; }
table.runs th, table.runs td { padding: 4px 8px; border-bottom: 1px solid ${c.border}; text-align: left;
  white-space: nowrap; }
table.runs th { background: ${c.head}; }
table.runs td.num, table.runs th.num { text-align: right; }
table.runs td.num { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 2px; }
footer { margin-top: 32px; color: ${c.text2}; font-size: 12px; }
`;
}

function figureHtml(f: ReportFigure): string {
  const body = f.svg
    ? inlineSvg(f.svg)
    : f.png && /^data:image\/png;base64,[A-Za-z0-9+/=]+$/.test(f.png)
      ? `<img src="${f.png}" alt="${escapeHtml(f.title)}"${f.width ? ` width="${f.width}"` : ''}${f.height ? ` height="${f.height}"` : ''}>`
      : '';
  if (!body) return '';
  // an exported chart draws its own title; a canvas figure gets it as a caption
  const caption = f.svg ? '' : `<figcaption>${escapeHtml(f.title)}</figcaption>`;
  return `<figure aria-label="${escapeHtml(f.title)}">${body}${caption}</figure>`;
}

function tableHtml(t: ReportTable): string {
  const num = (i: number) => (t.numeric?.[i] ? ' class="num"' : '');
  const head = t.head.map((h, i) => `<th scope="col"${num(i)}>${escapeHtml(h)}</th>`).join('');
  const rows = t.body
    .map((r, j) => {
      const sw = t.swatches?.[j];
      const cells = r.map((v, i) => {
        const mark = i === 0 && sw ? `<span class="swatch" style="background:${escapeHtml(sw)}"></span>` : '';
        return `<td${num(i)}>${mark}${escapeHtml(v)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return (
    `<div class="table-wrap"><table class="runs"><caption>${escapeHtml(t.caption)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table></div>`
  );
}

function sectionHtml(s: ReportSection): string {
  if (s.kind === 'note') return `<section class="cell note">${s.html}</section>`;
  const label = `<p class="cell-label">${escapeHtml(s.label)}${s.title ? `<span>${escapeHtml(s.title)}</span>` : ''}</p>`;
  const lines = s.lines.map((l) => `<p class="cell-line">${escapeHtml(l)}</p>`).join('');
  const figs = s.figures.map(figureHtml).filter(Boolean);
  const figures = figs.length > 1 ? `<div class="figures">${figs.join('')}</div>` : figs.join('');
  return `<section class="cell">${label}${lines}${figures}${s.tables.map(tableHtml).join('')}</section>`;
}

/** The whole report page. */
export function reportHtml(r: ReportInput): string {
  const when = r.exportedAt.replace('T', ' ').slice(0, 16);
  return `<!doctype html>
<html lang="en" data-theme="${r.theme}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="SwitchHead Workbench ${escapeHtml(r.engineVersion)}">
<title>${escapeHtml(r.title || r.notebook)}</title>
<style>${styles(r.theme)}</style>
${r.katexCss ? `<style>${r.katexCss.replace(/<\/style/gi, '<\\/style')}</style>\n` : ''}</head>
<body>
<main>
<header class="report-head">
<h1>${escapeHtml(r.title || r.notebook)}</h1>
<p>Notebook “${escapeHtml(r.notebook)}”, exported ${escapeHtml(when)} UTC from SwitchHead Workbench ${escapeHtml(r.engineVersion)}.</p>
</header>
${r.sections.map(sectionHtml).join('\n')}
<footer>A SwitchHead Workbench report: figures are inline SVG, notes are rendered, nothing in this file loads from
the network or runs scripts.</footer>
</main>
</body>
</html>
`;
}

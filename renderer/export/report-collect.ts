// Gathering the HTML report in the page: the notebook's cells in order, notes rendered (sanitised) as the Note
// cell shows them, every chart of a cell as the standalone SVG its own Export > SVG writes (canvas figures as PNG),
// the run tables (an Experiment cell's runs; a Compare cell's table as it is sorted and filtered), then
// report-html.ts puts it together. Needs the DOM: the figures are taken from the cells as drawn.
import { ENGINE_VERSION, ExperimentSpecSchema } from '../../engine/spec';
import { figureSvg, type LegendItem } from '../charts/export-image';
import { readChartTheme } from '../charts/theme';
import { buildCompareModel, compareTitle, rowOfEntry } from '../cells/compare/compare-cell';
import { cellRunIds, type CompareDoc } from '../cells/compare/compare-doc';
import { compareColumns, tableText, type Column } from '../cells/compare/compare-table';
import { specSummary } from '../cells/experiment/spec-summary';
import { renderMarkdown } from '../cells/note/markdown';
import { CELL_KINDS } from '../cells/registry';
import type { CellDoc, CellId, NotebookDoc } from '../state/notebook-schema';
import { useRuns, type RunEntry } from '../state/runs';
import { inlinedKatexCss } from './katex-inline';
import { reportHtml, type ReportFigure, type ReportSection, type ReportTable } from './report-html';

/** A chart frame's legend, read back from its DOM (swatch colour and dash, label). */
function legendOf(fig: Element): LegendItem[] {
  return Array.from(fig.querySelectorAll<HTMLElement>('.swc-legend > span')).map((s) => {
    const sw = s.querySelector<HTMLElement>('.swc-swatch');
    const color = sw ? sw.style.borderColor || sw.style.background || '#888' : '#888';
    return { label: s.textContent ?? '', color, dash: sw?.style.borderTopStyle === 'dashed' ? '5 3' : undefined };
  });
}

/** Every figure of a cell as drawn: charts as standalone SVG, canvas figures as PNG. */
export function cellFigures(cellId: CellId): ReportFigure[] {
  const theme = readChartTheme();
  const out: ReportFigure[] = [];
  for (const fig of Array.from(document.querySelectorAll(`#cell-${cellId} figure`))) {
    const title = fig.getAttribute('aria-label') ?? '';
    const chart = fig.querySelector<SVGSVGElement>('svg.recharts-surface');
    if (chart) {
      const xLabel = fig.querySelector('.swc-xlabel')?.textContent ?? '';
      const notes = (fig.querySelector('.swc-notes')?.textContent ?? '').split(' · ').filter(Boolean);
      const svg = figureSvg(chart, { title, theme, legend: legendOf(fig), xLabel, notes });
      out.push({ title, svg: svg.markup, width: svg.width, height: svg.height });
      continue;
    }
    const canvas = fig.querySelector('canvas');
    if (canvas && canvas.width > 0 && canvas.height > 0)
      out.push({ title, png: canvas.toDataURL('image/png'), width: canvas.clientWidth, height: canvas.clientHeight });
  }
  return out;
}

const ROW_COLUMNS = ['name', 'status', 'params', 'valLoss', 'bpb', 'tokensPerS'];

function table(caption: string, columns: Column[], rows: ReturnType<typeof rowOfEntry>[], swatches?: string[]) {
  const t = tableText(rows, columns);
  const out: ReportTable = { caption, head: t.head, body: t.body, numeric: columns.map((c) => c.numeric) };
  if (swatches) out.swatches = swatches;
  return out;
}

function experimentSection(id: CellId, c: Extract<CellDoc, { kind: 'experiment' }>): ReportSection {
  const parsed = ExperimentSpecSchema.safeParse(c.spec);
  const runs = useRuns.getState().runs;
  const rows = c.runIds
    .map((r) => runs[r])
    .filter((e): e is RunEntry => !!e)
    .map(rowOfEntry);
  const tables: ReportTable[] = [];
  if (rows.length) {
    const cols = compareColumns(rows).filter((col) => ROW_COLUMNS.includes(col.key));
    tables.push(table(`Runs of this cell (${rows.length})`, cols, rows));
  }
  return {
    kind: 'cell',
    label: 'Experiment',
    title: parsed.success ? parsed.data.name : String(c.spec.name ?? ''),
    lines: parsed.success ? [specSummary(parsed.data).join(' · ')] : ['The spec has problems.'],
    figures: cellFigures(id),
    tables,
  };
}

function compareSection(id: CellId, c: CompareDoc, cells: Record<CellId, CellDoc>, mode: 'light' | 'dark') {
  const m = buildCompareModel(c, cellRunIds(c, cells), mode);
  const rows = m.sorted;
  const caption =
    `Runs compared (${rows.length}${rows.length < m.rows.length ? ` of ${m.rows.length}, filter “${c.filter}”` : ''})` +
    (m.hidden.size
      ? `; hidden: ${rows
          .filter((r) => m.hidden.has(r.id))
          .map((r) => m.labels[r.id])
          .join(', ')}`
      : '');
  const t = table(
    caption,
    m.columns,
    rows,
    rows.map((r) => m.coloring.styles[r.id]?.color ?? '#888'),
  );
  t.body = t.body.map((cellsOfRow, i) => [m.labels[rows[i].id] ?? cellsOfRow[0], ...cellsOfRow.slice(1)]);
  return {
    kind: 'cell' as const,
    label: 'Compare',
    title: compareTitle(id, cells),
    lines: m.comp.notes,
    figures: cellFigures(id),
    tables: [t],
  };
}

/** The report's sections, one per cell in order. */
export function reportSections(doc: NotebookDoc, mode: 'light' | 'dark'): ReportSection[] {
  return doc.cellOrder.map((id): ReportSection => {
    const c = doc.cells[id];
    if (c.kind === 'note') return { kind: 'note', html: renderMarkdown(c.source) };
    if (c.kind === 'experiment') return experimentSection(id, c);
    if (c.kind === 'compare') return compareSection(id, c as CompareDoc, doc.cells, mode);
    const label = CELL_KINDS[c.kind]?.label ?? c.kind;
    return { kind: 'cell', label, title: '', lines: [], figures: cellFigures(id), tables: [] };
  });
}

/** The whole report of the notebook as it is on screen. */
export async function buildReport(doc: NotebookDoc, notebook: string): Promise<string> {
  const theme = readChartTheme();
  const sections = reportSections(doc, theme.mode);
  const math = sections.some((s) => s.kind === 'note' && s.html.includes('class="katex'));
  return reportHtml({
    title: doc.title,
    notebook,
    exportedAt: new Date().toISOString(),
    engineVersion: ENGINE_VERSION,
    theme: theme.mode,
    sections,
    katexCss: math ? await inlinedKatexCss() : null,
  });
}

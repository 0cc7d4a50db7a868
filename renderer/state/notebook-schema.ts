// The notebook file format (version 1): `notebooks/<name>.swhnb.json`, validated by zod. A file that is newer than
// this app or fails the schema is reported with a message naming the problem and is never written back.
// Unknown extra fields (on the file and on each cell) are kept, so a round trip loses nothing.
import { z } from 'zod';
import { RunIdSchema } from '../../engine/contracts/platform';

export const NOTEBOOK_FORMAT = 'switchhead-notebook';
export const NOTEBOOK_VERSION = 1;

export const CellIdSchema = z.string().regex(/^[a-z0-9]{8}$/, 'a cell id is 8 characters a-z or 0-9');
export type CellId = string;

const XAxis = z.enum(['step', 'tokens', 'time', 'macs']);
const smoothing = z.number().min(0).max(0.99);

export const ExperimentViewSchema = z
  .object({
    xAxis: XAxis,
    logX: z.boolean(),
    logY: z.boolean(),
    smoothing,
    routingLayer: z.number().int().min(0),
    routingSide: z.enum(['src', 'dst', 'mlp']),
  })
  .passthrough();

export const NoteCellSchema = z.object({ id: CellIdSchema, kind: z.literal('note'), source: z.string() }).passthrough();

export const ExperimentCellSchema = z
  .object({
    id: CellIdSchema,
    kind: z.literal('experiment'),
    preset: z.string().nullable(),
    spec: z.record(z.unknown()), // ExperimentSpecInput JSON; validated live by the cell, not here (a bad spec still opens)
    runIds: z.array(RunIdSchema), // oldest first
    view: ExperimentViewSchema,
  })
  .passthrough();

export const CompareCellSchema = z
  .object({
    id: CellIdSchema,
    kind: z.literal('compare'),
    runIds: z.array(RunIdSchema),
    colors: z.record(z.string()),
    hidden: z.array(z.string()),
    xAxis: XAxis,
    yMetric: z.string(),
    smoothing,
    sort: z.object({ column: z.string(), dir: z.enum(['asc', 'desc']) }).passthrough(),
  })
  .passthrough();

export const InspectCellSchema = z
  .object({
    id: CellIdSchema,
    kind: z.literal('inspect'),
    runId: RunIdSchema.nullable(),
    probeText: z.string().nullable(),
    layer: z.number().int().min(0),
    head: z.number().int().min(0),
    step: z.number().int().min(0).nullable(),
  })
  .passthrough();

export const CellDocSchema = z.discriminatedUnion('kind', [
  NoteCellSchema,
  ExperimentCellSchema,
  CompareCellSchema,
  InspectCellSchema,
]);

export type NoteCell = z.infer<typeof NoteCellSchema>;
export type ExperimentCell = z.infer<typeof ExperimentCellSchema>;
export type CompareCell = z.infer<typeof CompareCellSchema>;
export type InspectCell = z.infer<typeof InspectCellSchema>;
export type ExperimentView = z.infer<typeof ExperimentViewSchema>;
export type CellDoc = z.infer<typeof CellDocSchema>;
export type CellKind = CellDoc['kind'];

export const NotebookFileSchema = z
  .object({
    format: z.literal(NOTEBOOK_FORMAT),
    version: z.literal(NOTEBOOK_VERSION),
    title: z.string(),
    cells: z.array(CellDocSchema),
  })
  .passthrough()
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.cells.forEach((c, i) => {
      if (seen.has(c.id))
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['cells', i, 'id'], message: `duplicate cell id "${c.id}"` });
      seen.add(c.id);
    });
  });

/** The document as the notebook store holds it: an order list plus cells keyed by id (UI-ANCHORS rule 1). */
export interface NotebookDoc {
  title: string;
  cellOrder: CellId[];
  cells: Record<CellId, CellDoc>;
}

/** What a file held besides the document (unknown top-level fields), written back unchanged. */
export type NotebookExtra = Record<string, unknown>;

export type ParsedNotebook =
  | { ok: true; doc: NotebookDoc; extra: NotebookExtra }
  | {
      ok: false;
      kind: 'newer' | 'corrupt';
      problem: string; // completes "“name” ...": "is not valid JSON (...)", "was written by a newer version ..."
      doc: NotebookDoc | null; // the cells that can be read on their own, to show read-only
      cellsInFile: number; // how many cells the file lists
    };

function describe(issue: z.ZodIssue): string {
  const path = issue.path.length ? issue.path.join('.') : '(the file)';
  return `${path}: ${issue.message}`;
}

function toDoc(title: string, cells: CellDoc[]): NotebookDoc {
  return { title, cellOrder: cells.map((c) => c.id), cells: Object.fromEntries(cells.map((c) => [c.id, c])) };
}

/** The cells of a file that could not be read as a whole, one by one (to show read-only); null if none can be. */
function salvage(raw: Record<string, unknown>): NotebookDoc | null {
  if (!Array.isArray(raw.cells)) return null;
  const cells: CellDoc[] = [];
  const seen = new Set<string>();
  for (const c of raw.cells) {
    const r = CellDocSchema.safeParse(c);
    if (r.success && !seen.has(r.data.id)) {
      cells.push(r.data);
      seen.add(r.data.id);
    }
  }
  return cells.length ? toDoc(typeof raw.title === 'string' ? raw.title : '', cells) : null;
}

/** Read a notebook file's text. Never throws: a problem comes back as a message naming it. */
export function parseNotebook(text: string): ParsedNotebook {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      kind: 'corrupt',
      problem: `is not valid JSON (${(e as Error).message})`,
      doc: null,
      cellsInFile: 0,
    };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: false, kind: 'corrupt', problem: 'does not hold a JSON object', doc: null, cellsInFile: 0 };
  const obj = raw as Record<string, unknown>;
  const cellsInFile = Array.isArray(obj.cells) ? obj.cells.length : 0;
  if (obj.format !== NOTEBOOK_FORMAT)
    return {
      ok: false,
      kind: 'corrupt',
      problem: `is not a SwitchHead notebook (format is ${JSON.stringify(obj.format) ?? 'missing'}, expected "${NOTEBOOK_FORMAT}")`,
      doc: null,
      cellsInFile,
    };
  if (typeof obj.version === 'number' && obj.version > NOTEBOOK_VERSION)
    return {
      ok: false,
      kind: 'newer',
      problem: `was written by a newer version of the workbench (file version ${obj.version}; this app reads version ${NOTEBOOK_VERSION})`,
      doc: salvage(obj),
      cellsInFile,
    };
  const r = NotebookFileSchema.safeParse(obj);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 3).map(describe);
    const more = r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : '';
    return {
      ok: false,
      kind: 'corrupt',
      problem: `does not match the notebook format: ${issues.join('; ')}${more}`,
      doc: salvage(obj),
      cellsInFile,
    };
  }
  const { format: _f, version: _v, title, cells, ...extra } = r.data;
  return { ok: true, doc: toDoc(title, cells as CellDoc[]), extra };
}

/** The file text of a document (stable key order: format, version, title, cells, then any kept extra fields). */
export function serializeNotebook(doc: NotebookDoc, extra: NotebookExtra = {}): string {
  const cells = doc.cellOrder.map((id) => doc.cells[id]);
  const file = { format: NOTEBOOK_FORMAT, version: NOTEBOOK_VERSION, title: doc.title, cells, ...extra };
  return JSON.stringify(file, null, 2) + '\n';
}

export function emptyDoc(title: string): NotebookDoc {
  return { title, cellOrder: [], cells: {} };
}

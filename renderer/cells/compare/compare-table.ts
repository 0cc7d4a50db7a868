// The Compare cell's table, as data: its columns (the run, the attention, every spec field that differs between the
// runs, parameters, attention MACs and memory per layer, attention matrices, final validation loss, bits per byte,
// tokens/s, status), each with a sortable value and its text; sorting (numbers as numbers, empty cells last either
// way) and the text filter. Pure: the cell and the HTML report both render it.
import { formatPaper } from '../../../engine/cost';
import { formatCount, formatSI } from '../../charts/format';
import { differingFields, fieldLabels, type CompareRow } from './compare-rows';

export interface Column {
  key: string; // "name", "params", ..., or "spec:<path>" for a spec field
  label: string;
  title: string; // the header's tooltip
  numeric: boolean;
  value(r: CompareRow): number | string | null; // what sorting and colour-by use
  text(r: CompareRow): string; // what the cell shows
}

const dash = (v: string | null | undefined) => v ?? '–';

function numberColumn(
  key: string,
  label: string,
  title: string,
  get: (r: CompareRow) => number | null,
  fmt: (v: number) => string,
): Column {
  return { key, label, title, numeric: true, value: get, text: (r) => (get(r) === null ? '–' : fmt(get(r)!)) };
}

const NAME: Column = {
  key: 'name',
  label: 'run',
  title: 'The run (its spec name); hover for its id',
  numeric: false,
  value: (r) => r.name,
  text: (r) => r.name,
};
const ATTENTION: Column = {
  key: 'attention',
  label: 'attention',
  title: 'The attention: SwitchHead (SH) heads H, experts E, active k; dense heads; MoA experts and active heads',
  numeric: false,
  value: (r) => r.attention,
  text: (r) => r.attention,
};

const TAIL: Column[] = [
  numberColumn(
    'params',
    'params',
    'Parameters of the whole model',
    (r) => r.params,
    (v) => formatSI(v, 3),
  ),
  numberColumn(
    'macs',
    'attn MACs',
    "Attention MACs per layer, forward pass, one sequence (SPEC §6, the paper's formula)",
    (r) => r.macs,
    formatPaper,
  ),
  numberColumn('mem', 'attn mem', 'Attention memory per layer in floats (SPEC §6)', (r) => r.mem, formatPaper),
  numberColumn(
    'matrices',
    'matrices',
    'Attention matrices (softmax maps) computed, all layers',
    (r) => r.matrices,
    (v) => String(v),
  ),
  numberColumn(
    'valLoss',
    'val loss',
    'Final validation loss (nats/token)',
    (r) => r.valLoss,
    (v) => v.toFixed(3),
  ),
  numberColumn(
    'bpb',
    'bits/byte',
    'Final validation bits per byte of text (comparable across tokenizers)',
    (r) => r.bpb,
    (v) => v.toFixed(3),
  ),
  numberColumn('tokensPerS', 'tok/s', 'Training tokens per second', (r) => r.tokensPerS, formatCount),
  {
    key: 'status',
    label: 'status',
    title: 'How the run stands: running, complete, stopped, failed, interrupted, queued',
    numeric: false,
    value: (r) => r.status,
    text: (r) => r.status,
  },
];

/** Spec fields the "attention" column already says (kind, heads, experts, k, a σ-MoE MLP). */
const IN_ATTENTION = new Set([
  'model.attention.kind',
  'model.attention.nHeads',
  'model.attention.nExperts',
  'model.attention.k',
  'model.mlp.kind',
]);

/** The table's columns for these rows: the fixed ones, then a column per other spec field that differs. */
export function compareColumns(rows: readonly CompareRow[]): Column[] {
  const paths = differingFields(rows).filter((p) => !IN_ATTENTION.has(p));
  const labels = fieldLabels(paths);
  const fields: Column[] = paths.map((p) => ({
    key: `spec:${p}`,
    label: labels[p],
    title: `spec field ${p} (differs between these runs)`,
    numeric: rows.every((r) => r.fields[p] === undefined || Number.isFinite(Number(r.fields[p]))),
    value: (r) => {
      const v = r.fields[p];
      if (v === undefined) return null;
      return Number.isFinite(Number(v)) && v !== '' && v !== 'true' && v !== 'false' ? Number(v) : v;
    },
    text: (r) => dash(r.fields[p]),
  }));
  return [NAME, ATTENTION, ...TAIL, ...fields];
}

export interface SortSpec {
  column: string;
  dir: 'asc' | 'desc';
}

/** Rows sorted by a column (numbers numerically, text naturally; empty cells last in both directions). Stable. */
export function sortRows(rows: readonly CompareRow[], columns: readonly Column[], sort: SortSpec): CompareRow[] {
  const col = columns.find((c) => c.key === sort.column);
  if (!col) return [...rows];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows
    .map((r, i) => ({ r, i, v: col.value(r) }))
    .sort((a, b) => {
      if (a.v === null || b.v === null) return a.v === b.v ? a.i - b.i : a.v === null ? 1 : -1;
      const c =
        typeof a.v === 'number' && typeof b.v === 'number'
          ? a.v - b.v
          : String(a.v).localeCompare(String(b.v), 'en', { numeric: true });
      return c === 0 ? a.i - b.i : sign * c;
    })
    .map((x) => x.r);
}

/** The next sort when a header is clicked: the other direction on the same column, else ascending on the new one. */
export function nextSort(current: SortSpec, column: string): SortSpec {
  return current.column === column ? { column, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { column, dir: 'asc' };
}

/** Rows whose text (id and every column's text: name, attention, the differing fields, status...) holds every word
 *  of `query` (any case). */
export function filterRows(rows: readonly CompareRow[], columns: readonly Column[], query: string): CompareRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...rows];
  return rows.filter((r) => {
    const hay = [r.id, ...columns.map((c) => c.text(r))].join(' ').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Each row's cells as text, for the HTML report (and any plain table). */
export function tableText(rows: readonly CompareRow[], columns: readonly Column[]) {
  return { head: columns.map((c) => c.label), body: rows.map((r) => columns.map((c) => c.text(r))) };
}

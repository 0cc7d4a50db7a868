// The expert atlas (engine AtlasReport) turned into what the atlas view shows: the selections it holds (layer, side,
// heads), the text around a position coloured by chosen expert (runs of tokens that share their first-choice
// expert: the Mixtral-paper style, extended to attention heads), the tokens an expert is chosen for, and each token
// type's routing signature sorted by frequency or by dominant expert. Pure; no DOM.
import type { AtlasGroup, AtlasReport, SelectionSide } from '../../../../engine/contracts/reports';
import { displayToken } from '../token-display';

export interface AtlasSlot {
  layer: number;
  side: SelectionSide;
  heads: number;
  experts: number;
  k: number;
}

const SIDE_ORDER: Record<SelectionSide, number> = { src: 0, dst: 1, mlp: 2 };

/** The (layer, side) selections of an atlas, in layer then side order, with their head counts. */
export function atlasSlots(r: Pick<AtlasReport, 'groups'>): AtlasSlot[] {
  const out: AtlasSlot[] = [];
  for (const g of r.groups) {
    const s = out.find((x) => x.layer === g.layer && x.side === g.side);
    if (s) s.heads = Math.max(s.heads, g.head + 1);
    else out.push({ layer: g.layer, side: g.side, heads: g.head + 1, experts: g.experts, k: g.k });
  }
  return out.sort((a, b) => a.layer - b.layer || SIDE_ORDER[a.side] - SIDE_ORDER[b.side]);
}

export function findGroup(
  r: Pick<AtlasReport, 'groups'>,
  layer: number,
  side: SelectionSide,
  head: number,
): AtlasGroup | undefined {
  return r.groups.find((g) => g.layer === layer && g.side === side && g.head === head);
}

/** What a side is called next to its projections: "source (V)", "destination (O)", "MLP experts". */
export function sideName(side: SelectionSide, kind: 'switchhead' | 'moa' | 'other' = 'switchhead'): string {
  if (side === 'mlp') return 'MLP experts';
  if (side === 'dst') return kind === 'moa' ? 'destination (Q, O: MoA)' : 'destination (O)';
  return 'source (V)';
}

// ---- token display ----

/** id -> display name, from the report's type table (every id read has one). */
export function nameTable(r: Pick<AtlasReport, 'types' | 'typeNames'>): Map<number, string> {
  return new Map(r.types.map((id, i) => [id, r.typeNames[i]!]));
}

/** A token as a chip shows it: the lens's display (whitespace visible: space ·, newline ↵), so every tab of the
 *  Inspect cell writes tokens alike. */
export const visibleToken = displayToken;

/** A token as running text shows it: real spaces, line breaks as "↵" (the window stays one line). */
export function textToken(name: string): string {
  if (name === '<0x0a>' || name === '\n') return '↵';
  if (name === '<0x09>' || name === '\t') return '→';
  return name.replace(/\n/g, '↵');
}

// ---- text coloured by chosen expert ----

/** One position of a window: its token and the experts chosen there (highest score first) with their gates. */
export interface TokenCell {
  pos: number; // flat position in the report
  name: string; // display name
  experts: number[]; // [k]
  gates: number[]; // [k]
}

export interface ContextWindow {
  row: number; // the validation row the window lies in
  center: number; // flat position of the occurrence shown
  cells: TokenCell[]; // positions center-radius .. center+radius, cut to the row
}

/** The chosen experts and gates of `group` at flat position `pos`. */
export function chosenAt(
  group: Pick<AtlasGroup, 'idx' | 'gates' | 'k'>,
  pos: number,
): { experts: number[]; gates: number[] } {
  const { k } = group;
  return {
    experts: Array.from(group.idx.subarray(pos * k, pos * k + k)),
    gates: Array.from(group.gates.subarray(pos * k, pos * k + k)),
  };
}

/** The text around position `pos` (at most `radius` tokens each side, never crossing its row), with each token's
 *  chosen experts in `group`. */
export function contextWindow(
  r: Pick<AtlasReport, 'ids' | 'rowLength' | 'tokens'>,
  group: Pick<AtlasGroup, 'idx' | 'gates' | 'k'>,
  pos: number,
  radius: number,
  names: Map<number, string>,
): ContextWindow {
  if (!(pos >= 0 && pos < r.tokens)) throw new Error(`position ${pos} is outside the atlas (${r.tokens} tokens)`);
  const row = Math.floor(pos / r.rowLength);
  const from = Math.max(row * r.rowLength, pos - radius);
  const to = Math.min((row + 1) * r.rowLength - 1, pos + radius);
  const cells: TokenCell[] = [];
  for (let p = from; p <= to; p++) {
    const id = r.ids[p]!;
    cells.push({ pos: p, name: names.get(id) ?? `#${id}`, ...chosenAt(group, p) });
  }
  return { row, center: pos, cells };
}

/** A run of consecutive tokens drawn in one colour: the same first-choice expert; `mark` when it is the occurrence
 *  the window is about (it always forms its own span). */
export interface ColourSpan {
  expert: number; // first choice (highest score) of every token in the span
  from: number; // index into the window's cells (inclusive)
  to: number; // exclusive
  text: string; // the tokens' running text
  mark: boolean;
}

/** Split a window into colour spans: a new span where the first-choice expert changes, and around the marked
 *  position (`separator` joins tokens: '' for bytes, characters and BPE pieces, ' ' for word-like tokens). */
export function colourSpans(cells: readonly TokenCell[], markPos: number | null, separator = ''): ColourSpan[] {
  const spans: ColourSpan[] = [];
  cells.forEach((c, i) => {
    const expert = c.experts[0] ?? -1;
    const mark = c.pos === markPos;
    const last = spans[spans.length - 1];
    if (last && !mark && !last.mark && last.expert === expert) {
      last.to = i + 1;
      last.text += separator + textToken(c.name);
    } else spans.push({ expert, from: i, to: i + 1, text: textToken(c.name), mark });
  });
  return spans;
}

// ---- per expert ----

export interface ExpertSummary {
  expert: number;
  count: number; // selections over all positions
  share: number; // of all selections in the group (sums to 1)
  meanTopGate: number; // mean of its listed highest gates (NaN when never chosen)
  tokens: { name: string; count: number; ofType: number }[]; // top token types; ofType: occurrences of that type
  contexts: { pos: number; gate: number }[];
}

export function expertSummaries(r: AtlasReport, group: AtlasGroup): ExpertSummary[] {
  const total = group.counts.reduce((a, b) => a + b, 0) || 1;
  return group.counts.map((count, e) => {
    const tt = group.topTypes[e] ?? { type: [], count: [] };
    const tc = group.topContexts[e] ?? { pos: [], gate: [] };
    return {
      expert: e,
      count,
      share: count / total,
      meanTopGate: tc.gate.length ? tc.gate.reduce((a, b) => a + b, 0) / tc.gate.length : NaN,
      tokens: tt.type.map((t, i) => ({ name: r.typeNames[t]!, count: tt.count[i]!, ofType: r.typeCounts[t]! })),
      contexts: tc.pos.map((pos, i) => ({ pos, gate: tc.gate[i]! })),
    };
  });
}

// ---- routing signature per token type ----

export type SignatureOrder = 'frequency' | 'dominant';

export interface SignatureRow {
  type: number; // index into the report's types
  name: string;
  count: number; // occurrences
  shares: number[]; // [E] share of its occurrences in which each expert was chosen (sums to k)
  dominant: number; // the expert chosen most often for it (lowest id on ties)
}

/** The signature rows of a group: every type that has one (the S most frequent), in the order asked for.
 *  'frequency': most frequent first (the report's order). 'dominant': grouped by dominant expert (0, 1, ...),
 *  within a group the clearest preference first (higher share), then the more frequent. */
export function signatureRows(r: AtlasReport, group: AtlasGroup, order: SignatureOrder): SignatureRow[] {
  const E = group.experts;
  const rows: SignatureRow[] = [];
  for (let t = 0; t < r.signatureTypes; t++) {
    const shares = Array.from(group.signature.subarray(t * E, (t + 1) * E));
    let dominant = 0;
    for (let e = 1; e < E; e++) if (shares[e]! > shares[dominant]!) dominant = e;
    rows.push({ type: t, name: r.typeNames[t]!, count: r.typeCounts[t]!, shares, dominant });
  }
  if (order === 'dominant')
    rows.sort(
      (a, b) =>
        a.dominant - b.dominant ||
        b.shares[b.dominant]! - a.shares[a.dominant]! ||
        b.count - a.count ||
        a.type - b.type,
    );
  return rows;
}

// ---- export ----

/** RFC 4180 field. */
export function csvField(v: string | number): string {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The signature table as CSV: token, count, then one column per expert (share of occurrences choosing it). */
export function signatureCsv(rows: readonly SignatureRow[], experts: number): string {
  const head = ['token', 'count', 'dominant_expert', ...Array.from({ length: experts }, (_, e) => `expert_${e}`)];
  const lines = [head.join(',')];
  for (const r of rows)
    lines.push([csvField(r.name), r.count, r.dominant, ...r.shares.map((v) => +v.toFixed(6))].join(','));
  return lines.join('\n') + '\n';
}

/** One group of the atlas as plain data (JSON export): per expert its tokens and contexts (as text), and the
 *  signature rows. */
export function groupJson(r: AtlasReport, group: AtlasGroup, radius: number, rows: readonly SignatureRow[]): string {
  const names = nameTable(r);
  const experts = expertSummaries(r, group).map((s) => ({
    expert: s.expert,
    count: s.count,
    share: s.share,
    tokens: s.tokens,
    contexts: s.contexts.map((c) => {
      const w = contextWindow(r, group, c.pos, radius, names);
      return {
        pos: c.pos,
        row: w.row,
        gate: c.gate,
        token: names.get(r.ids[c.pos]!),
        text: w.cells.map((x) => x.name),
        experts: w.cells.map((x) => x.experts),
      };
    }),
  }));
  return JSON.stringify({
    format: 'switchhead-expert-atlas',
    version: 1,
    step: r.step,
    source: r.source,
    tokens: r.tokens,
    layer: group.layer,
    side: group.side,
    head: group.head,
    k: group.k,
    experts,
    signature: rows.map((x) => ({ token: x.name, count: x.count, dominant: x.dominant, shares: x.shares })),
  });
}

/** The per-expert lists as CSV: expert, rank, token (or context text), count or gate. */
export function expertsCsv(r: AtlasReport, group: AtlasGroup, radius: number, separator = ''): string {
  const names = nameTable(r);
  const lines = ['expert,kind,rank,token,count,gate,position,context'];
  for (const s of expertSummaries(r, group)) {
    s.tokens.forEach((t, i) => lines.push([s.expert, 'token', i + 1, csvField(t.name), t.count, '', '', ''].join(',')));
    s.contexts.forEach((c, i) => {
      const w = contextWindow(r, group, c.pos, radius, names);
      const text = w.cells.map((x) => (x.pos === c.pos ? `[${x.name}]` : x.name)).join(separator);
      const tok = names.get(r.ids[c.pos]!) ?? '';
      lines.push([s.expert, 'context', i + 1, csvField(tok), '', +c.gate.toFixed(6), c.pos, csvField(text)].join(','));
    });
  }
  return lines.join('\n') + '\n';
}

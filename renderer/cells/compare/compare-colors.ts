// The colours of a Compare cell's runs. By run: the run's place in the cell (the palette in order), unless the user
// picked a colour for it with its chip; picks are stored as "palette:<i>" so a run keeps its hue family in both
// themes (the palette has a light and a dark version), or as a literal "#rrggbb". By a column: every distinct value
// of the column gets a colour (the palette in value order; a numeric column with more values than the palette has
// colours gets an ordered scale instead), and the key says which value is which colour. Pure.
import { interpolateViridis } from 'd3-scale-chromatic';
import { RUN_PALETTE, runColor, runDash, type ThemeMode } from '../../charts/palette';
import type { CompareRow } from './compare-rows';
import type { Column } from './compare-table';

export const PALETTE_SIZE = RUN_PALETTE.light.length;

/** "palette:3" -> the theme's colour 3; "#rrggbb" as it is; anything else: null. */
export function resolvePick(pick: string | undefined, mode: ThemeMode): string | null {
  if (!pick) return null;
  const m = /^palette:(\d+)$/.exec(pick);
  if (m) return runColor(Number(m[1]), mode);
  return /^#[0-9a-f]{3}([0-9a-f]{3})?$/i.test(pick) ? pick : null;
}

export interface RunStyle {
  color: string;
  dash?: string;
}

export interface ColorKeyItem {
  value: string;
  color: string;
}

export interface Coloring {
  styles: Record<string, RunStyle>; // by run id
  key: ColorKeyItem[]; // colour by a column: value -> colour (empty when colouring by run)
}

/**
 * Styles for the runs (`order`: every run of the cell, its place gives the default colour). `colorBy` "run" (or a
 * column that is gone) colours by run with the user's picks; otherwise by the column's values.
 */
export function runColoring(
  rows: readonly CompareRow[],
  order: readonly string[],
  picks: Record<string, string>,
  colorBy: string,
  columns: readonly Column[],
  mode: ThemeMode,
): Coloring {
  const col = colorBy === 'run' ? undefined : columns.find((c) => c.key === colorBy);
  const styles: Record<string, RunStyle> = {};
  if (!col) {
    for (const r of rows) {
      const i = Math.max(0, order.indexOf(r.id));
      const pick = resolvePick(picks[r.id], mode);
      styles[r.id] = pick ? { color: pick } : { color: runColor(i, mode), dash: runDash(i) };
    }
    return { styles, key: [] };
  }
  const values = distinctValues(rows.map((r) => col.value(r)));
  const ordered = col.numeric && values.length > PALETTE_SIZE;
  const colorOf = (i: number) =>
    ordered ? interpolateViridis(0.1 + (0.8 * i) / Math.max(1, values.length - 1)) : runColor(i, mode);
  const key = values.map((v, i) => ({ value: v === null ? '–' : String(v), color: colorOf(i) }));
  for (const r of rows) {
    const i = values.indexOf(col.value(r));
    styles[r.id] = { color: colorOf(i), dash: ordered ? undefined : runDash(i) };
  }
  return { styles, key };
}

/** Distinct values, sorted (numbers numerically, text naturally, empty last). */
function distinctValues(vs: (number | string | null)[]): (number | string | null)[] {
  const out = [...new Set(vs)];
  return out.sort((a, b) => {
    if (a === null || b === null) return a === null ? 1 : -1;
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return String(a).localeCompare(String(b), 'en', { numeric: true });
  });
}

// The Compare cell's run table, which is also the chart's legend (UI sketch): per run a dot in its line's colour
// (click: hide or show the line), a colour chip (click: pick a palette colour), the columns (sortable by clicking
// a header; aria-sort says how), and a button taking the run out of the comparison.
import { memo } from 'react';
import { Icon } from '../../app/icons';
import { RUN_PALETTE, type ThemeMode } from '../../charts/palette';
import type { RunStyle } from './compare-colors';
import type { CompareRow } from './compare-rows';
import type { Column, SortSpec } from './compare-table';
import { Popover } from './popover';

const COLOR_NAMES: Record<string, string> = {
  '#0072B2': 'blue',
  '#D55E00': 'vermillion',
  '#009E73': 'bluish green',
  '#CC79A7': 'reddish purple',
  '#E69F00': 'orange',
  '#56B4E9': 'sky blue',
  '#404040': 'grey',
  '#F0E442': 'yellow',
};

export interface RunTableProps {
  rows: CompareRow[]; // sorted and filtered
  columns: Column[];
  labels: Record<string, string>; // run id -> label (names, with the id's tail where two share one)
  styles: Record<string, RunStyle>;
  hidden: ReadonlySet<string>;
  sort: SortSpec;
  mode: ThemeMode;
  colorByRun: boolean; // false: colours follow a column, chips are off
  colorByLabel: string;
  readOnly: boolean;
  onSort(column: string): void;
  onToggle(runId: string): void;
  onPick(runId: string, pick: string | null): void;
  onRemove(runId: string): void;
}

function LineSwatch({ style, hidden }: { style: RunStyle; hidden: boolean }) {
  return (
    <svg width={22} height={10} aria-hidden="true" className="cmp-line">
      <line
        x1={1}
        x2={21}
        y1={5}
        y2={5}
        stroke={style.color}
        strokeWidth={2.5}
        strokeDasharray={style.dash}
        opacity={hidden ? 0.25 : 1}
      />
      <circle cx={11} cy={5} r={3.5} fill={hidden ? 'none' : style.color} stroke={style.color} strokeWidth={1.5} />
    </svg>
  );
}

function ColorChip(p: {
  label: string;
  style: RunStyle;
  mode: ThemeMode;
  enabled: boolean;
  why: string;
  onPick(pick: string | null): void;
}) {
  const palette = RUN_PALETTE[p.mode];
  return (
    <Popover
      label={`Colour of ${p.label}`}
      title={p.enabled ? `Colour of ${p.label}: pick another` : p.why}
      className="cmp-chip"
      disabled={!p.enabled}
      button={<span className="cmp-chip-fill" style={{ background: p.style.color }} />}
      panelLabel={`Colours for ${p.label}`}
    >
      {(close) => (
        <div className="cmp-swatches" role="radiogroup" aria-label={`Colour of ${p.label}`}>
          {palette.map((hex, i) => (
            <button
              key={hex}
              type="button"
              role="radio"
              aria-checked={hex.toLowerCase() === p.style.color.toLowerCase()}
              aria-label={COLOR_NAMES[hex] ?? hex}
              title={COLOR_NAMES[hex] ?? hex}
              className="cmp-swatch"
              style={{ background: hex }}
              onClick={() => {
                p.onPick(`palette:${i}`);
                close();
              }}
            />
          ))}
          <button
            type="button"
            className="btn btn-small cmp-swatch-reset"
            onClick={() => {
              p.onPick(null);
              close();
            }}
          >
            Default
          </button>
        </div>
      )}
    </Popover>
  );
}

export const RunTable = memo(function RunTable(p: RunTableProps) {
  const ariaSort = (key: string) =>
    p.sort.column === key ? (p.sort.dir === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <div className="cmp-table-wrap">
      <table className="cmp-table" aria-label="Compared runs">
        <thead>
          <tr>
            <th scope="col" className="cmp-legend-col">
              <span className="visually-hidden">Line and colour</span>
            </th>
            {p.columns.map((c) => (
              <th key={c.key} scope="col" aria-sort={ariaSort(c.key)} className={c.numeric ? 'num' : undefined}>
                <button
                  type="button"
                  className="cmp-sort"
                  title={`${c.title}. Sort by ${c.label}`}
                  onClick={() => p.onSort(c.key)}
                >
                  {c.label}
                  <span className="cmp-sort-mark" aria-hidden="true">
                    {p.sort.column === c.key ? (p.sort.dir === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => {
            const label = p.labels[r.id] ?? r.name;
            const hidden = p.hidden.has(r.id);
            const style = p.styles[r.id] ?? { color: '#888' };
            return (
              <tr key={r.id} data-run={r.id} className={hidden ? 'cmp-hidden' : undefined}>
                <td className="cmp-legend-col">
                  <span className="cmp-legend">
                    <button
                      type="button"
                      className="cmp-dot"
                      aria-label={`${hidden ? 'Show' : 'Hide'} ${label}`}
                      aria-pressed={!hidden}
                      title={hidden ? 'Hidden: click to show its line' : 'Click to hide its line'}
                      onClick={() => p.onToggle(r.id)}
                    >
                      <LineSwatch style={style} hidden={hidden} />
                    </button>
                    <ColorChip
                      label={label}
                      style={style}
                      mode={p.mode}
                      enabled={p.colorByRun && !p.readOnly}
                      why={`Colours follow ${p.colorByLabel}`}
                      onPick={(pick) => p.onPick(r.id, pick)}
                    />
                  </span>
                </td>
                {p.columns.map((c) => (
                  <td
                    key={c.key}
                    className={c.numeric ? 'num' : c.key === 'status' ? `cmp-status cmp-status-${r.status}` : undefined}
                    title={c.key === 'name' ? `${r.id}` : undefined}
                  >
                    {c.key === 'name' ? label : c.text(r)}
                  </td>
                ))}
                <td className="cmp-remove-col">
                  <button
                    type="button"
                    className="icon-btn icon-btn-small"
                    aria-label={`Remove ${label} from the comparison`}
                    title="Remove from the comparison (the run stays in the workspace)"
                    disabled={p.readOnly}
                    onClick={() => p.onRemove(r.id)}
                  >
                    <Icon name="close" size={13} />
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
});

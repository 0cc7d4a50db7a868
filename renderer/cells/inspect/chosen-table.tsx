// The chosen experts of the shown layer and head as tables (one per selection: a row per token, its chosen experts,
// highest score first, and their gates), for screen readers, copying numbers, and tests. Folded by default and built
// only when opened: 256 tokens make ~2,000 table cells, more than the whole lens costs to draw.
import { memo, useState } from 'react';
import type { SelectionGrid } from './lens-data';
import type { SideNames } from './token-routing';

function ChosenTable({ grid, tokens, label }: { grid: SelectionGrid; tokens: readonly string[]; label: string }) {
  return (
    <table className="lens-chosen" aria-label={label} data-side={grid.side} data-k={grid.k}>
      <caption>{label}</caption>
      <thead>
        <tr>
          <th scope="col">token</th>
          <th scope="col">chosen experts</th>
          <th scope="col">gates</th>
        </tr>
      </thead>
      <tbody>
        {grid.idx.map((experts, t) => (
          <tr key={t}>
            <th scope="row">{`${t} ${tokens[t]}`}</th>
            <td>{experts.join(' ')}</td>
            <td>{grid.gates[t].map((g) => g.toFixed(4)).join(' ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const ChosenTables = memo(function ChosenTables(p: {
  grids: SelectionGrid[];
  tokens: readonly string[];
  names: SideNames;
  where: string;
}) {
  const [open, setOpen] = useState(false);
  if (p.grids.length === 0) return null;
  return (
    <details className="lens-tables" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>Chosen experts as tables</summary>
      {open && (
        <div className="lens-tables-body">
          {p.grids.map((g) => (
            <ChosenTable
              key={g.side}
              grid={g}
              tokens={p.tokens}
              label={`Chosen ${p.names[g.side]} experts (${g.side}), ${p.where}`}
            />
          ))}
        </div>
      )}
    </details>
  );
});

// The chosen experts of one selection as a table, for screen readers and tests (visually hidden): one row per token,
// its chosen experts (highest score first) and their gates.
import { memo } from 'react';
import type { SelectionGrid } from './lens-data';

export const ChosenTable = memo(function ChosenTable({
  grid,
  tokens,
  label,
}: {
  grid: SelectionGrid;
  tokens: readonly string[];
  label: string;
}) {
  return (
    <table className="visually-hidden" aria-label={label} data-side={grid.side} data-k={grid.k}>
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
});

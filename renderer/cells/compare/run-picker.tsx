// Which runs of the workspace a Compare cell shows: every run (the app's and the CLI's, newest first) with a
// checkbox, its status and who wrote it. A text box narrows the list.
import { memo, useState } from 'react';
import { phaseOf, PHASE_WORDS } from '../../runs/status';
import { useRuns } from '../../state/runs';
import { useShallow } from 'zustand/react/shallow';
import { Popover } from './popover';

interface PickerRun {
  id: string;
  name: string;
  status: string;
  cli: boolean;
}

export interface RunPickerProps {
  chosen: readonly string[];
  disabled: boolean;
  onChange(runId: string, on: boolean): void;
}

function useWorkspaceRuns(): PickerRun[] {
  return useRuns(
    useShallow((s) =>
      s.order.map((id) => {
        const e = s.runs[id];
        return `${id}\u0000${e?.listing?.name ?? id}\u0000${PHASE_WORDS[phaseOf(e)]}\u0000${e?.listing?.writer === 'cli' ? 1 : 0}`;
      }),
    ),
  ).map((line) => {
    const [id, name, status, cli] = line.split('\u0000');
    return { id, name, status, cli: cli === '1' };
  });
}

export const RunPicker = memo(function RunPicker(p: RunPickerProps) {
  const runs = useWorkspaceRuns();
  const [query, setQuery] = useState('');
  const names = new Map<string, number>();
  for (const r of runs) names.set(r.name, (names.get(r.name) ?? 0) + 1);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = runs.filter((r) => words.every((w) => `${r.name} ${r.id} ${r.status}`.toLowerCase().includes(w)));
  return (
    <Popover
      label="Choose runs"
      title="Choose the runs to compare (the app's and the CLI's)"
      className="btn btn-small"
      disabled={p.disabled}
      button={`Runs (${p.chosen.length})`}
      panelLabel="Runs to compare"
    >
      {() => (
        <div className="cmp-picker">
          <input
            className="field-input"
            type="search"
            aria-label="Find runs"
            placeholder="Find runs"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
          {runs.length === 0 ? (
            <p className="cmp-picker-empty">No runs in this workspace yet.</p>
          ) : (
            <ul className="cmp-picker-list">
              {shown.map((r) => {
                const label = (names.get(r.name) ?? 0) > 1 ? `${r.name} (${r.id.slice(-6)})` : r.name;
                return (
                  <li key={r.id}>
                    <label title={r.id}>
                      <input
                        type="checkbox"
                        checked={p.chosen.includes(r.id)}
                        onChange={(e) => p.onChange(r.id, e.target.checked)}
                      />
                      <span className="cmp-picker-name">{label}</span>
                      {r.cli && <span className="tag">CLI</span>}
                      <span className="cmp-picker-status">{r.status}</span>
                    </label>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </Popover>
  );
});

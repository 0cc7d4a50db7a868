// The Compare cell's own controls above the chart: which runs, the y metric (metrics that do not compare across
// the chosen runs are marked), colour by run or by a column, the table's text filter, and the paper's comparison.
// The x axis, log axes and smoothing are the chart's own toolbar.
import { memo } from 'react';
import type { CellId } from '../../state/notebook-schema';
import type { CompareDoc } from './compare-doc';
import type { Column } from './compare-table';
import { REPRODUCTION_PRESETS, setUpReproduction } from './reproduce';
import { RunPicker } from './run-picker';
import { Y_METRICS } from './y-metrics';

export interface CompareToolbarProps {
  id: CellId;
  c: CompareDoc;
  readOnly: boolean;
  runIds: string[];
  columns: Column[];
  badMetrics: ReadonlySet<string>;
  onPickRun(runId: string, on: boolean): void;
  onChange(fields: Partial<CompareDoc>, group?: string | null): void;
}

function PaperButton({ id, readOnly, primary }: { id: CellId; readOnly: boolean; primary?: boolean }) {
  return (
    <button
      type="button"
      className={primary ? 'btn btn-primary' : 'btn btn-small'}
      disabled={readOnly}
      aria-label="Set up the paper's comparison"
      title={
        `SwitchHead vs its parameter-matched dense baseline vs dense with SwitchHead's heads ` +
        `(${REPRODUCTION_PRESETS.join(', ')}), same seed and data order: three Experiment cells above, queued`
      }
      onClick={() => void setUpReproduction(id)}
    >
      Paper comparison
    </button>
  );
}

export const CompareToolbar = memo(function CompareToolbar(p: CompareToolbarProps) {
  const { c } = p;
  const colorBy = p.columns.some((col) => col.key === c.colorBy) ? c.colorBy! : 'run';
  return (
    <div className="cmp-bar" role="toolbar" aria-label="Compare settings">
      <RunPicker chosen={p.runIds} disabled={p.readOnly} onChange={p.onPickRun} />
      <label className="cmp-field">
        <span>y</span>
        <select
          aria-label="Y metric"
          value={c.yMetric}
          disabled={p.readOnly}
          onChange={(e) => p.onChange({ yMetric: e.target.value })}
        >
          {Y_METRICS.map((m) => (
            <option key={m.key} value={m.key}>
              {m.label}
              {p.badMetrics.has(m.key) ? ' (not comparable here)' : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="cmp-field">
        <span>colour by</span>
        <select
          aria-label="Colour by"
          value={colorBy}
          disabled={p.readOnly}
          onChange={(e) => p.onChange({ colorBy: e.target.value })}
        >
          <option value="run">run</option>
          {p.columns
            .filter((col) => col.key !== 'name')
            .map((col) => (
              <option key={col.key} value={col.key}>
                {col.label}
              </option>
            ))}
        </select>
      </label>
      <input
        className="field-input cmp-filter"
        type="search"
        aria-label="Filter runs"
        placeholder="Filter runs"
        title="Show only the runs whose name or fields hold every word typed here"
        value={c.filter ?? ''}
        disabled={p.readOnly}
        onChange={(e) => p.onChange({ filter: e.target.value }, `compare:${p.id}:filter`)}
      />
      {p.runIds.length > 0 && (
        <span className="cmp-bar-end">
          <PaperButton id={p.id} readOnly={p.readOnly} />
        </span>
      )}
    </div>
  );
});

export function EmptyCompare({ id, readOnly, following }: { id: CellId; readOnly: boolean; following: number }) {
  if (following > 0)
    return (
      <div className="cmp-empty" role="status">
        <p>
          Waiting for the runs of the {following} Experiment cell{following === 1 ? '' : 's'} above: each joins this
          comparison as it starts (they train one after another).
        </p>
      </div>
    );
  return (
    <div className="cmp-empty">
      <p>
        Pick runs of this workspace to overlay (the app’s and the CLI’s), or set up the paper’s comparison at CPU scale:
        SwitchHead, its parameter-matched dense baseline and dense attention with SwitchHead’s number of heads, same
        seed and data order, against attention MACs.
      </p>
      <PaperButton id={id} readOnly={readOnly} primary />
    </div>
  );
}

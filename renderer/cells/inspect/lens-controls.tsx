// The lens's controls: which run (any run of the workspace, the app's and the CLI's), which layer and head, the
// probe text (the run's own by default; any text can be typed and is probed on Enter or "Probe"), and the step
// scrubber over the run's saved probes and checkpoints ("now" for a run this page trains).
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useRuns } from '../../state/runs';
import { positionLabel, type StepPosition } from './step-positions';

export function RunPicker({ value, onChange }: { value: string | null; onChange: (runId: string) => void }) {
  const runs = useRuns(
    useShallow((s) =>
      s.order.map((id) => {
        const l = s.runs[id]?.listing;
        return `${id}\u0000${l ? `${l.name} · ${l.status}${l.writer === 'cli' ? ' · CLI' : ''}` : id}`;
      }),
    ),
  );
  const known = value === null || runs.some((r) => r.startsWith(`${value}\u0000`));
  return (
    <label className="lens-field">
      <span>run</span>
      <select
        className="field-input"
        aria-label="Run"
        value={value ?? ''}
        onChange={(e) => e.target.value && onChange(e.target.value)}
      >
        {value === null && <option value="">choose a run…</option>}
        {!known && <option value={value!}>{value} (not in the workspace)</option>}
        {runs.map((r) => {
          const [id, label] = r.split('\u0000');
          return (
            <option key={id} value={id} title={id}>
              {label} — {id}
            </option>
          );
        })}
      </select>
    </label>
  );
}

export function IndexPicker(p: {
  label: string;
  value: number;
  count: number;
  onChange: (v: number) => void;
  prefix: string;
}) {
  return (
    <label className="lens-field">
      <span>{p.label}</span>
      <select
        className="field-input"
        aria-label={p.label[0].toUpperCase() + p.label.slice(1)}
        value={Math.min(p.value, Math.max(0, p.count - 1))}
        disabled={p.count <= 1}
        onChange={(e) => p.onChange(Number(e.target.value))}
      >
        {Array.from({ length: Math.max(1, p.count) }, (_, i) => (
          <option key={i} value={i}>
            {p.prefix}
            {i}
          </option>
        ))}
      </select>
    </label>
  );
}

export function StepScrubber(p: { positions: StepPosition[]; index: number; onChange: (i: number) => void }) {
  const id = useId();
  const { positions, index } = p;
  if (positions.length === 0) return <span className="lens-muted">no saved probes or checkpoints yet</span>;
  const label = positionLabel(positions[index]);
  return (
    <label className="lens-field lens-scrubber">
      <span>step</span>
      <input
        id={id}
        type="range"
        aria-label="Step"
        aria-valuetext={label}
        min={0}
        max={positions.length - 1}
        step={1}
        value={index}
        disabled={positions.length < 2}
        onChange={(e) => p.onChange(Number(e.target.value))}
      />
      <output htmlFor={id} aria-label="Shown step" className="mono">
        {label}
      </output>
    </label>
  );
}

export function ProbeTextField(p: { text: string; own: boolean; onApply: (text: string | null) => void }) {
  const [draft, setDraft] = useState(p.text);
  useEffect(() => setDraft(p.text), [p.text]);
  const changed = draft !== p.text;
  return (
    <form
      className="lens-text"
      onSubmit={(e) => {
        e.preventDefault();
        p.onApply(draft);
      }}
    >
      <label className="lens-field lens-text-field">
        <span>probe</span>
        <input
          className="field-input mono"
          aria-label="Probe text"
          value={draft}
          spellCheck={false}
          onChange={(e) => setDraft(e.target.value)}
        />
      </label>
      <button type="submit" className="btn btn-small" disabled={!changed}>
        Probe
      </button>
      <button
        type="button"
        className="btn btn-small btn-quiet"
        disabled={p.own && !changed}
        onClick={() => p.onApply(null)}
      >
        Run’s text
      </button>
    </form>
  );
}

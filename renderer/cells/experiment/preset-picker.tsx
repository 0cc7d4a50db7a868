// Presets from experiments/, grouped: teaching (minutes on a laptop), the paper's models at CPU size, and the
// paper-size models (their cost is worth reading; training them on a laptop is not).
import { presets, type PresetGroup } from '../../../experiments/index';
import { useReadOnly } from '../../state/notebook';
import type { CellId } from '../../state/notebook-schema';
import { applyPreset, isEdited } from './spec-edit';
import { usePreset, useSpec } from './use-spec';

export const PRESET_GROUPS: { group: PresetGroup; label: string }[] = [
  { group: 'teaching', label: 'Teaching: tiny models, about two minutes each' },
  { group: 'cpu', label: 'CPU-sized paper models: tens of minutes' },
  { group: 'paper', label: 'Paper size: too large for a laptop' },
];

const names = (g: PresetGroup) => Object.keys(presets).filter((n) => presets[n].group === g);

export function PresetPicker({ id }: { id: CellId }) {
  const preset = usePreset(id);
  const spec = useSpec(id);
  const readOnly = useReadOnly();
  const edited = isEdited(preset, spec);
  const known = preset !== null && presets[preset] !== undefined;
  return (
    <div className="preset-picker">
      <label className="inline-label">
        <span>Preset</span>
        <select
          className="field-input"
          value={known ? preset : ''}
          disabled={readOnly}
          onChange={(e) => e.target.value && applyPreset(id, e.target.value)}
        >
          {!known && <option value="">{preset ? `${preset} (unknown)` : 'custom spec'}</option>}
          {PRESET_GROUPS.map((g) => (
            <optgroup key={g.group} label={g.label}>
              {names(g.group).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      {edited && (
        <>
          <span className="badge" title="The spec differs from the preset's">
            edited
          </span>
          <button
            type="button"
            className="btn btn-quiet btn-small"
            disabled={readOnly}
            onClick={() => applyPreset(id, preset as string)}
          >
            Reset to preset
          </button>
        </>
      )}
      {known && <span className="preset-summary">{presets[preset].summary}</span>}
    </div>
  );
}

/** A warning when the preset is paper-size. */
export function PaperWarning({ id }: { id: CellId }) {
  const preset = usePreset(id);
  if (!preset || presets[preset]?.group !== 'paper') return null;
  return (
    <p className="callout callout-warning" role="note">
      <strong>Paper-size model.</strong> It is far too large to train on a laptop&apos;s CPU (days per run); read its
      cost here, or pick its CPU-sized version to train.
    </p>
  );
}

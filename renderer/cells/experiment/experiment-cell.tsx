// The Experiment cell, document side: preset, spec (a one-line summary; the form or the raw JSON when opened),
// cost readout. The run bar and the live panels plug into RUN SLOT below (renderer/runs/, renderer/panels/).
import './experiment.css';
import './cost-run.css';
import { memo } from 'react';
import { Icon } from '../../app/icons';
import type { CellId } from '../../state/notebook-schema';
import { setSpecPanel, useSpecPanel, type SpecPanel } from '../../state/view';
import { CostReadout } from './cost-readout';
import { PaperWarning, PresetPicker } from './preset-picker';
import { useExperimentRunner } from './runner';
import { SpecForm } from './spec-form';
import { SpecJson } from './spec-json';
import { specSummary } from './spec-summary';
import { useSpec, useSpecCheck, useSpecProblem } from './use-spec';

function SpecLine({ id }: { id: CellId }) {
  const check = useSpecCheck(id);
  const panel = useSpecPanel(id);
  const toggle = (p: SpecPanel) => setSpecPanel(id, panel === p ? null : p);
  return (
    <div className="spec-line">
      <p className="spec-summary" aria-label="Spec summary">
        {check.ok ? (
          specSummary(check.spec).map((part, i) => (
            <span key={i} className="spec-summary-part">
              {part}
            </span>
          ))
        ) : (
          <span className="spec-summary-invalid">The spec has problems; open the form or the JSON to fix them.</span>
        )}
      </p>
      <div className="seg" role="group" aria-label="Spec editor">
        <button type="button" className="seg-btn" aria-pressed={panel === 'form'} onClick={() => toggle('form')}>
          Edit spec
        </button>
        <button type="button" className="seg-btn" aria-pressed={panel === 'json'} onClick={() => toggle('json')}>
          JSON
        </button>
      </div>
    </div>
  );
}

/**
 * RUN SLOT (placeholder until renderer/runs/ lands): the run bar goes here (Run / Pause / Resume / Step / Stop,
 * learning rate while running, progress with step/total, tokens/s and ETA, backend badge, tensor memory), then the
 * live panels (renderer/panels/). Run is disabled while the spec is invalid, naming the field.
 */
function RunSlot({ id }: { id: CellId }) {
  const problem = useSpecProblem(id);
  const runner = useExperimentRunner();
  const why = problem
    ? `Fix the spec first: ${problem}`
    : runner
      ? 'Train this spec (Shift+Enter)'
      : 'Training from the notebook is not available in this build yet';
  return (
    <div className="run-bar">
      <button
        type="button"
        className="btn btn-primary"
        disabled={problem !== null || runner === null}
        title={why}
        onClick={() => runner?.(id)}
      >
        <Icon name="play" size={14} /> Run
      </button>
      {problem && (
        <p className="run-problem" role="status">
          Spec problem: {problem}
        </p>
      )}
    </div>
  );
}

/** The spec's name, shown in the cell header next to "Experiment". */
export function ExperimentTitle({ id }: { id: CellId }) {
  const name = useSpec(id).name;
  return typeof name === 'string' && name ? <span className="cell-title">{name}</span> : null;
}

export const ExperimentCell = memo(function ExperimentCell({ id }: { id: CellId }) {
  const panel = useSpecPanel(id);
  return (
    <div className="experiment">
      <PresetPicker id={id} />
      <PaperWarning id={id} />
      <SpecLine id={id} />
      {panel === 'form' && <SpecForm id={id} />}
      {panel === 'json' && <SpecJson id={id} />}
      <CostReadout id={id} />
      <RunSlot id={id} />
    </div>
  );
});

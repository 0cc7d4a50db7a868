// The Experiment cell, document side: preset, spec (a one-line summary; the form or the raw JSON when opened),
// cost readout; then RUN SLOT: the run bar, the cell's runs and the live panels (renderer/runs/, renderer/panels/).
import './experiment.css';
import './cost-run.css';
import { memo } from 'react';
import type { CellId } from '../../state/notebook-schema';
import { setSpecPanel, useSpecPanel, type SpecPanel } from '../../state/view';
import { CostReadout } from './cost-readout';
import { PaperWarning, PresetPicker } from './preset-picker';
import { RunBar } from './run-bar';
import { RunList } from './run-list';
import { RunPanels } from './run-panels';
import { SpecForm } from './spec-form';
import { SpecJson } from './spec-json';
import { specSummary } from './spec-summary';
import { useSpec, useSpecCheck } from './use-spec';

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

/** RUN SLOT: the run bar (run-bar.tsx), the cell's runs (run-list.tsx) and the live panels (run-panels.tsx). */
function RunSlot({ id }: { id: CellId }) {
  return (
    <>
      <RunBar id={id} />
      <RunList id={id} />
      <RunPanels id={id} />
    </>
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

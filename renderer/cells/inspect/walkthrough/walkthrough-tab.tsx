// The Walkthrough tab of an Inspect cell: the run picker and the teaching walkthrough of the run's model (its live
// worker while this page trains it, else its newest checkpoint), starting from the cell's probe text, layer and head.
import { useCell } from '../../../state/notebook';
import type { CellId, InspectCell } from '../../../state/notebook-schema';
import { pickInspectRun, sourceWords } from '../atlas/atlas-tab';
import { RunPicker } from '../lens-controls';
import { useInspectRequest } from './use-inspect-request';
import { Walkthrough } from './walkthrough-view';

export function WalkthroughTab({ id }: { id: CellId }) {
  const cell = useCell(id) as InspectCell | undefined;
  const runId = cell?.kind === 'inspect' ? cell.runId : null;
  const client = useInspectRequest(runId);
  if (cell?.kind !== 'inspect') return null;
  return (
    <div className="wt-tab">
      <div className="lens-controls">
        <RunPicker value={runId} onChange={(r) => pickInspectRun(id, r)} />
        {client.source && <span className="wt-step">answers from {sourceWords(client)}</span>}
      </div>
      {runId === null ? (
        <p className="lens-hint">Pick a SwitchHead run of the workspace to step one token through one of its layers.</p>
      ) : (
        <>
          {client.error && (
            <p className="callout callout-warning" role="alert">
              {client.error}
            </p>
          )}
          <Walkthrough
            key={runId}
            runId={runId}
            request={client.request}
            text={cell.probeText}
            layer={cell.layer}
            head={cell.head}
          />
        </>
      )}
    </div>
  );
}

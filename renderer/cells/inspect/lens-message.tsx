// What the lens says instead of (or above) a probe: why there is nothing to show (an empty or over-long text, no
// saved probes, no checkpoint at a step) with the way out when there is one ("Compute a probe from the newest
// checkpoint", "Use the first N tokens"), and errors (e.g. the engine refusing an intervention, naming the expert).
import type { LensProbe } from './use-lens-probe';

interface Props {
  probe: LensProbe;
  onCompute: () => void;
  onCut: (text: string) => void;
}

export function LensMessage({ probe, onCompute, onCut }: Props) {
  if (probe.status === 'error')
    return (
      <div className="callout callout-warning lens-message" role="alert">
        Could not probe: {probe.message}
      </div>
    );
  if (probe.status !== 'message' || !probe.message) return null;
  const offer = probe.offer;
  return (
    <div className="callout lens-message" role="status">
      <span>{probe.message}</span>
      {offer?.kind === 'compute' && (
        <>
          {' '}
          <span>
            The lens can compute one from the run’s newest checkpoint (step {offer.step}) on this machine.
          </span>{' '}
          <button type="button" className="btn btn-small btn-primary" onClick={onCompute}>
            Compute a probe from checkpoint {offer.step}
          </button>
        </>
      )}
      {offer?.kind === 'cut' && (
        <>
          {' '}
          <button type="button" className="btn btn-small" onClick={() => onCut(offer.text)}>
            Use the first {offer.tokens} tokens
          </button>
        </>
      )}
    </div>
  );
}

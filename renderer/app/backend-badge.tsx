// The training backend of a run (webgpu / wasm / cpu) as a small badge; its popover says the adapter, whether wasm
// runs threaded, the backend's limits, and why each faster backend was skipped. Without a run id (the top bar) it
// shows the backend of the run this page trains now, and nothing when none trains.
import './backend-badge.css';
import { useEffect, useId, useRef, useState } from 'react';
import { formatBytes } from '../runs/format';
import { useRuns, type LiveInfo } from '../state/runs';

const firstLive = (runs: ReturnType<typeof useRuns.getState>['runs']): string | null => {
  for (const e of Object.values(runs)) if (e.live?.backend) return e.id;
  return null;
};

/** "2 threads", "1 thread": XNNPACK's pool when the worker reports it, else whether the threaded build runs. */
function threadsOf(live: LiveInfo): string {
  const n = live.limits?.threads;
  if (typeof n === 'number') return `${n} thread${n === 1 ? '' : 's'}`;
  return live.backend?.threads ? 'threaded' : '1 thread';
}

function describe(live: LiveInfo): string {
  const b = live.backend!;
  if (b.name !== 'wasm') return b.name;
  const simd = live.limits?.simd === true ? ', SIMD' : '';
  return `wasm${simd}, ${live.backend?.threads ? 'threaded build, ' : ''}${threadsOf(live)}`;
}

/** Live tensor memory of a training run ("412 tensors, 3.2 MB"). */
export function TensorMemory({ runId }: { runId: string }) {
  const mem = useRuns((s) => s.runs[runId]?.live?.memory ?? null);
  useRuns((s) => s.runs[runId]?.version); // the memory figures are updated in place with each metrics batch
  if (!mem) return null;
  return (
    <span className="run-memory" title="Tensors held by the engine worker, and their bytes" aria-label="Tensor memory">
      {mem.numTensors.toLocaleString('en-US')} tensors · {formatBytes(mem.numBytes)}
    </span>
  );
}

export function BackendBadge({ runId }: { runId?: string | null }) {
  const shown = useRuns((s) => (runId === undefined ? firstLive(s.runs) : runId));
  const live = useRuns((s) => (shown ? (s.runs[shown]?.live ?? null) : null));
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLSpanElement>(null);
  const popId = useId();
  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => box.current && !box.current.contains(e.target as Node) && setOpen(false);
    const esc = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('pointerdown', away);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);
  if (!live?.backend) return null;
  const b = live.backend;
  const limits = Object.entries(live.limits ?? {});
  return (
    <span className="backend" ref={box}>
      <button
        type="button"
        className={`backend-badge backend-${b.name}`}
        aria-label={`Backend: ${describe(live)}. Details`}
        aria-expanded={open}
        aria-controls={popId}
        onClick={() => setOpen((o) => !o)}
      >
        {b.name}
        {b.name === 'wasm' && <span className="backend-threads">{threadsOf(live)}</span>}
      </button>
      {open && (
        <div className="backend-pop" id={popId} role="dialog" aria-label="Backend details">
          <p className="backend-pop-title">{describe(live)}</p>
          <dl className="backend-facts">
            <div className="backend-fact">
              <dt>adapter</dt>
              <dd>{b.adapter || '–'}</dd>
            </div>
            {limits.map(([k, v]) => (
              <div key={k} className="backend-fact">
                <dt>{k}</dt>
                <dd>{String(v)}</dd>
              </div>
            ))}
          </dl>
          {b.fallbacks.length > 0 ? (
            <>
              <p className="backend-pop-sub">Skipped first</p>
              <ul className="backend-skipped">
                {b.fallbacks.map((f, i) => (
                  <li key={i}>
                    <strong>{f.backend}</strong>: {f.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="backend-pop-sub">The first backend tried.</p>
          )}
        </div>
      )}
    </span>
  );
}

// The Atlas and Walkthrough tabs' way to ask about a run: an inspect client (renderer/runs/inspect-session.ts: the
// run's own worker while this page trains it, else a worker loaded from its newest checkpoint), leased while the tab
// shows the run and released when it goes. A run that starts or stops training here, or gains a newer checkpoint while
// not training here, gets a new client (and the views ask again).
import { useEffect, useMemo, useState } from 'react';
import { getInspectClient, type InspectClient } from '../../../runs/inspect-session';
import { useRuns } from '../../../state/runs';
import type { RequestFn } from './use-answer';

export interface InspectRequestState {
  request: RequestFn | null; // null while the client starts, or when it could not
  error: string | null;
  source: InspectClient['source'] | null;
  step: number | null; // the checkpoint answered from (null: the live model)
}

export function useInspectRequest(runId: string | null): InspectRequestState {
  const live = useRuns((s) => {
    const st = runId ? s.runs[runId]?.live?.state : undefined;
    return st === 'running' || st === 'paused';
  });
  const newest = useRuns((s) => {
    const c = runId ? s.runs[runId]?.listing?.checkpoints : undefined;
    return c && c.length ? Math.max(...c) : null;
  });
  const key = runId === null ? null : live ? `${runId}|live` : `${runId}|${newest ?? 'none'}`;
  const [state, setState] = useState<{ key: string | null; client: InspectClient | null; error: string | null }>({
    key: null,
    client: null,
    error: null,
  });
  useEffect(() => {
    if (!runId || key === null) return;
    let gone = false;
    let held: InspectClient | null = null;
    setState({ key, client: null, error: null });
    getInspectClient(runId).then(
      (c) => {
        if (gone) return c.release();
        held = c;
        setState({ key, client: c, error: null });
      },
      (e: Error) => !gone && setState({ key, client: null, error: e.message }),
    );
    return () => {
      gone = true;
      held?.release();
    };
  }, [runId, key]);
  const client = state.key === key ? state.client : null;
  const request = useMemo<RequestFn | null>(
    () => (client ? (type, body) => client.request(type, body) : null),
    [client],
  );
  return {
    request,
    error: state.key === key ? state.error : null,
    source: client?.source ?? null,
    step: client?.step ?? null,
  };
}

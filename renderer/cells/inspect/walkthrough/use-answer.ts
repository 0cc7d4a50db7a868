// Asking the engine from a view: the answer to a request, re-asked when its key changes, a newer answer never
// overwritten by an older one, and the error (the engine's message) kept for the view to show. `request` is the
// Inspect cell's client for the run (renderer/runs/inspect-session.ts) or a WorkbenchClient's, so tests and pages can
// hand in any client.
import { useEffect, useRef, useState } from 'react';
import type { RequestBody, ResultOf } from '../../../../engine/protocol';

/** The requests the atlas and the walkthrough send. */
export type ViewRequest = 'atlas' | 'trace' | 'tokenize';
export type RequestFn = <T extends ViewRequest>(type: T, body: RequestBody<T>) => Promise<ResultOf<T>>;

export interface Answer<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  /** Ask again with the same key (e.g. the live run has trained further). */
  refresh(): void;
}

/** The answer of `ask()` for `key` (null key: nothing to ask). */
export function useAnswer<T>(key: string | null, ask: () => Promise<T>): Answer<T> {
  const [state, setState] = useState<{ key: string | null; data: T | null; error: string | null; loading: boolean }>({
    key: null,
    data: null,
    error: null,
    loading: false,
  });
  const [nonce, setNonce] = useState(0);
  const latest = useRef(0);
  const askRef = useRef(ask);
  askRef.current = ask;
  useEffect(() => {
    if (key === null) {
      setState({ key, data: null, error: null, loading: false });
      return;
    }
    const ticket = ++latest.current;
    setState((s) => ({ key, data: s.key === key ? s.data : null, error: null, loading: true }));
    askRef.current().then(
      (data) => ticket === latest.current && setState({ key, data, error: null, loading: false }),
      (e: unknown) =>
        ticket === latest.current &&
        setState({ key, data: null, error: e instanceof Error ? e.message : String(e), loading: false }),
    );
  }, [key, nonce]);
  return { data: state.data, error: state.error, loading: state.loading, refresh: () => setNonce((n) => n + 1) };
}

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A number naming a request function (a new client, e.g. another checkpoint, asks again). */
export function requestId(fn: RequestFn | null): number {
  if (!fn) return 0;
  let id = ids.get(fn);
  if (id === undefined) ids.set(fn, (id = nextId++));
  return id;
}

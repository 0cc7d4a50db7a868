// The engine's message loop: parses each request (a malformed one gets a failed event naming the problem and the
// worker stays usable), runs it on a TrainingSession, posts events with their typed arrays transferred.
// `serve` works over any port; at the bottom, inside a dedicated Web Worker, it serves `self`.
import { SpecError } from './spec';
import { CheckpointError } from './safetensors';
import {
  type Request,
  type WorkerEvent,
  errorInfo,
  parseRequest,
  ProtocolError,
  requestIdOf,
  transferables,
} from './protocol';
import { classify, type SessionHost, StateError, TrainingSession } from './session';

/** The worker side of an endpoint: Web Worker `self`, or worker_threads' parentPort adapted (engine/node). */
export interface WorkerPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
}

export type ServeOptions = Omit<SessionHost, 'emit'>;

/** Answer requests arriving on `port`, one at a time, in order. Returns the session (for in-process use). */
export function serve(port: WorkerPort, opts: ServeOptions = {}): TrainingSession {
  const emit = (ev: WorkerEvent) => port.postMessage(ev, transferables(ev));
  const session = new TrainingSession({ ...opts, emit });
  let queue = Promise.resolve();
  port.addEventListener('message', (e) => {
    queue = queue.then(() => dispatch(session, emit, e.data));
  });
  return session;
}

async function dispatch(session: TrainingSession, emit: (ev: WorkerEvent) => void, msg: unknown): Promise<void> {
  let r: Request;
  try {
    r = parseRequest(msg);
  } catch (e) {
    emit({ type: 'failed', requestId: requestIdOf(msg), reason: 'invalid-request', fatal: false, error: errorInfo(e) });
    return;
  }
  try {
    await session.handle(r);
  } catch (e) {
    const invalid =
      e instanceof SpecError || e instanceof ProtocolError || e instanceof StateError || e instanceof CheckpointError;
    emit({
      type: 'failed',
      requestId: r.id,
      reason: invalid ? 'invalid-request' : classify(e),
      fatal: false,
      error: errorInfo(e),
    });
  }
}

// ---- inside a dedicated Web Worker ----
declare const WorkerGlobalScope: { new (): unknown } | undefined;
if (typeof WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined' && self instanceof WorkerGlobalScope) {
  const scope = self as unknown as WorkerPort & {
    addEventListener(t: 'unhandledrejection', l: (e: { reason: unknown }) => void): void;
  };
  serve(scope);
  // Nothing should escape dispatch; if something does, say so rather than leave the client waiting.
  scope.addEventListener('unhandledrejection', (e) =>
    scope.postMessage({
      type: 'failed',
      reason: 'error',
      fatal: false,
      error: errorInfo(e.reason),
    } satisfies WorkerEvent),
  );
}

// The host side of the worker protocol: typed requests answered by promises, typed event subscriptions.
// Works over any endpoint with postMessage + addEventListener (or onmessage) + terminate: a Web Worker in the
// renderer, worker_threads through engine/node/worker-host.ts. No promise hangs: a failed event for the request,
// the worker's death, a timeout or dispose() settles it.
import {
  type AckEvent,
  type EventOf,
  type EventType,
  type FailedEvent,
  type FailureReason,
  type RequestBody,
  type RequestType,
  type ResultOf,
  type WorkerEvent,
  RESULT_EVENT,
  unreachable,
} from './protocol';

/** What the client reads from an endpoint's events: a message's `data`; an error's `message`/`error`. */
export interface EndpointEvent {
  data?: unknown;
  message?: string;
  error?: unknown;
  preventDefault?: () => void;
}
export type EndpointListener = (e: EndpointEvent) => void;

export interface Endpoint {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener?(type: 'message' | 'error' | 'messageerror', listener: EndpointListener): void;
  removeEventListener?(type: 'message' | 'error' | 'messageerror', listener: EndpointListener): void;
  // The client only assigns these (an EndpointListener); a Web Worker declares them over DOM event types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a DOM Worker's MessageEvent, unnamed in the engine
  onmessage?: ((e: any) => void) | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a DOM Worker's ErrorEvent, unnamed in the engine
  onerror?: ((e: any) => void) | null;
  terminate?(): void;
}

export interface ClientOptions {
  /** Default time a request may take before its promise rejects (ms; 0 = no limit). */
  timeoutMs?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Buffers to transfer instead of copying (e.g. checkpoint bytes the caller no longer needs). */
  transfer?: Transferable[];
}

/** A request that failed: the worker's error (name, message, remote stack), why, and whether the run is over. */
export class WorkbenchError extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    readonly event?: FailedEvent,
  ) {
    super(message);
    this.name = event?.error.name ?? 'WorkbenchError';
    if (event) this.stack = `${event.error.stack}\n    (in the engine worker)`;
  }
}

interface Pending {
  type: RequestType;
  resolve(v: unknown): void;
  reject(e: Error): void;
  result?: WorkerEvent;
  timer?: ReturnType<typeof setTimeout>;
}

type Handler<T extends EventType> = (ev: EventOf<T>) => void;

const EVENT_TYPES: ReadonlySet<string> = new Set<EventType>([
  'ready',
  'metrics',
  'eval',
  'routing',
  'probe',
  'tokens',
  'atlas',
  'trace',
  'checkpoint',
  'state',
  'finished',
  'disposed',
  'failed',
  'warning',
  'ack',
]);

export class WorkbenchClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<EventType | '*', Set<(ev: WorkerEvent) => void>>();
  private readonly teardown: (() => void)[] = [];
  private dead: WorkbenchError | null = null;
  private readonly timeoutMs: number;

  constructor(
    private readonly endpoint: Endpoint,
    opts: ClientOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? 300_000;
    this.listen('message', (e) => this.receive(e.data));
    this.listen('error', (e) => {
      e.preventDefault?.();
      const why = e.error instanceof Error ? e.error.message : (e.message ?? 'unknown error');
      this.die(`the engine worker died: ${why}`);
    });
    this.listen('messageerror', () =>
      this.emitLocal({ type: 'warning', message: 'a message from the engine worker could not be deserialised' }),
    );
  }

  /** Send a request; resolves with its answer (ready/probe/tokens/atlas/trace/eval/routing/checkpoint/disposed event,
   *  else the ack). */
  request<T extends RequestType>(type: T, body: RequestBody<T>, opts: RequestOptions = {}): Promise<ResultOf<T>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<ResultOf<T>>((resolve, reject) => {
      const p: Pending = { type, resolve: resolve as (v: unknown) => void, reject };
      const ms = opts.timeoutMs ?? this.timeoutMs;
      if (ms > 0)
        p.timer = setTimeout(
          () => this.settle(id, new WorkbenchError('timeout', `"${type}" request ${id} got no answer within ${ms} ms`)),
          ms,
        );
      this.pending.set(id, p);
      try {
        this.endpoint.postMessage({ ...body, type, id }, opts.transfer ?? []);
      } catch (e) {
        this.settle(id, new WorkbenchError('invalid-request', `could not send "${type}": ${(e as Error).message}`));
      }
    });
  }

  /** Subscribe to one event type ('*' for all). Returns the unsubscribe function. */
  on<T extends EventType>(type: T, handler: Handler<T>): () => void;
  on(type: '*', handler: (ev: WorkerEvent) => void): () => void;
  on(type: EventType | '*', handler: Handler<EventType> | ((ev: WorkerEvent) => void)): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => void set!.delete(handler);
  }

  /** The next event of a type that satisfies `pred` (rejects if the worker dies or after timeoutMs). */
  next<T extends EventType>(
    type: T,
    pred: (ev: EventOf<T>) => boolean = () => true,
    timeoutMs = this.timeoutMs,
  ): Promise<EventOf<T>> {
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(this.dead);
      const done = () => {
        off();
        offDeath();
        clearTimeout(timer);
      };
      const off = this.on(type, (ev) => pred(ev) && (done(), resolve(ev)));
      const offDeath = this.on('failed', (ev) => ev.reason === 'worker-died' && (done(), reject(this.dead)));
      const timer =
        timeoutMs > 0
          ? setTimeout(
              () => (done(), reject(new WorkbenchError('timeout', `no "${type}" event within ${timeoutMs} ms`))),
              timeoutMs,
            )
          : undefined;
    });
  }

  get alive(): boolean {
    return this.dead === null;
  }

  /** Tear down: reject what is pending, drop listeners and handlers, terminate the worker. Idempotent. */
  dispose(): void {
    if (!this.dead) this.dead = new WorkbenchError('worker-died', 'the client was disposed');
    for (const id of [...this.pending.keys()]) this.settle(id, this.dead);
    while (this.teardown.length) this.teardown.pop()!();
    this.handlers.clear();
    this.endpoint.terminate?.();
  }

  private listen(type: 'message' | 'error' | 'messageerror', fn: EndpointListener): void {
    const ep = this.endpoint;
    if (ep.addEventListener) {
      ep.addEventListener(type, fn);
      this.teardown.push(() => ep.removeEventListener?.(type, fn));
    } else if (type === 'message' || type === 'error') {
      const key = type === 'message' ? 'onmessage' : 'onerror';
      ep[key] = fn;
      this.teardown.push(() => (ep[key] = null));
    }
  }

  private receive(data: unknown): void {
    if (!data || typeof data !== 'object' || !EVENT_TYPES.has((data as { type?: string }).type as string)) {
      this.emitLocal({
        type: 'warning',
        message: `ignored an unknown message from the engine worker: ${String((data as { type?: unknown })?.type)}`,
      });
      return;
    }
    const ev = data as WorkerEvent;
    switch (ev.type) {
      case 'ack':
        this.answer(ev);
        break;
      case 'failed':
        if (ev.requestId !== undefined) this.settle(ev.requestId, new WorkbenchError(ev.reason, ev.error.message, ev));
        break;
      case 'ready':
      case 'eval':
      case 'routing':
      case 'probe':
      case 'tokens':
      case 'atlas':
      case 'trace':
      case 'checkpoint':
      case 'disposed': {
        const p = ev.requestId !== undefined ? this.pending.get(ev.requestId) : undefined;
        if (p && (RESULT_EVENT as Record<string, string>)[p.type] === ev.type) p.result = ev;
        break;
      }
      case 'metrics':
      case 'state':
      case 'finished':
      case 'warning':
        break;
      default:
        unreachable(ev);
    }
    this.emitLocal(ev);
  }

  private answer(ack: AckEvent): void {
    const p = this.pending.get(ack.requestId);
    if (!p) return;
    this.pending.delete(ack.requestId);
    clearTimeout(p.timer);
    p.resolve(p.result ?? ack);
  }

  private settle(id: number, err: Error): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.reject(err);
  }

  private die(message: string): void {
    if (this.dead) return;
    this.dead = new WorkbenchError('worker-died', message);
    for (const id of [...this.pending.keys()]) this.settle(id, this.dead);
    this.emitLocal({
      type: 'failed',
      reason: 'worker-died',
      fatal: true,
      error: { name: 'WorkerDied', message, stack: message },
    });
  }

  private emitLocal(ev: WorkerEvent): void {
    for (const key of [ev.type, '*'] as const) {
      for (const h of [...(this.handlers.get(key) ?? [])]) {
        try {
          h(ev);
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          }); // a handler's bug must not break message delivery
        }
      }
    }
  }
}

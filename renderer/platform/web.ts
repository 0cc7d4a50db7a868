// The web Platform: the renderer's PlatformApi (engine/contracts/platform.ts) over HTTP to the local web host
// (electron/host). JSON operations are `POST /api/op/<op>`; checkpoints travel as raw bytes (GET/PUT
// /api/runs/<id>/checkpoints/<step>); exports are browser downloads (the host saves nothing); workspace events come
// as server-sent events read with fetch streaming (EventSource cannot send the token header), reconnecting with
// back-off. Every request carries the per-launch token and this page's client id. Host errors are rethrown as
// PlatformError with the host's name and message.
import {
  PlatformError,
  parsePlatformArgs,
  type PlatformApi,
  type PlatformErrorName,
  type PlatformOp,
  type PlatformResults,
  type WorkspaceEvent,
} from '../../engine/contracts/platform';

export interface WebPlatformOptions {
  /** The host's origin, e.g. `location.origin` or `http://127.0.0.1:5178`. */
  baseUrl: string;
  /** The per-launch token (`?token=` of the printed address); null when the page has none. */
  token: string | null;
  /** This page's id (runs it writes are tied to it). Default: a fresh random id per page load. */
  clientId?: string;
  fetch?: typeof fetch;
  /** How an export is saved. Default: a browser download (Blob + <a download>). */
  download?: (fileName: string, data: string | Uint8Array, mime: string) => void;
  /** Event stream reconnection back-off (ms). Default 500, doubling to 10000. */
  retryMs?: { initial: number; max: number };
  /** Told whenever the event stream connects (true) or drops (false, with why). */
  onConnection?: (connected: boolean, error?: PlatformError) => void;
}

const ERROR_NAMES: readonly PlatformErrorName[] = [
  'InvalidRequest',
  'OutsideWorkspace',
  'NotFound',
  'Conflict',
  'TooLarge',
  'Unauthorized',
  'HostError',
];
const NAME_BY_STATUS: Record<number, PlatformErrorName> = {
  400: 'InvalidRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  409: 'Conflict',
  413: 'TooLarge',
};

/** Largest writeRun body sent with `keepalive` (the browser allows 64 KiB of keepalive bodies in flight). */
const KEEPALIVE_MAX = 16 * 1024;

export function newClientId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return Array.from({ length: 4 }, () => Math.random().toString(36).slice(2, 10)).join('');
}

export function createWebPlatform(options: WebPlatformOptions): PlatformApi {
  const base = options.baseUrl.replace(/\/+$/, '');
  const clientId = options.clientId ?? newClientId();
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const download = options.download ?? browserDownload;

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (options.token !== null) headers.set('x-workbench-token', options.token);
    headers.set('x-workbench-client', clientId);
    let res: Response;
    try {
      res = await fetchFn(base + path, { ...init, headers });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new PlatformError('HostError', `cannot reach the workbench host at ${base}: ${(e as Error).message}`);
    }
    if (!res.ok) throw await errorFrom(res);
    return res;
  }

  async function call<K extends PlatformOp>(op: K, args: unknown[]): Promise<PlatformResults[K]> {
    const body = JSON.stringify({ args });
    const res = await request(`/api/op/${op}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      // a run's rows in flight when the tab closes still reach the host (keepalive bodies are capped at 64 KiB)
      keepalive: op === 'writeRun' && body.length <= KEEPALIVE_MAX,
    });
    try {
      return ((await res.json()) as { result: PlatformResults[K] }).result;
    } catch (e) {
      throw new PlatformError('HostError', `${op}: the workbench host's answer is not JSON (${(e as Error).message})`);
    }
  }

  const checkpointPath = (id: string, step: number) =>
    `/api/runs/${encodeURIComponent(id)}/checkpoints/${encodeURIComponent(String(step))}`;

  const events = new EventStream(request, options.retryMs ?? { initial: 500, max: 10_000 }, options.onConnection);

  return {
    workspaceInfo: () => call('workspaceInfo', []),
    listNotebooks: () => call('listNotebooks', []),
    readNotebook: (name) => call('readNotebook', [name]),
    writeNotebook: (name, text, baseVersion) => call('writeNotebook', [name, text, baseVersion]),
    createNotebook: (name, text) => call('createNotebook', [name, text]),
    renameNotebook: async (from, to) => void (await call('renameNotebook', [from, to])),
    trashNotebook: async (name) => void (await call('trashNotebook', [name])),
    listRuns: () => call('listRuns', []),
    readRun: (id, offsets) => call('readRun', [id, offsets]),
    readProbe: (id, step) => call('readProbe', [id, step]),
    readCheckpoint: async (id, step) => new Uint8Array(await (await request(checkpointPath(id, step))).arrayBuffer()),
    createRun: (name, specFile) => call('createRun', [name, specFile]),
    claimRun: (id) => call('claimRun', [id]),
    writeRun: async (id, write) => void (await call('writeRun', [id, write])),
    writeCheckpoint: async (id, step, bytes) => {
      const res = await request(checkpointPath(id, step), {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes as Uint8Array<ArrayBuffer>,
      });
      await res.arrayBuffer();
    },
    trashRun: async (id) => void (await call('trashRun', [id])),
    loadDataSources: (spec) => call('loadDataSources', [spec]),
    saveExport: async (fileName, data, mime) => {
      parsePlatformArgs('saveExport', [fileName, data, mime]);
      download(fileName, data, mime);
      return { saved: true, path: null };
    },
    exportPyTorch: (target, name) => call('exportPyTorch', [target, name]),
    watch: (handler) => events.subscribe(handler),
  };
}

/** A PlatformError from a failed response: the host's JSON error when there is one, else the HTTP status. */
async function errorFrom(res: Response): Promise<PlatformError> {
  let name: PlatformErrorName = NAME_BY_STATUS[res.status] ?? 'HostError';
  let message = `the workbench host answered ${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { error?: { name?: unknown; message?: unknown } };
    if (typeof body?.error?.message === 'string') message = body.error.message;
    if (ERROR_NAMES.includes(body?.error?.name as PlatformErrorName)) name = body.error!.name as PlatformErrorName;
  } catch {
    // not JSON: keep the status line
  }
  return new PlatformError(name, message);
}

/** Save a file through the browser's download (the web host writes nothing). */
function browserDownload(fileName: string, data: string | Uint8Array, mime: string): void {
  const blob = new Blob([data as BlobPart], { type: mime || 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

type Request = (path: string, init?: RequestInit) => Promise<Response>;
type Handler = (ev: WorkspaceEvent) => void;

/** One shared event stream for all subscribers: opened on the first, closed after the last. */
class EventStream {
  private readonly handlers = new Set<Handler>();
  private abort: AbortController | null = null;

  constructor(
    private readonly request: Request,
    private readonly retryMs: { initial: number; max: number },
    private readonly onConnection?: (connected: boolean, error?: PlatformError) => void,
  ) {}

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    if (!this.abort) {
      this.abort = new AbortController();
      void this.run(this.abort.signal);
    }
    return () => {
      this.handlers.delete(handler);
      if (this.handlers.size === 0 && this.abort) {
        this.abort.abort();
        this.abort = null;
      }
    };
  }

  private async run(signal: AbortSignal): Promise<void> {
    let delay = this.retryMs.initial;
    while (!signal.aborted) {
      let why: PlatformError | undefined;
      try {
        const res = await this.request('/api/events', { signal, headers: { accept: 'text/event-stream' } });
        if (!res.body) throw new PlatformError('HostError', 'the event stream has no body');
        delay = this.retryMs.initial;
        this.onConnection?.(true);
        await readServerSentEvents(res.body, (data) => this.dispatch(data), signal);
        why = new PlatformError('HostError', 'the workbench host closed the event stream');
      } catch (e) {
        if (signal.aborted) return;
        why = e instanceof PlatformError ? e : new PlatformError('HostError', `event stream: ${(e as Error).message}`);
      }
      if (signal.aborted) return;
      this.onConnection?.(false, why);
      await sleep(delay, signal);
      delay = Math.min(delay * 2, this.retryMs.max);
    }
  }

  private dispatch(data: string): void {
    let ev: WorkspaceEvent;
    try {
      ev = JSON.parse(data) as WorkspaceEvent;
    } catch {
      return; // not an event of ours
    }
    for (const h of [...this.handlers]) {
      try {
        h(ev);
      } catch (e) {
        console.error('workspace event handler failed', e);
      }
    }
  }
}

/** Parse a text/event-stream body: each event's `data:` lines (joined by newlines) go to `onData`. */
export async function readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  onData: (data: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  let buffer = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line === '') {
          if (data.length) onData(data.join('\n'));
          data = [];
        } else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        // comments (':') and other fields are ignored
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

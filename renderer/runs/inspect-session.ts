// Inspect sessions: a worker that answers probe / tokenize / atlas / trace requests about a run this page is not
// training (finished, interrupted, a CLI run, or one another page trains), loaded from one of its checkpoints on wasm.
// A run this page trains is asked through its own worker instead ("now": the live model, between two steps).
// One worker per run, shared by every view that asks about it (leases); a request for another checkpoint step reloads
// that worker first, requests run one at a time in order. When the last lease is released the worker is disposed
// after a short grace (a view that re-mounts keeps it); the page going away disposes them all.
import type { PlatformApi, RunListing } from '../../engine/contracts/platform';
import type { RunSpecFile } from '../../engine/contracts/run-files';
import type { WorkbenchClient } from '../../engine/client';
import { PROTOCOL_VERSION, type RequestBody, type ResultOf } from '../../engine/protocol';
import { getPlatform } from '../platform/context';
import { useRuns } from '../state/runs';
import { createBrowserClient } from './controller';
import { getRunController } from './install';
import type { BackendName } from './run-session';

export type InspectRequest = 'probe' | 'tokenize' | 'atlas' | 'trace';

export interface InspectClient {
  readonly runId: string;
  /** 'live': the run's training worker (this page trains it); 'checkpoint': a worker of its own. */
  readonly source: 'live' | 'checkpoint';
  /** The checkpoint step the answers come from (null: live, the model as it is now). */
  readonly step: number | null;
  request<T extends InspectRequest>(type: T, body: RequestBody<T>): Promise<ResultOf<T>>;
  /** This view no longer needs the worker (idempotent). */
  release(): void;
}

export interface InspectDeps {
  platform: () => PlatformApi;
  createClient: () => WorkbenchClient;
  /** The worker of a run this page is training, if it is (RunController.liveClient). */
  liveClient: (runId: string) => WorkbenchClient | null;
  wasmPaths?: string;
  backends?: BackendName[]; // default wasm, then cpu
  idleMs?: number; // how long an unleased worker is kept (default 5 s)
}

export interface AcquireOptions {
  /** The checkpoint step to load (default: the newest). Ignored when `live` finds the run training here. */
  step?: number | null;
  /** Prefer the run's own worker when this page trains it (default true when no step is given). */
  live?: boolean;
}

interface Pooled {
  client: WorkbenchClient;
  loaded: number | null; // the checkpoint step the worker holds
  leases: number;
  queue: Promise<unknown>;
  idle?: ReturnType<typeof setTimeout>;
}

/** The newest step of a list (null when empty). */
const newest = (steps: readonly number[]): number | null => (steps.length ? Math.max(...steps) : null);

export class InspectSessions {
  private readonly pool = new Map<string, Pooled>();

  constructor(private readonly deps: InspectDeps) {}

  /** Workers alive now (tests, the bench). */
  get size(): number {
    return this.pool.size;
  }

  /** A client for questions about `runId`: the live worker, or a checkpoint worker (created on first use). */
  async acquire(runId: string, opts: AcquireOptions = {}): Promise<InspectClient> {
    const wantLive = opts.live ?? (opts.step === undefined || opts.step === null);
    const live = wantLive ? this.deps.liveClient(runId) : null;
    if (live) return liveHandle(runId, live);
    const listing = await this.listing(runId);
    const step = opts.step ?? newest(listing.checkpoints);
    if (step === null) throw new Error(`run ${runId} has no checkpoint to load the model from`);
    if (!listing.checkpoints.includes(step))
      throw new Error(
        `run ${runId} has no checkpoint at step ${step} (checkpoints: ${listing.checkpoints.join(', ') || 'none'})`,
      );
    const p = this.pooled(runId);
    p.leases++;
    clearTimeout(p.idle);
    let released = false;
    return {
      runId,
      source: 'checkpoint',
      step,
      request: (type, body) => {
        if (released) return Promise.reject(new Error('this inspect client was released'));
        return this.enqueue(p, async () => {
          await this.load(runId, p, step);
          return p.client.request(type, body, { timeoutMs: 0 });
        });
      },
      release: () => {
        if (released) return;
        released = true;
        this.releaseOne(runId, p);
      },
    };
  }

  /** Dispose every worker now (the page is going away, tests). */
  disposeAll(): void {
    for (const p of this.pool.values()) {
      clearTimeout(p.idle);
      p.client.dispose();
    }
    this.pool.clear();
  }

  private pooled(runId: string): Pooled {
    const have = this.pool.get(runId);
    if (have && have.client.alive) return have;
    const p: Pooled = { client: this.deps.createClient(), loaded: null, leases: have?.leases ?? 0, queue: Promise.resolve() };
    this.pool.set(runId, p);
    return p;
  }

  private enqueue<T>(p: Pooled, fn: () => Promise<T>): Promise<T> {
    const next = p.queue.then(fn, fn);
    p.queue = next.catch(() => undefined);
    return next;
  }

  /** Make the worker hold the checkpoint of `step` (init again when it holds another one). */
  private async load(runId: string, p: Pooled, step: number): Promise<void> {
    if (p.loaded === step) return;
    const platform = this.deps.platform();
    const file = await this.specFile(runId);
    const [sources, checkpoint] = await Promise.all([
      platform.loadDataSources(file.spec as unknown as Record<string, unknown>),
      platform.readCheckpoint(runId, step),
    ]);
    p.loaded = null;
    try {
      await p.client.request(
        'init',
        {
          protocol: PROTOCOL_VERSION,
          spec: file.spec,
          sources: sources as RequestBody<'init'>['sources'],
          checkpoint,
          backend: this.deps.backends ?? ['wasm', 'cpu'],
          ...(this.deps.wasmPaths ? { wasmPaths: this.deps.wasmPaths } : {}),
        },
        { timeoutMs: 0, transfer: [checkpoint.buffer as ArrayBuffer] },
      );
    } catch (e) {
      throw new Error(`could not load checkpoint ${step} of run ${runId}: ${(e as Error).message}`);
    }
    p.loaded = step;
  }

  private releaseOne(runId: string, p: Pooled): void {
    p.leases = Math.max(0, p.leases - 1);
    if (p.leases > 0) return;
    clearTimeout(p.idle);
    p.idle = setTimeout(() => {
      if (p.leases > 0 || this.pool.get(runId) !== p) return;
      this.pool.delete(runId);
      p.client.dispose();
    }, this.deps.idleMs ?? 5000);
  }

  private async listing(runId: string): Promise<RunListing> {
    const known = useRuns.getState().runs[runId]?.listing;
    if (known) return known;
    const all = await this.deps.platform().listRuns();
    const l = all.find((r) => r.id === runId);
    if (!l) throw new Error(`run ${runId} is not in the workspace`);
    return l;
  }

  private async specFile(runId: string): Promise<RunSpecFile> {
    const known = useRuns.getState().runs[runId]?.specFile as RunSpecFile | null | undefined;
    if (known?.spec) return known;
    const r = await this.deps.platform().readRun(runId, { metricsOffset: 0, routingOffset: 0 });
    return r.specFile as RunSpecFile;
  }
}

function liveHandle(runId: string, client: WorkbenchClient): InspectClient {
  return {
    runId,
    source: 'live',
    step: null,
    request: (type, body) => client.request(type, body, { timeoutMs: 0 }),
    release: () => {},
  };
}

// ---- the page's sessions ----

/** The app page's wiring: its Platform, engine workers from this bundle, the run controller's live workers. */
function browserDeps(): InspectDeps {
  return {
    platform: getPlatform,
    createClient: createBrowserClient,
    liveClient: (runId) => getRunController()?.liveClient(runId) ?? null,
    wasmPaths: new URL('wasm/', document.baseURI).pathname,
  };
}

let pageSessions: InspectSessions | null = null;
let pageDeps: (() => InspectDeps) | null = typeof document === 'undefined' ? null : browserDeps;

/** Use other dependencies for the page's sessions (tests, standalone pages); null: none (requests fail). */
export function configureInspectSessions(deps: (() => InspectDeps) | null): void {
  pageSessions?.disposeAll();
  pageSessions = null;
  pageDeps = deps;
}

function sessions(): InspectSessions {
  if (pageSessions) return pageSessions;
  if (!pageDeps) throw new Error('inspect sessions are not available: the page is not connected to its workspace');
  const s = new InspectSessions(pageDeps());
  pageSessions = s;
  if (typeof window !== 'undefined') window.addEventListener('pagehide', () => s.disposeAll(), { once: true });
  return s;
}

/**
 * A client for probe / tokenize / atlas / trace requests about a run of the workspace (the routing lens, the expert
 * atlas, the teaching walkthrough call this). Release it when the view no longer needs it.
 */
export function getInspectClient(runId: string, opts: AcquireOptions = {}): Promise<InspectClient> {
  try {
    return sessions().acquire(runId, opts);
  } catch (e) {
    return Promise.reject(e);
  }
}

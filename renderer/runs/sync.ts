// Every run of the workspace in the runs store: the first listing, then, on each `runs` workspace event, the new rows
// of each run that grew (readRun from the byte offsets read so far; a `restarted` answer means the files were
// rolled back or rewritten: the run is read again from the start). Runs the CLI (or another tab) is writing right
// now thus appear and grow live. Runs this page trains itself are fed by their worker's events instead, and read
// back from disk once they end (the files are the truth: a reload shows exactly the same curves).
import type { PlatformApi, RunListing } from '../../engine/contracts/platform';
import { appendMetricRows, appendRouting, clearRows, entry, patch, removeRun, setListings, useRuns } from '../state/runs';

const FINAL = new Set(['complete', 'failed', 'stopped']);
/** Reads in flight at once (each is one request; a workspace of many runs loads a few at a time). */
const PARALLEL = 2;

export class RunSync {
  private queue: { id: string; fromStart: boolean }[] = [];
  private active = new Set<string>();
  private again = new Map<string, boolean>(); // run id -> read from the start, once its read in flight is done
  private listed = new Set<string>();
  private stopped = false;

  constructor(
    private readonly platform: PlatformApi,
    /** Runs this page trains: their rows come from the worker, not from disk. */
    private readonly isLive: (id: string) => boolean,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  /** List the runs, read them, and follow the workspace events. Returns the stop function. */
  start(): () => void {
    const unwatch = this.platform.watch((ev) => ev.type === 'runs' && this.onListing(ev.runs));
    this.platform.listRuns().then(
      (runs) => this.onListing(runs),
      (e: Error) => this.onError(`Could not list the runs: ${e.message}`),
    );
    return () => {
      this.stopped = true;
      unwatch();
    };
  }

  /** A new listing: update the sidebar, forget runs that went (trash), read the runs that changed. */
  onListing(runs: RunListing[]): void {
    if (this.stopped) return;
    const now = new Set(runs.map((r) => r.id));
    for (const id of this.listed) if (!now.has(id) && !this.isLive(id)) removeRun(id);
    this.listed = now;
    setListings(runs);
    for (const l of runs) if (this.changed(l)) this.schedule(l.id, false);
  }

  /** Read a run again from the start (a live run ended, or its files were rewritten). */
  reload(id: string): void {
    this.schedule(id, true);
  }

  private changed(l: RunListing): boolean {
    if (this.isLive(l.id)) return false;
    const e = useRuns.getState().runs[l.id];
    if (!e || e.specFile === null) return true;
    if (l.metricsBytes !== e.offsets.metrics || l.routingBytes !== e.offsets.routing) return true;
    return FINAL.has(l.status) && e.summary === null; // it just ended: read its summary
  }

  private schedule(id: string, fromStart: boolean): void {
    if (this.active.has(id)) {
      this.again.set(id, (this.again.get(id) ?? false) || fromStart);
      return;
    }
    const queued = this.queue.find((q) => q.id === id);
    if (queued) queued.fromStart ||= fromStart;
    else this.queue.push({ id, fromStart });
    this.next();
  }

  private next(): void {
    while (!this.stopped && this.active.size < PARALLEL && this.queue.length) {
      const { id, fromStart } = this.queue.shift()!;
      this.active.add(id);
      void this.read(id, fromStart).finally(() => {
        this.active.delete(id);
        const again = this.again.get(id);
        if (again !== undefined) {
          this.again.delete(id);
          this.schedule(id, again);
        }
        this.next();
      });
    }
  }

  private async read(id: string, fromStart: boolean): Promise<void> {
    if (this.isLive(id)) return;
    const offsets = fromStart ? { metrics: 0, routing: 0 } : entry(id).offsets;
    let r;
    try {
      r = await this.platform.readRun(id, { metricsOffset: offsets.metrics, routingOffset: offsets.routing });
    } catch (e) {
      if ((e as { code?: string }).code !== 'NotFound') this.onError(`Could not read run ${id}: ${(e as Error).message}`);
      return;
    }
    if (this.stopped || this.isLive(id)) return; // a session of this page took the run over meanwhile
    if (fromStart || r.restarted) clearRows(id);
    appendMetricRows(id, r.metrics);
    appendRouting(id, r.routing);
    const e = entry(id);
    e.offsets = { metrics: r.metricsOffset, routing: r.routingOffset };
    patch(id, { specFile: r.specFile, summary: r.summary, listing: e.listing ?? r.listing });
  }
}

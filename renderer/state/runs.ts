// The runs store (DESIGN §4): live and on-disk run data, keyed by run id. Never undone, never autosaved: the
// notebook document only holds run ids. Metric series are growable typed-array columns (state/columns.ts) that are
// mutated in place; each run has a `version` that is bumped at most once per animation frame, and components
// subscribe to that version (plus the few scalar fields they show), so a metrics batch re-renders only that run's
// panels.
import { create } from 'zustand';
import type { RunListing } from '../../engine/contracts/platform';
import type { RoutingReport } from '../../engine/contracts/reports';
import { Columns, TRAIN_COLUMNS, VAL_COLUMNS, type TrainColumn, type ValColumn } from './columns';

const TASK_COLUMNS = ['step', 'tokens', 'time_s', 'accuracy'] as const;
export type TaskColumn = (typeof TASK_COLUMNS)[number];

/** What the app knows about a run beyond its files: a live worker's state (app runs only). */
export type LiveState = 'queued' | 'starting' | 'running' | 'paused' | 'stopping';

export interface LiveInfo {
  state: LiveState;
  backend?: { name: string; adapter: string; fallbacks: { backend: string; reason: string }[]; threads?: boolean };
  memory?: { numTensors: number; numBytes: number };
  lr?: number; // the live base learning rate (changeable while running)
  limits?: Record<string, number | boolean | string>; // the backend's limits from the worker's ready event
  totalSteps?: number; // spec.train.steps of the session
}

export interface RunEntry {
  id: string;
  listing: RunListing | null; // from the workspace (null for a run that exists only in this page so far)
  specFile: unknown; // spec.json (engine/contracts RunSpecFile)
  summary: unknown | null;
  train: Columns<TrainColumn>; // one row per logged training step
  val: Columns<ValColumn>; // one row per evaluation
  valTasks: Record<string, Columns<TaskColumn>>; // per synthetic task (EvalReport per_task), one row per evaluation
  routing: RoutingReport[]; // routing.jsonl rows, in step order
  live: LiveInfo | null; // set while this page trains the run
  error: { name: string; message: string; stack?: string } | null; // why it failed (kept with its curves)
  offsets: { metrics: number; routing: number }; // how far the files have been read
  version: number; // bumped (once per frame at most) whenever anything above changes
}

interface RunsState {
  runs: Record<string, RunEntry>;
  /** The workspace listing order (newest first), for the sidebar. */
  order: string[];
}

export const useRuns = create<RunsState>(() => ({ runs: {}, order: [] }));

function blank(id: string): RunEntry {
  return {
    id,
    listing: null,
    specFile: null,
    summary: null,
    train: new Columns(TRAIN_COLUMNS),
    val: new Columns(VAL_COLUMNS),
    valTasks: {},
    routing: [],
    live: null,
    error: null,
    offsets: { metrics: 0, routing: 0 },
    version: 0,
  };
}

/** The entry of a run, created empty on first use (mutable: callers append, then call `touch`). */
export function entry(id: string): RunEntry {
  const s = useRuns.getState();
  const e = s.runs[id];
  if (e) return e;
  const created = blank(id);
  useRuns.setState({ runs: { ...s.runs, [id]: created } });
  return created;
}

// ---- version bumps, coalesced to one store update per animation frame ----

const dirty = new Set<string>();
let scheduled = false;
const nextFrame: (cb: () => void) => void =
  typeof requestAnimationFrame === 'function' ? (cb) => requestAnimationFrame(() => cb()) : (cb) => setTimeout(cb, 16);

/** Mark a run changed; subscribers see one new version per frame however many batches arrived. */
export function touch(id: string): void {
  dirty.add(id);
  if (scheduled) return;
  scheduled = true;
  nextFrame(flushTouches);
}

export function flushTouches(): void {
  scheduled = false;
  if (dirty.size === 0) return;
  const runs = { ...useRuns.getState().runs };
  for (const id of dirty) if (runs[id]) runs[id] = { ...runs[id], version: runs[id].version + 1 };
  dirty.clear();
  useRuns.setState({ runs });
}

// ---- appends ----

/** Rows of metrics.jsonl (train and val, any order of arrival) into the run's columns. */
export function appendMetricRows(id: string, rows: readonly unknown[]): void {
  const e = entry(id);
  for (const r of rows) {
    const row = r as Record<string, number | undefined> & { split?: string };
    if (row.split === 'val') {
      e.val.push(row as Partial<Record<ValColumn, number>>);
      const tasks = (r as { per_task?: Record<string, number> }).per_task ?? {};
      for (const [t, accuracy] of Object.entries(tasks))
        (e.valTasks[t] ??= new Columns(TASK_COLUMNS)).push({
          step: row.step,
          tokens: row.tokens,
          time_s: row.time_s,
          accuracy,
        });
    } else e.train.push(row as Partial<Record<TrainColumn, number>>);
  }
  touch(id);
}

/** A worker metrics event's columns (engine/protocol MetricsEvent) straight into the train columns. */
export function appendMetricColumns(id: string, cols: Partial<Record<TrainColumn, ArrayLike<number>>>, count: number) {
  entry(id).train.pushColumns(cols, count);
  touch(id);
}

export function appendRouting(id: string, rows: readonly unknown[]): void {
  entry(id).routing.push(...(rows as RoutingReport[]));
  touch(id);
}

/** A resumed run rolls back to its checkpoint step: later rows go (they will be trained again). */
export function rollBack(id: string, step: number): void {
  const e = entry(id);
  e.train.truncateAfter('step', step);
  e.val.truncateAfter('step', step);
  for (const t of Object.values(e.valTasks)) t.truncateAfter('step', step);
  e.routing = e.routing.filter((r) => r.step <= step);
  touch(id);
}

/** Drop every row of a run (before its files are read again from the start, in the same frame: no flash). */
export function clearRows(id: string): void {
  const e = entry(id);
  e.train.clear();
  e.val.clear();
  e.valTasks = {};
  e.routing = [];
  e.offsets = { metrics: 0, routing: 0 };
  touch(id);
}

/** Replace fields of an entry (listing, summary, live, error, ...) and bump its version. */
export function patch(
  id: string,
  fields: Partial<Omit<RunEntry, 'id' | 'train' | 'val' | 'valTasks' | 'version'>>,
): void {
  Object.assign(entry(id), fields);
  touch(id);
}

const LISTING_KEYS = ['status', 'lastStep', 'metricsBytes', 'routingBytes', 'updatedMs', 'writer', 'name'] as const;
const sameListing = (a: RunListing | null, b: RunListing) =>
  a !== null &&
  LISTING_KEYS.every((k) => a[k] === b[k]) &&
  a.checkpoints.length === b.checkpoints.length &&
  a.probes.length === b.probes.length;

/** The workspace listing: updates every known run's listing and the sidebar order, in one store update. A listing is
 *  not run data: the entries whose listing changed are replaced (listing selectors see it) without a version bump,
 *  so the panels, which follow versions, do not redraw for it (the host re-lists a growing run several times a
 *  second). */
export function setListings(listings: RunListing[]): void {
  const runs = { ...useRuns.getState().runs };
  for (const l of listings) {
    const e = runs[l.id] ?? blank(l.id);
    if (!sameListing(e.listing, l)) runs[l.id] = { ...e, listing: l };
  }
  const order = listings.map((l) => l.id);
  const same =
    order.length === useRuns.getState().order.length && order.every((id, i) => id === useRuns.getState().order[i]);
  useRuns.setState(same ? { runs } : { runs, order });
}

export function removeRun(id: string): void {
  const { runs, order } = useRuns.getState();
  const { [id]: _gone, ...rest } = runs;
  useRuns.setState({ runs: rest, order: order.filter((r) => r !== id) });
}

// ---- selectors ----

/** Subscribe to a run's version (re-render when its data changes); read the columns from `entry(id)`. */
export const useRunVersion = (id: string): number => useRuns((s) => s.runs[id]?.version ?? -1);

// The run queue: every run the page trains is a job, waiting here until it may start. By default one job at a time
// trains on a CPU backend (wasm, cpu), so two runs never fight over the cores unasked; jobs that run on WebGPU do
// not hold the CPU slot. A job that is starting counts as CPU (its backend is not known before the worker says).
// Jobs are view state for the run bar ("Queued, 2nd"), never saved and never undone.
import { create } from 'zustand';
import type { CellId } from '../state/notebook-schema';

export type JobState = 'queued' | 'starting' | 'running' | 'paused' | 'stopping';

export interface Job {
  id: number;
  cellId: CellId | null; // the Experiment cell the run belongs to (null: a run no cell shows)
  runId: string | null; // known at once for a resume; for a new run once its directory exists
  kind: 'new' | 'resume';
  label: string; // the spec's name
  state: JobState;
  backend: string | null; // once the worker is ready
}

interface QueueState {
  jobs: Record<number, Job>;
  waiting: number[]; // job ids in start order
  /** Why a cell's last run could not start (bad data, no backend): no run directory exists for it. */
  startProblems: Record<CellId, string>;
}

export const useQueue = create<QueueState>(() => ({ jobs: {}, waiting: [], startProblems: {} }));

/** How many jobs may train at once on CPU backends (the default 1: one run uses both cores well). */
let cpuSlots = 1;
export function setCpuSlots(n: number): void {
  cpuSlots = Math.max(1, Math.floor(n));
  pump();
}

export function setStartProblem(cellId: CellId, message: string | null): void {
  const { [cellId]: _old, ...rest } = useQueue.getState().startProblems;
  useQueue.setState({ startProblems: message === null ? rest : { ...rest, [cellId]: message } });
}

let nextId = 1;
const starters = new Map<number, (jobId: number) => void>();

/** Add a job (`front`: before the waiting ones); `start(jobId)` is called when its turn comes (at once when a slot
 *  is free). Returns the job id. */
export function enqueue(
  job: Omit<Job, 'id' | 'state' | 'backend'>,
  start: (jobId: number) => void,
  opts: { front?: boolean } = {},
): number {
  const id = nextId++;
  useQueue.setState((s) => ({
    jobs: { ...s.jobs, [id]: { ...job, id, state: 'queued', backend: null } },
    waiting: opts.front ? [id, ...s.waiting] : [...s.waiting, id],
  }));
  starters.set(id, start);
  pump();
  return id;
}

export function updateJob(id: number, fields: Partial<Omit<Job, 'id'>>): void {
  const j = useQueue.getState().jobs[id];
  if (!j) return;
  useQueue.setState((s) => ({ jobs: { ...s.jobs, [id]: { ...j, ...fields } } }));
  if (fields.backend !== undefined) pump(); // a job on WebGPU frees the CPU slot
}

/** The job ended (or was cancelled while queued): forget it and start the next one that may. */
export function finishJob(id: number): void {
  starters.delete(id);
  useQueue.setState((s) => {
    const { [id]: _gone, ...jobs } = s.jobs;
    return { jobs, waiting: s.waiting.filter((w) => w !== id) };
  });
  pump();
}

/** Jobs that hold the CPU slot: started, and not (yet) known to run on WebGPU. */
function cpuJobs(s: QueueState): number {
  return Object.values(s.jobs).filter((j) => j.state !== 'queued' && j.backend !== 'webgpu').length;
}

/** Start waiting jobs while a slot is free. */
export function pump(): void {
  for (;;) {
    const s = useQueue.getState();
    const next = s.waiting[0];
    if (next === undefined || cpuJobs(s) >= cpuSlots) return;
    const job = s.jobs[next];
    useQueue.setState({
      jobs: { ...s.jobs, [next]: { ...job, state: 'starting' } },
      waiting: s.waiting.slice(1),
    });
    const start = starters.get(next);
    starters.delete(next);
    start?.(next);
  }
}

// ---- selectors ----

/** The job a cell's run bar controls: its started one (the oldest), else its next queued one; null: none. */
export function jobOfCell(s: QueueState, cellId: CellId): Job | null {
  let started: Job | null = null,
    queued: Job | null = null;
  for (const j of Object.values(s.jobs)) {
    if (j.cellId !== cellId) continue;
    if (j.state === 'queued') queued = !queued || j.id < queued.id ? j : queued;
    else started = !started || j.id < started.id ? j : started;
  }
  return started ?? queued;
}

/** How many runs of the cell wait in the queue. */
export const queuedOfCell = (s: QueueState, cellId: CellId): Job[] =>
  Object.values(s.jobs).filter((j) => j.cellId === cellId && j.state === 'queued');

export const useStartProblem = (cellId: CellId): string | null => useQueue((s) => s.startProblems[cellId] ?? null);
export const useCellJob = (cellId: CellId): Job | null => useQueue((s) => jobOfCell(s, cellId));
export const useRunJob = (runId: string | null): Job | null =>
  useQueue((s) => (runId ? (Object.values(s.jobs).find((j) => j.runId === runId) ?? null) : null));

/** 1 for the next job to start, 2 for the one after, ...; 0 when the job is not waiting. */
export const queuePosition = (s: QueueState, jobId: number): number => s.waiting.indexOf(jobId) + 1;

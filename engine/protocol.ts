// The worker protocol (DESIGN §1): the one typed, versioned message contract between the training engine
// (a Web Worker in the app, a worker_threads worker in Node) and whoever drives it (renderer, CLI, tests).
// Requests carry an `id`; every request is answered by exactly one `ack` or one `failed` with that requestId.
// Events are plain structured-clone-safe objects; bulk data (metric columns, checkpoint bytes) travels as typed
// arrays in the transfer list, never copied. Requests are validated in protocol-requests.ts (zod); the spec by
// engine/spec.ts.
import type { BackendName } from './backend';
import type { RequestType } from './protocol-requests';
import type {
  AtlasReport,
  EvalReport,
  MetricsColumns,
  ProbeReport,
  RoutingReport,
  TokenizeReport,
  TraceReport,
} from './contracts/reports';
import type { ExperimentSpec } from './spec';

export type {
  AtlasReport,
  EvalReport,
  MetricsColumns,
  ProbeIntervention,
  ProbeReport,
  RoutingReport,
  StepReport,
  TokenizeReport,
  TraceReport,
} from './contracts/reports';
export { FLOAT64_COLUMNS, METRIC_COLUMNS } from './contracts/reports';

// The requests (zod schemas, their types, parseRequest) live in protocol-requests.ts; importers get them here.
export {
  AtlasRequestSchema,
  DataSourcesSchema,
  FaultSchema,
  InterventionSchema,
  parseRequest,
  ProtocolError,
  RequestSchema,
  requestIdOf,
  type DataSourcesMessage,
  type Fault,
  type Request,
  type RequestBody,
  type RequestOf,
  type RequestType,
} from './protocol-requests';

/** Bumped on any incompatible change of a request or event shape. init must name it. */
export const PROTOCOL_VERSION = 2;

// ---- events (worker -> host) ----

export type RunState = 'idle' | 'ready' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed';
export type FailureReason = 'invalid-request' | 'device-lost' | 'non-finite' | 'error' | 'worker-died' | 'timeout';

export interface ErrorInfo {
  name: string;
  message: string;
  stack: string;
}

export interface ReadyEvent {
  type: 'ready';
  requestId: number;
  protocol: number;
  engineVersion: string;
  backend: BackendName;
  adapter: string;
  fallbacks: { backend: string; reason: string }[]; // backends tried before this one, with why they were skipped
  limits: Record<string, number | boolean | string>; // WebGPU device limits, wasm SIMD/threads, ...
  params: number;
  vocab: number;
  dataset: string;
  spec: ExperimentSpec; // the validated spec with defaults filled in
  step: number; // > 0 when resumed from a checkpoint
  totalSteps: number;
  tensorsBeforeInit: number;
}

export interface MetricsEvent {
  type: 'metrics';
  count: number;
  columns: MetricsColumns;
  memory: { numTensors: number; numBytes: number };
}

export interface EvalEvent {
  type: 'eval';
  requestId?: number;
  report: EvalReport;
}
export interface RoutingEvent {
  type: 'routing';
  requestId?: number;
  report: RoutingReport;
}
export interface ProbeEvent {
  type: 'probe';
  requestId?: number;
  report: ProbeReport;
}
export interface TokensEvent {
  type: 'tokens';
  requestId: number;
  report: TokenizeReport;
}
export interface AtlasEvent {
  type: 'atlas';
  requestId: number;
  report: AtlasReport; // its typed arrays are transferred
}
export interface TraceEvent {
  type: 'trace';
  requestId: number;
  report: TraceReport;
}
export interface CheckpointEvent {
  type: 'checkpoint';
  requestId?: number;
  step: number;
  bytes: Uint8Array;
}
export interface StateEvent {
  type: 'state';
  state: RunState;
  step: number;
}
export interface FinishedEvent {
  type: 'finished';
  step: number;
  tokens: number;
  time_s: number;
}
export interface DisposedEvent {
  type: 'disposed';
  requestId: number;
  numTensors: number;
  tensorsBeforeInit: number;
}
export interface FailedEvent {
  type: 'failed';
  requestId?: number; // set when one request failed (the run may go on: see fatal)
  reason: FailureReason;
  fatal: boolean; // true: the run is over (state 'failed'); init again, e.g. on another backend from a checkpoint
  step?: number;
  error: ErrorInfo;
}
export interface WarningEvent {
  type: 'warning';
  message: string;
}
export interface AckEvent {
  type: 'ack';
  requestId: number;
  request: RequestType;
  state: RunState;
  step: number;
}

export type WorkerEvent =
  | ReadyEvent
  | MetricsEvent
  | EvalEvent
  | RoutingEvent
  | ProbeEvent
  | TokensEvent
  | AtlasEvent
  | TraceEvent
  | CheckpointEvent
  | StateEvent
  | FinishedEvent
  | DisposedEvent
  | FailedEvent
  | WarningEvent
  | AckEvent;
export type EventType = WorkerEvent['type'];
export type EventOf<T extends EventType> = Extract<WorkerEvent, { type: T }>;

/** What `WorkbenchClient.request(type)` resolves to: the event that carries the answer, else the ack. */
export interface ResultMap {
  init: ReadyEvent;
  probe: ProbeEvent;
  tokenize: TokensEvent;
  atlas: AtlasEvent;
  trace: TraceEvent;
  evaluate: EvalEvent;
  routing: RoutingEvent;
  saveCheckpoint: CheckpointEvent;
  dispose: DisposedEvent;
}
export type ResultOf<T extends RequestType> = T extends keyof ResultMap ? ResultMap[T] : AckEvent;
export const RESULT_EVENT: { [K in keyof ResultMap]: ResultMap[K]['type'] } = {
  init: 'ready',
  probe: 'probe',
  tokenize: 'tokens',
  atlas: 'atlas',
  trace: 'trace',
  evaluate: 'eval',
  routing: 'routing',
  saveCheckpoint: 'checkpoint',
  dispose: 'disposed',
};

/** Typed arrays inside an event that must be transferred, not copied. */
export function transferables(ev: WorkerEvent): ArrayBuffer[] {
  switch (ev.type) {
    case 'metrics':
      return Object.values(ev.columns).map((c: Float32Array | Float64Array) => c.buffer as ArrayBuffer);
    case 'checkpoint':
      return [ev.bytes.buffer as ArrayBuffer];
    case 'atlas':
      return [
        ev.report.ids.buffer as ArrayBuffer,
        ...ev.report.groups.flatMap((g) => [g.signature, g.idx, g.gates].map((a) => a.buffer as ArrayBuffer)),
      ];
    case 'tokens':
    case 'trace':
    case 'ready':
    case 'eval':
    case 'routing':
    case 'probe':
    case 'state':
    case 'finished':
    case 'disposed':
    case 'failed':
    case 'warning':
    case 'ack':
      return [];
    default:
      return unreachable(ev);
  }
}

export function unreachable(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}

/** An Error (or anything thrown) as a structured-clone-safe record. */
export function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack ?? `${e.name}: ${e.message}` };
  return { name: 'Error', message: String(e), stack: String(e) };
}

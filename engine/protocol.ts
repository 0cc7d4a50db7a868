// The worker protocol (DESIGN §1): the one typed, versioned message contract between the training engine
// (a Web Worker in the app, a worker_threads worker in Node) and whoever drives it (renderer, CLI, tests).
// Requests carry an `id`; every request is answered by exactly one `ack` or one `failed` with that requestId.
// Events are plain structured-clone-safe objects; bulk data (metric columns, checkpoint bytes) travels as typed
// arrays in the transfer list, never copied. Requests are validated here (zod); the spec by engine/spec.ts.
import { z } from 'zod';
import type { BackendName } from './backend';
import type {
  AtlasReport,
  EvalReport,
  MetricsColumns,
  ProbeIntervention,
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

/** Bumped on any incompatible change of a request or event shape. init must name it. */
export const PROTOCOL_VERSION = 2;

const id = z.number().int().nonnegative();
const backendName = z.enum(['webgpu', 'wasm', 'cpu']);
const document = z.object({ name: z.string(), text: z.string() }).strict();

/** Where the training data comes from: text the host already loaded, or URLs the worker fetches. */
export const DataSourcesSchema = z
  .object({
    documents: z.array(document).optional(), // corpus/file sources (engine/node/corpus.ts loads them in Node)
    bpeMerges: z.string().optional(), // GPT-2 vocab.bpe content for the 'bpe' tokenizer
    documentUrls: z.array(z.object({ name: z.string(), url: z.string().min(1) }).strict()).optional(), // fetched by the worker
    bpeMergesUrl: z.string().min(1).optional(),
  })
  .strict();

/** Injected failures for tests: throw inside a step as a lost GPU device, a NaN, or a plain error would. */
export const FaultSchema = z.object({ kind: z.enum(['device-lost', 'nan', 'error']), atStep: id.min(1) }).strict();

const side = z.enum(['src', 'dst', 'mlp']);

/** One counterfactual routing change of a probe (ProbeIntervention in engine/contracts/reports.ts). Whether the
 *  layer, side, head, expert and position exist is checked against the model (engine/train/probe-interventions.ts). */
export const InterventionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ablate'), layer: id, side, head: id, expert: id, position: id.optional() }).strict(),
  z.object({ kind: z.literal('force'), layer: id, side, head: id, expert: id, position: id.optional() }).strict(),
  z.object({ kind: z.literal('uniform'), layer: id.optional(), side: side.optional(), head: id.optional() }).strict(),
]);
// The schema and the contract type must agree both ways (a compile error otherwise).
const _interventionAgrees: [z.infer<typeof InterventionSchema>, ProbeIntervention] extends [
  ProbeIntervention,
  z.infer<typeof InterventionSchema>,
]
  ? true
  : never = true;
void _interventionAgrees;

/** Bounds of an atlas request (defaults in engine/train/atlas.ts ATLAS_DEFAULTS). */
export const AtlasRequestSchema = {
  maxTokens: z.number().int().min(1).max(32768).optional(),
  topTokens: z.number().int().min(1).max(100).optional(),
  topContexts: z.number().int().min(1).max(100).optional(),
  signatureTypes: z.number().int().min(0).max(4096).optional(),
};

const req = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) =>
  z.object({ type: z.literal(type), id, ...shape }).strict();

export const RequestSchema = z.discriminatedUnion('type', [
  req('init', {
    protocol: z.number().int(),
    spec: z.unknown(), // validated by parseSpec, so the failure names the spec field
    sources: DataSourcesSchema.optional(),
    checkpoint: z
      .custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected checkpoint bytes (a Uint8Array)')
      .optional(), // safetensors bytes from a checkpoint event or file
    backend: z.array(backendName).min(1).optional(), // preference order; default webgpu -> wasm -> cpu
    wasmPaths: z.string().min(1).optional(), // URL prefix of the tfjs-backend-wasm .wasm files (browser)
  }),
  req('start', {}),
  req('pause', {}),
  req('resume', {}),
  req('step', {}), // exactly one training step, from ready/paused
  req('stop', {}), // ends training for good; probes, evaluation and checkpoints still work
  req('setLearningRate', { lr: z.number().positive().finite() }),
  // text: 2..contextLength+1 tokens (else failed, naming the lengths; see tokenize); interventions: ProbeIntervention
  req('probe', { text: z.string(), interventions: z.array(InterventionSchema).max(256).optional() }),
  req('tokenize', { text: z.string() }), // -> tokens event: ids, display names, length vs the model's context
  req('atlas', AtlasRequestSchema), // -> atlas event: the expert atlas over the first validation rows
  req('trace', { text: z.string(), position: id, layer: id }), // -> trace event: the teaching walkthrough
  req('saveCheckpoint', {}),
  req('evaluate', {}),
  req('routing', {}),
  req('injectFault', { fault: FaultSchema }), // test hook
  req('dispose', {}), // frees every tensor; the worker accepts a new init afterwards
]);

export type Request = z.infer<typeof RequestSchema>;
export type RequestType = Request['type'];
export type RequestOf<T extends RequestType> = Extract<Request, { type: T }>;
/** What a caller supplies: the request without `type` and `id` (WorkbenchClient adds them). */
export type RequestBody<T extends RequestType> = Omit<RequestOf<T>, 'type' | 'id'>;
export type DataSourcesMessage = z.infer<typeof DataSourcesSchema>;
export type Fault = z.infer<typeof FaultSchema>;

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

/** Validate one incoming message. Throws an Error naming the problem (path and reason of each issue). */
export function parseRequest(msg: unknown): Request {
  const r = RequestSchema.safeParse(msg);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`);
  const type =
    msg && typeof msg === 'object' && typeof (msg as { type?: unknown }).type === 'string'
      ? (msg as { type: string }).type
      : '?';
  throw new ProtocolError(`malformed "${type}" request: ${issues.join('; ')}`);
}

export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** The request id of a message, when it has a usable one (so a malformed request can still be answered). */
export function requestIdOf(msg: unknown): number | undefined {
  const v = msg && typeof msg === 'object' ? (msg as { id?: unknown }).id : undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

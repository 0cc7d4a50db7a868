// The requests of the worker protocol (protocol.ts, DESIGN §1): host -> worker messages, validated with zod. Each
// carries an `id` and is answered by exactly one `ack` or one `failed` with that requestId (events: protocol.ts).
import { z } from 'zod';
import type { ProbeIntervention } from './contracts/reports';

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

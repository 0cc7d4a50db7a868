// The Platform contract (DESIGN §1, §4): every operation the renderer uses to persist or reach the OS, as ONE
// table. Each entry names its arguments as a zod tuple; the web host (electron/host, HTTP) and the Electron main
// process (IPC) validate every payload with these same schemas, the preload exposes exactly these names, and the
// renderer's two Platform implementations are checked by the compiler against `PlatformApi`.
// No Node, no DOM: imported by renderer/, electron/ and engine/node alike.
import { z } from 'zod';

// ---- names and identifiers ----

/** A notebook's name: its file is `notebooks/<name>.swhnb.json` in the workspace. */
export const NotebookNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,79}$/,
    'a notebook name is 1-80 letters, digits, spaces or . _ ( ) -, starting with a letter or digit',
  )
  .refine((s) => !s.endsWith(' ') && !s.endsWith('.'), 'a notebook name cannot end with a space or a dot');
/** A run id: the folder name under `runs/` (engine/node/rundir.ts RUN_ID). */
export const RunIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "a run id is letters, digits, '.', '_' and '-' (at most 128)");
const step = z.number().int().nonnegative();
/** An opaque version of a file (changes whenever its content changes), for last-write-wins notices. */
export const VersionSchema = z.string().max(64);

// ---- what crosses (results) ----

export interface WorkspaceInfo {
  root: string; // absolute path of the workspace folder, for display
  name: string; // its base name
  engineVersion: string;
  host: 'web' | 'electron';
}

export interface NotebookInfo {
  name: string;
  updatedMs: number;
  bytes: number;
}

export interface NotebookFile {
  name: string;
  text: string; // the raw file; the renderer validates it (renderer/state/notebook-schema.ts) and never rewrites a file it could not read
  version: string;
}

/** An export to PyTorch, written inside the workspace. */
export interface PyTorchExport {
  name: string; // the folder's name under exports/ (the name asked for, or with "-2", "-3", ... when it was taken)
  folder: string; // "exports/<name>", relative to the workspace
  path: string; // absolute, for display
  params: number;
  vocabSize: number;
  run: string | null; // exported from a run: the run inside the folder ("runs/<id>")
  checkpoint: string | null; // its newest checkpoint, inside the folder (null: it restarts from step 0)
  warnings: string[];
  command: string; // what to run next: cd <path> && python3 prepare_data.py && python3 train.py [--resume runs/<id>]
}

export interface WriteResult {
  version: string;
  /** The file had changed since `baseVersion` (another tab or window wrote it): this write won; tell the user. */
  overwroteNewer: boolean;
}

/** running: a live writer holds the run (app or CLI); interrupted: no summary and no live writer (resumable from
 *  its newest checkpoint); complete / failed / stopped: summary.json says so. */
export type RunStatus = 'running' | 'complete' | 'interrupted' | 'failed' | 'stopped';

export interface RunListing {
  id: string;
  name: string; // spec.name
  status: RunStatus;
  writer: 'app' | 'cli' | 'export' | null; // who is writing it now (running) or last wrote it, when known
  createdAt: string | null;
  updatedMs: number;
  lastStep: number; // highest step in metrics.jsonl (0 before the first row)
  totalSteps: number; // spec.train.steps
  metricsBytes: number; // size of metrics.jsonl: a changed size means new rows (read them with readRun's offsets)
  routingBytes: number;
  probes: number[]; // steps with a saved probe
  checkpoints: number[]; // steps with a checkpoint
}

/** A run read from disk, incrementally: rows after the given byte offsets, and the offsets to ask from next time. */
export interface RunRead {
  listing: RunListing;
  specFile: unknown; // spec.json as written (engine/contracts RunSpecFile): the renderer parses it
  summary: unknown | null; // summary.json, or null
  metrics: unknown[]; // metrics.jsonl rows after metricsOffset (train and val rows, in file order)
  routing: unknown[]; // routing.jsonl rows after routingOffset
  metricsOffset: number;
  routingOffset: number;
  /** The offsets asked for were past the end of a file that was rolled back or rewritten (a resume): the rows are
   *  from the start of the file, so drop what was read before. Absent when false. */
  restarted?: boolean;
}

/** Pushed to the renderer (server-sent events on the web host, an IPC event in Electron). */
export type WorkspaceEvent =
  | { type: 'runs'; runs: RunListing[] } // the whole listing whenever any run appears, grows or changes status
  | { type: 'notebooks'; notebooks: NotebookInfo[] } // the notebook list changed on disk
  | { type: 'notebook-changed'; name: string; version: string } // a notebook file was written by someone else
  | { type: 'menu'; command: string }; // Electron menus (File > New, Run > Pause, ...); never sent by the web host

// ---- what a run writer sends (the app's run recorder; the CLI writes through engine/node/rundir.ts itself) ----

const row = z.object({ step }).passthrough();
export const RunWriteSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('metrics'), rows: z.array(row).max(100_000) }).strict(), // append to metrics.jsonl
  z.object({ kind: z.literal('routing'), rows: z.array(row).max(10_000) }).strict(), // append to routing.jsonl
  z.object({ kind: z.literal('probe'), step, report: z.record(z.unknown()) }).strict(), // probes/<step>.json
  z
    .object({
      kind: z.literal('summary'), // summary.json (+ summary.md and the loss-curve SVG, when given)
      summary: z.record(z.unknown()).nullable(), // null: an interrupted run, only summary.md and loss.svg
      markdown: z
        .string()
        .max(1 << 20)
        .optional(),
      svg: z
        .string()
        .max(4 << 20)
        .optional(),
    })
    .strict(),
  z.object({ kind: z.literal('rollback'), step }).strict(), // resume: drop rows/probes/checkpoints after `step`
  z.object({ kind: z.literal('release') }).strict(), // the app stops writing this run (its writer claim goes)
]);
export type RunWrite = z.infer<typeof RunWriteSchema>;

/** A folder name under `<workspace>/exports/` (an export to PyTorch, issue 11). */
export const ExportNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, "an export name is 1-80 letters, digits, '.', '_' or '-'")
  .refine((s) => !s.endsWith('.'), 'an export name cannot end with a dot');
/** What to export to PyTorch: a run of the workspace (its spec, its files and newest checkpoint), or a spec (an
 *  Experiment cell's; a `file` data source is relative to the workspace's data/ folder, as for training). */
export const PyTorchTargetSchema = z.union([
  z.object({ runId: RunIdSchema }).strict(),
  z.object({ spec: z.record(z.unknown()) }).strict(),
]);
export type PyTorchTarget = z.infer<typeof PyTorchTargetSchema>;

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes (a Uint8Array)');
const json = z.string().max(16 << 20); // a notebook file, at most 16 MiB

// ---- the operations ----

/** Every Platform operation: name -> argument tuple schema. The order of this table is the order of the docs. */
export const PLATFORM_OPS = {
  workspaceInfo: z.tuple([]),
  listNotebooks: z.tuple([]),
  readNotebook: z.tuple([NotebookNameSchema]),
  /** Write (create or overwrite) atomically. baseVersion: the version the page last read or wrote (null: new). */
  writeNotebook: z.tuple([NotebookNameSchema, json, VersionSchema.nullable()]),
  createNotebook: z.tuple([NotebookNameSchema, json]), // fails if it exists
  renameNotebook: z.tuple([NotebookNameSchema, NotebookNameSchema]),
  trashNotebook: z.tuple([NotebookNameSchema]), // moved to trash/, never deleted
  listRuns: z.tuple([]),
  readRun: z.tuple([RunIdSchema, z.object({ metricsOffset: step, routingOffset: step }).strict()]),
  readProbe: z.tuple([RunIdSchema, step]),
  readCheckpoint: z.tuple([RunIdSchema, step]),
  /** A new app run: writes spec.json (engine/contracts RunSpecFile) and claims the run for this app. */
  createRun: z.tuple([z.string().min(1).max(100), z.record(z.unknown())]),
  /** Re-claim an interrupted run to continue it (resume); fails while another writer is alive. */
  claimRun: z.tuple([RunIdSchema]),
  writeRun: z.tuple([RunIdSchema, RunWriteSchema]),
  writeCheckpoint: z.tuple([RunIdSchema, step, bytes]),
  trashRun: z.tuple([RunIdSchema]), // moved to trash/, never deleted
  /** The corpus / BPE text a spec trains on (engine/node/corpus.ts on the host), as the worker's init `sources`. */
  loadDataSources: z.tuple([z.record(z.unknown())]),
  /** Save an export (SVG, PNG, CSV, JSON, HTML report, zip). Web: a download; Electron: a native save dialog. */
  saveExport: z.tuple([
    z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^/\\]+$/, 'a file name, no folders'),
    z.union([z.string(), bytes]),
    z.string().max(100),
  ]),
  /** Write a self-contained PyTorch folder (engine/node/export) to `<workspace>/exports/<name>/`; a name already
   *  taken gets "-2", "-3", ... The result names the folder and the command to run next. */
  exportPyTorch: z.tuple([PyTorchTargetSchema, ExportNameSchema]),
} as const;

export type PlatformOp = keyof typeof PLATFORM_OPS;
export type PlatformArgs<K extends PlatformOp> = z.input<(typeof PLATFORM_OPS)[K]>;

/** What each operation resolves to. */
export interface PlatformResults {
  workspaceInfo: WorkspaceInfo;
  listNotebooks: NotebookInfo[];
  readNotebook: NotebookFile;
  writeNotebook: WriteResult;
  createNotebook: WriteResult;
  renameNotebook: void;
  trashNotebook: void;
  listRuns: RunListing[];
  readRun: RunRead;
  readProbe: unknown; // probes/<step>.json (engine/contracts ProbeReport)
  readCheckpoint: Uint8Array;
  createRun: { id: string };
  claimRun: RunListing;
  writeRun: void;
  writeCheckpoint: void;
  trashRun: void;
  loadDataSources: unknown; // engine/protocol DataSourcesMessage
  saveExport: { saved: boolean; path: string | null }; // false: the user cancelled (Electron dialog)
  exportPyTorch: PyTorchExport;
}

/** The renderer's whole view of its host: one async function per operation, plus the event stream. */
export type PlatformApi = {
  [K in PlatformOp]: (...args: PlatformArgs<K>) => Promise<PlatformResults[K]>;
} & {
  /** Subscribe to workspace events; returns the unsubscribe function. */
  watch(handler: (ev: WorkspaceEvent) => void): () => void;
};

/** Errors cross the boundary as { name, message }; these names let the renderer tell them apart. */
export type PlatformErrorName =
  | 'InvalidRequest' // a payload failed its schema (400)
  | 'OutsideWorkspace' // a path would leave the workspace (400)
  | 'NotFound' // 404
  | 'Conflict' // exists already, or a live writer holds the run (409)
  | 'TooLarge' // 413
  | 'Unauthorized' // missing or wrong token (401)
  | 'HostError'; // anything else (500), message says what

export class PlatformError extends Error {
  constructor(
    readonly code: PlatformErrorName,
    message: string,
  ) {
    super(message);
    this.name = 'PlatformError';
  }
}

/** Validate an operation's arguments; throws PlatformError('InvalidRequest') naming the op, argument and field. */
export function parsePlatformArgs<K extends PlatformOp>(op: K, args: unknown): z.output<(typeof PLATFORM_OPS)[K]> {
  const schema = PLATFORM_OPS[op] as z.ZodTypeAny;
  if (!schema) throw new PlatformError('InvalidRequest', `unknown operation "${String(op)}"`);
  const r = schema.safeParse(args);
  if (r.success) return r.data;
  const why = r.error.issues.map(
    (i) => `${i.path.length ? `argument ${i.path.join('.')}` : 'arguments'}: ${i.message}`,
  );
  throw new PlatformError('InvalidRequest', `${op}: ${why.join('; ')}`);
}

export const isPlatformOp = (name: string): name is PlatformOp => Object.hasOwn(PLATFORM_OPS, name);

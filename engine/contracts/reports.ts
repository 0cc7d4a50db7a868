// What the engine reports, in one place: the per-step, evaluation, routing and probe reports that cross the worker
// boundary (engine/protocol.ts events) and land on disk (engine/contracts/run-files.ts rows), and the metric
// columns a metrics event carries. Types only, plus the column list (checked against StepReport by the compiler).
// Imported by the trainer, the session, the protocol, the run recorder, the CLI and the renderer alike.
// A change here changes what hosts and run directories see: test/worker/fingerprint.test.ts pins these shapes
// with PROTOCOL_VERSION.

/** One training step (trainer.step()): the row `split: 'train'` of metrics.jsonl. */
export interface StepReport {
  step: number; // updates done, this one included
  tokens: number; // training tokens seen so far
  time_s: number; // training wall time so far (excludes evaluation)
  split: 'train';
  loss: number; // total loss (cross-entropy + regularisers)
  ce: number;
  reg: number;
  lr: number;
  grad_norm: number; // before clipping
  step_ms: number;
  tokens_per_s: number;
  accuracy?: number; // synthetic tasks: answer-token accuracy on this batch
}

/** One evaluation on the fixed validation batches: the row `split: 'val'` of metrics.jsonl. */
export interface EvalReport {
  step: number;
  tokens: number;
  time_s: number;
  split: 'val';
  loss: number; // mean cross-entropy (nats/token)
  ppl: number;
  bits_per_token: number;
  bpb: number | null; // bits per UTF-8 byte of the text (null for synthetic tasks)
  accuracy?: number;
  answer_accuracy?: number;
  per_task?: Record<string, number>;
}

/** Expert usage of one head (or of the σ-MoE MLP) on one side of one layer. */
export interface HeadStats {
  head: number;
  counts: number[]; // selections per expert [E]
  share: number[]; // counts / total selections [E] (expert identity kept)
  meanGate: number[]; // mean gate value when selected [E] (0 when never selected)
  entropy: number; // usage entropy / log(E), in [0, 1]
  deadFraction: number; // fraction of experts never selected
}

export interface SideStats {
  layer: number;
  side: 'src' | 'dst' | 'mlp';
  usedBy: string[]; // which projections this selection serves, e.g. ["V"] or ["Q", "O"]
  heads: HeadStats[];
}

/** Routing statistics on the first validation batch: one row of routing.jsonl. */
export interface RoutingReport {
  step: number;
  tokens: number;
  sides: SideStats[];
  /** Per layer and head: counts of (value expert, output expert) chosen on the same token, [E][E]. */
  cooccurrence: { layer: number; head: number; matrix: number[][] }[];
}

export interface ProbeSelection {
  scores: number[][][]; // [T][H][E] sigmoid scores
  idx: number[][][]; // [T][H][k]
  gates: number[][][]; // [T][H][k]
}

export interface ProbeLayer {
  layer: number;
  attention: number[][][]; // [heads][T queries][T keys]
  src?: ProbeSelection; // source side (V/K), one row per key token
  dst?: ProbeSelection; // destination side (O/Q), one row per query token
  mlp?: ProbeSelection; // σ-MoE, H = 1
}

/** Attention maps and selections on the probe text: probes/<step>.json. */
export interface ProbeReport {
  step: number;
  text: string;
  tokens: string[]; // display name of each input token
  layers: ProbeLayer[];
}

// ---- metric columns (the metrics event: one typed array per numeric StepReport field) ----

/** The numeric fields of a report (optional ones included). */
type NumericKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends number ? K : never }[keyof T];
export type MetricColumn = NumericKeys<StepReport>;

/** Column order of a metrics event (and of the renderer's train table). */
export const METRIC_COLUMNS = [
  'step',
  'tokens',
  'time_s',
  'loss',
  'ce',
  'reg',
  'lr',
  'grad_norm',
  'step_ms',
  'tokens_per_s',
  'accuracy',
] as const satisfies readonly MetricColumn[];

/** Columns that need float64 (counts and times grow past float32's exact integers); the rest are float32. */
export const FLOAT64_COLUMNS = ['step', 'tokens', 'time_s'] as const satisfies readonly MetricColumn[];
export type Float64Column = (typeof FLOAT64_COLUMNS)[number];

/** Every numeric StepReport field is a column: this fails to compile when one is missing from METRIC_COLUMNS. */
type Missing = Exclude<MetricColumn, (typeof METRIC_COLUMNS)[number]>;
export const ALL_STEP_FIELDS_ARE_COLUMNS: [Missing] extends [never] ? true : Missing = true;

/** Per-step metrics, batched (at most ~20 messages/s), one typed array per column, transferred. NaN where a
 *  row has no value (accuracy on text). */
export type MetricsColumns = { [C in MetricColumn]: C extends Float64Column ? Float64Array : Float32Array };

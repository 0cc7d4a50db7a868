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
  /** Jain fairness of `share`: (sum x)^2 / (E sum x^2), from 1/E (one expert takes all) to 1 (equal use).
   *  Absent in rows written before protocol 2 and by the PyTorch export. */
  jain?: number;
  /** Margin between the k-th and (k+1)-th largest sigmoid score of each token (how close the choice was);
   *  null when k = E (no (k+1)-th). Absent in rows written before protocol 2 and by the PyTorch export. */
  margin?: MarginStats | null;
}

/** Summary of per-token margins: mean and quantiles (linear interpolation between order statistics). */
export interface MarginStats {
  mean: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface SideStats {
  layer: number;
  side: SelectionSide;
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

/** Attention maps and selections on the probe text: probes/<step>.json. A probe of T positions reads tokens
 *  0..T-1 of the text and predicts tokens 1..T (the text has T + 1 tokens). */
export interface ProbeReport {
  step: number;
  text: string;
  tokens: string[]; // display name of each input token [T]
  layers: ProbeLayer[]; // with interventions: the intervened selections and attention maps
  /** Display name of the token each position predicts [T]. Absent before protocol 2. */
  targets?: string[];
  /** Loss, next-token predictions and attention output norms (with interventions: under them). Absent before
   *  protocol 2 and in probes written by the PyTorch export. */
  outputs?: ProbeOutputs;
  /** The interventions this probe ran under (engine/README.md "Counterfactual routing"); absent: none. */
  interventions?: ProbeIntervention[];
  /** With interventions: the same outputs without them, on the same weights (the "before" of a comparison). */
  baseline?: ProbeOutputs;
}

/** What the model does on the probe: what an intervention changes. */
export interface ProbeOutputs {
  loss: number; // mean cross-entropy over the T positions (nats/token)
  tokenLoss: number[]; // [T] cross-entropy of the token each position predicts
  top: ProbeTop[][]; // [T][5] the most likely next tokens at each position, most likely first
  /** Per layer: head [H][T] = |u_{t,h}|, the norm of each head's output BEFORE the output projection (the
   *  attention-weighted values; MoA: one row per active head slot); out [T] = |y_t|, the norm of the layer's
   *  attention output AFTER the output projection (summed over heads; it also moves with O-expert interventions). */
  attentionNorm: { head: number[][]; out: number[] }[];
}

export interface ProbeTop {
  id: number;
  token: string; // display name
  p: number; // probability
}

/** One counterfactual routing change (engine/README.md "Counterfactual routing"), applied before top-k:
 *  'ablate': expert e's score is -inf (the next best takes its place, like expert dropout);
 *  'force': expert e is ranked above every other (it is chosen, displacing the weakest); its gate is its real
 *  sigmoid score. `position` absent: every position. 'uniform': content-free balanced routing: position t of
 *  head h picks experts (t*k + j) mod E, j < k, with their real gates; each field absent = every layer, side,
 *  head. Side 'src' = the K/V selection (rows = key tokens), 'dst' = Q/O (MoA: its router), 'mlp' = σ-MoE. */
export type ProbeIntervention =
  | { kind: 'ablate' | 'force'; layer: number; side: SelectionSide; head: number; expert: number; position?: number }
  | { kind: 'uniform'; layer?: number; side?: SelectionSide; head?: number };

/** The selections a model can make: source side (K/V), destination side (Q/O; MoA's router), σ-MoE MLP. */
export type SelectionSide = 'src' | 'dst' | 'mlp';

/** A text as the model's tokenizer sees it (the tokenize request): check a probe text before sending it. */
export interface TokenizeReport {
  text: string;
  ids: number[];
  tokens: string[]; // display name of each token
  length: number; // number of tokens
  contextLength: number; // the model's context (spec.data.seqLen): a probe has at most this many positions
  maxLength: number; // contextLength + 1: the most tokens a probe text may have (the last one is only predicted)
  /** Why a probe, trace or intervention request with this text would be refused (empty, too short, too long,
   *  not encodable); null when it fits. */
  problem: string | null;
}

// ---- expert atlas (the atlas request) ----

/** Which tokens of the validation text select each expert, in context, and each token type's routing signature.
 *  Positions are flat: position p is column p % rowLength of row floor(p / rowLength); a context window is a
 *  slice of `ids` inside one row. Typed arrays are transferred with the event. */
export interface AtlasReport {
  step: number;
  source: string; // in words: which validation rows were read, e.g. "2 validation rows of 64 tokens (128 tokens)"
  tokens: number; // positions read (rows x rowLength)
  rowLength: number;
  ids: Int32Array; // [tokens] the input token at each position
  types: number[]; // the distinct token ids read, most frequent first (ties: smaller id first)
  typeNames: string[]; // display name of types[i]
  typeCounts: number[]; // occurrences of types[i]
  signatureTypes: number; // S: the first S types (the most frequent) have a routing signature in every group
  groups: AtlasGroup[]; // one per layer, side and head that selects experts, in layer, side (src, dst, mlp), head order
}

export interface AtlasGroup {
  layer: number;
  side: SelectionSide;
  head: number;
  experts: number; // E
  k: number;
  counts: number[]; // [E] selections of each expert over all positions
  /** [E] the token types that select the expert most often: indices into `types` and their counts, most first. */
  topTypes: { type: number[]; count: number[] }[];
  /** [E] the positions where the expert was chosen with the highest gates, highest first. */
  topContexts: { pos: number[]; gate: number[] }[];
  /** [S * E] row-major: share of type t's occurrences in which expert e was among the chosen k (a row sums to k). */
  signature: Float32Array;
  /** [tokens * k] row-major: the experts chosen at every position read, highest score first (colours the text by
   *  chosen expert), and their gates. */
  idx: Int32Array;
  gates: Float32Array;
}

// ---- teaching walkthrough (the trace request) ----

/** One selection of one token in one head: router logits and sigmoid scores over the E experts, the top-k. */
export interface TraceSelection {
  logits: number[]; // [E]
  scores: number[]; // [E] sigmoid(logits)
  idx: number[]; // [k] chosen experts, highest score first
  gates: number[]; // [k] their scores (not renormalised)
}

/** One chosen expert's contribution before gating. */
export interface TraceExpert {
  expert: number;
  gate: number;
  out: number[]; // V expert: x W_V^{h,e} [dHead]; O expert: u W_O^{h,e} [dModel]
}

/** One head of the traced layer at the traced token p; keys are tokens 0..p (the ones it may attend to). */
export interface TraceHead {
  head: number;
  src?: TraceSelection[]; // [p+1] source-side selection of each key token (K/V MoE)
  dst?: TraceSelection; // destination-side selection of the token itself (Q/O MoE)
  q: number[]; // [dHead] its query projection (before the scale and positions)
  keys: number[][]; // [p+1][dHead] key projections (before the scale and positions)
  vExperts?: TraceExpert[]; // [k] the token's own chosen V experts (as a key); v_p is their gate-weighted sum
  values: number[][]; // [p+1][dHead] v_j of every key (the gate-weighted sums of their V experts)
  logits: number[]; // [p+1] attention scores: q.k / sqrt(dHead) with the positional terms
  weights: number[]; // [p+1] softmax(logits): this query's attention row
  attended: number[]; // [dHead] u = sum_j weights_j v_j
  outputGate?: number; // nExperts = 1: the head's sigmoid output gate
  oExperts?: TraceExpert[]; // [k] u W_O^{h,e} for the chosen O experts
  output: number[]; // [dModel] this head's part of the layer's attention output
}

/** One token stepped through one SwitchHead attention layer with the model's real numbers (SPEC §1). */
export interface TraceReport {
  step: number;
  text: string;
  tokens: string[]; // [T] the probe's input tokens
  position: number; // p
  token: string;
  layer: number;
  dModel: number;
  dHead: number;
  nHeads: number;
  nExperts: number;
  k: number;
  positions: 'none' | 'rope' | 'xl';
  moe: { q: boolean; k: boolean; v: boolean; o: boolean }; // which projections are expert mixtures
  residual: number[]; // [dModel] the layer's input at p (the residual stream)
  input: number[]; // [dModel] after the attention LayerNorm: what the routers and projections read
  heads: TraceHead[];
  output: number[]; // [dModel] the layer's attention output at p (sum over heads), before the residual add
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

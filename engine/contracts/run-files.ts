// What lands in a run directory (DESIGN 2.2), written by the CLI and the app alike through engine/run/recorder.ts:
//   spec.json          RunSpecFile
//   metrics.jsonl      MetricsRow per line (train rows and validation rows, in step order)
//   routing.jsonl      RoutingRow per line
//   probes/<step>.json ProbeReport
//   summary.json       RunSummary (status complete, failed or stopped); summary.md and loss.svg next to it
//   writer.json        WriterClaim: who is writing the run now (removed at a clean end)
// Types only. The Node implementation is engine/node/rundir.ts; the app's goes through engine/contracts/platform.ts.
import type { ExperimentSpec } from '../spec';
import type { RunListing, RunStatus } from './platform';
import type { EvalReport, RoutingReport, StepReport } from './reports';

export type { RunStatus };

/** One line of metrics.jsonl. */
export type MetricsRow = StepReport | EvalReport;
/** One line of routing.jsonl. */
export type RoutingRow = RoutingReport;

/** spec.json of a run directory: the resolved spec plus what produced the run. */
export interface RunSpecFile {
  spec: ExperimentSpec;
  engineVersion: string;
  /** The engine's backend that started the run (webgpu | wasm | cpu), or another trainer ("pytorch": the export). */
  backend: { name: string; adapter: string };
  dataset: string;
  vocabSize: number;
  createdAt: string;
  /** How the run was started, when known: the CLI's command line ("npm run experiment -- ..."). */
  command?: string;
  /** The git commit of the code that started the run, when it ran from a git checkout ("-dirty" if modified). */
  commit?: string;
}

/** How a run ended, in summary.json. An interrupted run (Ctrl-C, kill, closed window) has no summary.json. */
export type SummaryStatus = Extract<RunStatus, 'complete' | 'failed' | 'stopped'>;

/** summary.json: final metrics and what the run cost. Written when a run completes, fails or is stopped. */
export interface RunSummary {
  name: string;
  /** complete: all train.steps done; failed: an error ended it (see `error`; resumable from its last checkpoint);
   *  stopped: the user ended it for good before train.steps (the app's Stop). */
  status: SummaryStatus;
  error?: { reason: string; message: string; step: number | null };
  engineVersion: string;
  backend: string; // the backend that ended the run (a resumed run may have started on another)
  steps: number;
  tokens: number;
  trainTimeS: number; // training wall time (excludes evaluation), carried across resumes
  tokensPerS: number; // tokens / trainTimeS
  final: { train: StepReport | null; val: EvalReport | null };
  valLoss: number | null;
  bpb: number | null;
  accuracy: number | null; // synthetic tasks: validation answer accuracy (whole answer right)
  tokenAccuracy: number | null; // synthetic tasks: validation accuracy per answer token
  params: number;
  paramsPaper: string;
  attention: {
    kind: string;
    formula: string;
    macsPerLayer: number;
    memFloatsPerLayer: number;
    macsPaper: string;
    memPaper: string;
  };
  attentionMatrices: { perLayer: number; total: number };
  dataset: string;
}

export type WriterKind = NonNullable<RunListing['writer']>;

/** writer.json: the process writing a run. A claim whose process is gone (same host) means "interrupted". */
export interface WriterClaim {
  pid: number;
  kind: WriterKind;
  startedAt: string; // ISO time
  hostname: string;
}

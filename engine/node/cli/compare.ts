// `npm run compare -- RUN_DIR... [--out FILE.md]`
// One row per run: name, model (engine/run/summary.ts describeModel), how it ended, parameters, attention MACs and
// memory per layer (SPEC §6, the paper's formatting), attention matrices, final validation loss and bits per byte,
// tokens/s. Printed as Markdown and written as FILE.md plus FILE.csv next to it (default
// workspace/compare-<time>.md). A run's status is its summary.json's (complete, failed or stopped); killed or
// interrupted runs (no summary.json) are shown with their last metrics and marked "incomplete"; a torn last JSONL
// line is ignored.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { attentionCost, attentionMatrices, countParams, formatPaper, formatParams, vocabSizeOf } from '../../cost';
import type { EvalReport, StepReport } from '../../train/trainer';
import type { SummaryStatus } from '../../contracts/run-files';
import { describeModel } from '../../run/summary';
import { writeFileAtomic } from '../atomic';
import { RunDir } from '../rundir';
import { readRunSpec, type RunSummary } from '../runner';
import { EXIT, isMain, runCommand, UsageError, type Command, type Parsed } from './args';
import { DEFAULT_RUNS_ROOT, shownPath } from './experiment';

export interface CompareRow {
  run: string; // run id
  dir: string;
  name: string;
  model: string; // engine/run/summary.ts describeModel: "switchhead H2 d8 E3 k2 (xl+mem) MoE on V/O; d_model ..."
  /** How summary.json says the run ended; incomplete: it has none (killed, interrupted, or still running). */
  status: SummaryStatus | 'incomplete';
  step: number;
  steps: number;
  params: number | null;
  macs: number; // attention MACs per layer
  memFloats: number; // attention memory per layer (floats)
  matricesPerLayer: number;
  matrices: number;
  valLoss: number | null;
  bpb: number | null;
  accuracy: number | null;
  tokensPerS: number | null;
  valCurve: { step: number; loss: number }[];
}

/** Everything compare shows about one run directory. */
export function readRunRow(dir: string): CompareRow {
  const run = RunDir.open(dir);
  const meta = readRunSpec(run);
  const spec = meta.spec;
  const summary = run.readSummary<RunSummary>();
  const rows = run.readMetrics<StepReport | EvalReport>();
  const vals = rows.filter((r): r is EvalReport => r.split === 'val');
  const trains = rows.filter((r): r is StepReport => r.split === 'train');
  const lastVal = vals.at(-1) ?? null;
  const lastTrain = trains.at(-1) ?? null;
  const vocab = summary ? null : (meta.vocabSize ?? (spec.data.source.kind === 'synthetic' ? null : vocabSizeOf(spec)));
  const cost = attentionCost(spec);
  const m = attentionMatrices(spec);
  return {
    run: run.id,
    dir: run.dir,
    name: spec.name,
    model: describeModel(spec),
    status: summary ? (run.readEnd() ?? 'complete') : 'incomplete',
    step: summary?.steps ?? Math.max(lastTrain?.step ?? 0, lastVal?.step ?? 0),
    steps: spec.train.steps,
    params: summary?.params ?? (vocab !== null ? countParams(spec, vocab).total : null),
    macs: cost.macs,
    memFloats: cost.memFloats,
    matricesPerLayer: m.perLayer,
    matrices: m.total,
    valLoss: summary?.valLoss ?? lastVal?.loss ?? null,
    bpb: summary ? summary.bpb : (lastVal?.bpb ?? null),
    accuracy: summary ? summary.accuracy : (lastVal?.answer_accuracy ?? null),
    tokensPerS:
      summary?.tokensPerS ??
      (lastTrain && lastTrain.time_s > 0 ? Math.round((10 * lastTrain.tokens) / lastTrain.time_s) / 10 : null),
    valCurve: vals.map((v) => ({ step: v.step, loss: v.loss })),
  };
}

const COLUMNS = [
  'run',
  'name',
  'model',
  'status',
  'steps',
  'params',
  'attn MACs',
  'attn mem',
  'attn matrices',
  'val loss',
  'bits/byte',
  'accuracy',
  'tokens/s',
] as const;

function cells(r: CompareRow): string[] {
  const f = (x: number | null, d: number) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(d));
  return [
    r.run,
    r.name,
    r.model,
    r.status,
    r.status === 'complete' ? String(r.step) : `${r.step}/${r.steps}`,
    r.params === null ? '?' : formatParams(r.params),
    formatPaper(r.macs),
    formatPaper(r.memFloats),
    `${r.matricesPerLayer}/layer (${r.matrices})`,
    f(r.valLoss, 4),
    f(r.bpb, 3),
    r.accuracy === null ? '-' : `${(100 * r.accuracy).toFixed(1)}%`,
    r.tokensPerS === null ? '-' : r.tokensPerS.toFixed(0),
  ];
}

export function toMarkdown(rows: CompareRow[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return (
    [
      `| ${COLUMNS.join(' | ')} |`,
      `|${COLUMNS.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
    ].join('\n') + '\n\nAttention MACs and memory (floats) are per layer, forward pass, by the SPEC §6 formulas.\n'
  );
}

/** CSV with raw numbers (not the paper's rounding). */
export function toCsv(rows: CompareRow[]): string {
  const head = [
    'run',
    'name',
    'model',
    'status',
    'step',
    'steps',
    'params',
    'attn_macs',
    'attn_mem_floats',
    'attn_matrices_per_layer',
    'attn_matrices',
    'val_loss',
    'bpb',
    'accuracy',
    'tokens_per_s',
  ];
  const q = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const body = rows.map((r) =>
    [
      r.run,
      r.name,
      r.model,
      r.status,
      r.step,
      r.steps,
      r.params,
      r.macs,
      r.memFloats,
      r.matricesPerLayer,
      r.matrices,
      r.valLoss,
      r.bpb,
      r.accuracy,
      r.tokensPerS,
    ]
      .map(q)
      .join(','),
  );
  return [head.join(','), ...body].join('\n') + '\n';
}

/** Write FILE.md and FILE.csv (the .csv next to the .md); returns both paths. */
export function writeComparison(rows: CompareRow[], mdFile: string): { md: string; csv: string } {
  const md = mdFile.endsWith('.md') ? mdFile : `${mdFile}.md`;
  const csv = md.replace(/\.md$/, '.csv');
  fs.mkdirSync(path.dirname(path.resolve(md)), { recursive: true });
  writeFileAtomic(md, toMarkdown(rows));
  writeFileAtomic(csv, toCsv(rows));
  return { md, csv };
}

/** Where the table goes unless --out says otherwise: the workspace, next to its runs. */
export const DEFAULT_COMPARE_DIR = path.dirname(DEFAULT_RUNS_ROOT);

export const COMPARE: Command = {
  name: 'compare',
  usage: ['RUN_DIR [RUN_DIR ...] [--out FILE.md]'],
  summary:
    'One row per run: model, status (complete, failed or stopped), parameters, attention MACs and memory per ' +
    'layer (SPEC §6), attention matrices, final validation loss, bits per byte, answer accuracy, tokens/s. ' +
    'Printed as Markdown and written as FILE.md and FILE.csv. Killed or interrupted runs (no summary.json) show ' +
    'their last metrics, marked "incomplete".',
  args: [`RUN_DIR    a run directory (e.g. ${path.join(shownPath(DEFAULT_RUNS_ROOT), '<id>')})`],
  flags: [
    {
      name: '--out',
      value: 'FILE.md',
      default: path.join(shownPath(DEFAULT_COMPARE_DIR), 'compare-<date>-<time>.md'),
      help: 'write the table here, and the CSV next to it',
    },
  ],
};

export function main(p: Parsed): number {
  if (p.positionals.length === 0) throw new UsageError('no run directory given (npm run compare -- --help shows how)');
  const missing = p.positionals.find((d) => !fs.existsSync(d));
  if (missing) throw new UsageError(`${missing}: no such run directory`);
  const rows = p.positionals.map(readRunRow);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  const files = writeComparison(rows, p.flags.get('--out') ?? path.join(DEFAULT_COMPARE_DIR, `compare-${stamp}.md`));
  process.stdout.write(toMarkdown(rows));
  process.stderr.write(`wrote ${files.md} and ${files.csv}\n`);
  return EXIT.ok;
}

if (isMain(import.meta.url)) runCommand(COMPARE, main);

// `npm run cost -- NAME|FILE.json [...] [--vocab N] [--baseline NAME|FILE.json]`
// Prints, as JSON, parameters, per-layer attention MACs and memory (SPEC §6; raw and as the paper prints them),
// attention matrices, and, when there is a baseline (given, or the preset's dense baseline), the ratios to it.
// One argument: one object; several: an array. The vocabulary is the one training would use: the synthetic
// task's own tokens, the tokenizer's size, the vocabulary a run recorded, or (char) the corpus's characters.
import { costRatios, costReport, vocabSizeOf, type CostRatios, type CostReport } from '../../cost';
import { buildDataset, syntheticVocab } from '../../data';
import { baselines } from '../../../experiments/index';
import { loadDataSources } from '../corpus';
import { intValue, isMain, UsageError, runCommand, type Command, type Parsed } from './args';
import { loadSpec, type LoadedSpec } from './load-spec';
import { presetHelp } from './preset-help';

export const COST: Command = {
  name: 'cost',
  usage: ['NAME|FILE.json [NAME|FILE.json ...] [--vocab N] [--baseline NAME|FILE.json]'],
  summary:
    "Parameters, attention MACs and memory per layer (the paper's formulas, SPEC §6) and attention matrices of " +
    'experiments, without training; printed as JSON (one object, or an array for several). A preset with a dense ' +
    "baseline (SwitchHead, MoA, SwitchAll, the H=2 models) also gets the ratios to it, as in the paper's tables.",
  args: [
    'NAME       an experiment preset (any that `npm run experiment` takes; listed below)',
    "FILE.json  a spec file, or a run's spec.json (its recorded vocabulary is used)",
  ],
  flags: [
    {
      name: '--vocab',
      value: 'N',
      default: 'what training would use',
      help: "count parameters with this vocabulary size (e.g. 205 for the paper's Enwik8 bytes)",
    },
    {
      name: '--baseline',
      value: 'NAME|FILE.json',
      default: "the preset's dense baseline, if it has one",
      help: 'also print the ratios to this experiment',
    },
  ],
  more: presetHelp,
};

export interface Vocabulary {
  size: number;
  from: string;
}

/** The vocabulary training would use, without loading a corpus unless the tokenizer depends on it (char). */
export function vocabularyOf(loaded: LoadedSpec): Vocabulary {
  const { spec } = loaded;
  if (loaded.vocabSize !== null) return { size: loaded.vocabSize, from: 'recorded in the run' };
  const src = spec.data.source;
  if (src.kind === 'synthetic')
    return { size: syntheticVocab(src).size, from: `the synthetic ${src.task} task's own tokens` };
  const fixed = vocabSizeOf(spec);
  if (fixed !== null) return { size: fixed, from: `the ${spec.data.tokenizer.kind} tokenizer` };
  return { size: buildDataset(spec, loadDataSources(spec)).vocabSize, from: 'the characters of the corpus' };
}

type Report = CostReport & { vocabulary: string; ratios?: CostRatios };

function report(target: string, vocab: number | null, baseline: string | null): Report {
  const loaded = loadSpec(target);
  const v = vocab !== null ? { size: vocab, from: '--vocab' } : vocabularyOf(loaded);
  const r: Report = { ...costReport(loaded.spec, v.size), vocabulary: v.from };
  const baseArg = baseline ?? (loaded.preset ? baselines[loaded.preset] : undefined);
  if (!baseArg) return r;
  const base = loadSpec(baseArg); // --vocab is for the targets; the baseline keeps its own vocabulary
  return { ...r, ratios: costRatios(r, costReport(base.spec, vocabularyOf(base).size)) };
}

export function main(p: Parsed): number {
  if (p.positionals.length === 0)
    throw new UsageError('no experiment given: name a preset or a spec file (npm run cost -- --help lists them)');
  const vocabArg = p.flags.get('--vocab');
  const vocab = vocabArg === undefined ? null : intValue('--vocab', vocabArg, 1);
  const out = p.positionals.map((t) => report(t, vocab, p.flags.get('--baseline') ?? null));
  process.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out, null, 2) + '\n');
  return 0;
}

if (isMain(import.meta.url)) runCommand(COST, main);

// `npm run cost -- SPEC.json|PRESET [...] [--vocab N] [--baseline SPEC.json|PRESET]`
// --vocab N overrides the tokenizer's vocabulary (needed for `char`; e.g. 205 for the paper's Enwik8 bytes).
// Prints, as JSON, parameters, per-layer attention MACs and memory (SPEC §6; raw and as the paper prints
// them), attention matrices, and, when there is a baseline (given, or the paper's for a paper preset),
// the ratios to it. One argument: one object; several: an array. Exit code 1 on any bad input.
import { existsSync, readFileSync } from 'node:fs';
import { parseSpec, SpecError, type ExperimentSpec } from '../../spec';
import { costRatios, costReport, vocabSizeOf, type CostRatios, type CostReport } from '../../cost';
import { paperBaselines, paperPresets } from '../../../experiments/paper';

class CliError extends Error {}

const USAGE = 'usage: npm run cost -- SPEC.json|PRESET [...] [--vocab N] [--baseline SPEC.json|PRESET]';

/** A spec from a JSON file (if the path exists or ends in .json) or from a paper preset name. */
function loadSpec(arg: string): { spec: ExperimentSpec; preset: string | null } {
  if (existsSync(arg) || arg.endsWith('.json')) {
    if (!existsSync(arg)) throw new CliError(`${arg}: no such file`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(arg, 'utf8'));
    } catch (e) {
      throw new CliError(`${arg}: not valid JSON (${(e as Error).message})`);
    }
    try {
      return { spec: parseSpec(json), preset: null };
    } catch (e) {
      if (e instanceof SpecError) throw new CliError(`${arg}: ${e.message}`);
      throw e;
    }
  }
  const preset = paperPresets[arg];
  if (!preset)
    throw new CliError(`unknown preset "${arg}"; available presets: ${Object.keys(paperPresets).join(', ')}`);
  return { spec: parseSpec(preset), preset: arg };
}

interface Args {
  targets: string[];
  vocab: number | null;
  baseline: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { targets: [], vocab: null, baseline: null };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--vocab' || s === '--baseline') {
      const v = argv[++i];
      if (v === undefined) throw new CliError(`${s} needs a value`);
      if (s === '--baseline') a.baseline = v;
      else {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new CliError(`--vocab must be a positive integer, got "${v}"`);
        a.vocab = n;
      }
    } else if (s === '--help' || s === '-h') throw new CliError(USAGE);
    else if (s.startsWith('--')) throw new CliError(`unknown option ${s}\n${USAGE}`);
    else a.targets.push(s);
  }
  if (a.targets.length === 0)
    throw new CliError(`no spec given\n${USAGE}\navailable presets: ${Object.keys(paperPresets).join(', ')}`);
  return a;
}

function report(arg: string, args: Args): CostReport & { ratios?: CostRatios } {
  const { spec, preset } = loadSpec(arg);
  const r = costReport(spec, args.vocab);
  const baseArg = args.baseline ?? (preset ? paperBaselines[preset] : undefined);
  if (!baseArg) return r;
  const base = loadSpec(baseArg).spec; // --vocab is for the targets; the baseline keeps its own tokenizer's vocabulary
  return { ...r, ratios: costRatios(r, costReport(base, vocabSizeOf(base) ?? args.vocab)) };
}

function main(argv: string[]): number {
  try {
    const args = parseArgs(argv);
    const out = args.targets.map((t) => report(t, args));
    console.log(JSON.stringify(out.length === 1 ? out[0] : out, null, 2));
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));

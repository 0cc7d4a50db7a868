// Spec loading for every command, in one place: a preset name, a spec file, or a run's spec.json (which wraps
// the spec as {spec, engineVersion, backend, vocabSize, ...}). A relative data.source.path is read relative to
// the spec file's folder. A run shorter than its warm-up gets a warm-up of a tenth of the run, whether the
// steps came from the file or from --steps; every such automatic change is returned for the caller to print.
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseSpec, SpecError, type ExperimentSpec, type ExperimentSpecInput } from '../../spec';
import { presets, resolvePreset } from '../../../experiments/index';
import { UsageError } from './args';

export interface LoadedSpec {
  spec: ExperimentSpec;
  /** Where it came from: a preset, a spec file, or a run's spec.json. */
  kind: 'preset' | 'file' | 'run';
  /** 'experiment "teach-copy"' or the file name, for messages. */
  label: string;
  /** The preset's name (kind 'preset'). */
  preset: string | null;
  /** The vocabulary the run recorded (kind 'run'). */
  vocabSize: number | null;
  /** Automatic changes to the spec, one sentence each, to show the user. */
  changes: string[];
}

/** A preset name is a preset unless it looks like a path; anything else is a file. */
function isFileArg(target: string): boolean {
  if (presets[target] && !/[\\/]/.test(target) && !/\.json$/i.test(target)) return false;
  return existsSync(target) || /\.json$/i.test(target) || /[\\/]/.test(target);
}

/** The spec named by `target` (preset, spec file, run's spec.json), with `steps` applied when given. */
export function loadSpec(target: string, opts: { steps?: number | null } = {}): LoadedSpec {
  const changes: string[] = [];
  let input: ExperimentSpecInput;
  let kind: LoadedSpec['kind'] = 'preset';
  let label = `experiment "${target}"`;
  let vocabSize: number | null = null;
  if (isFileArg(target)) {
    const file = readSpecFile(target);
    ({ input, kind, vocabSize } = file);
    label = target;
    input = resolveDataPath(input, target, changes);
  } else input = resolvePreset(target).spec; // UnknownPresetError lists every name
  input = applySteps(input, opts.steps ?? null, changes);
  try {
    return { spec: parseSpec(input), kind, label, preset: kind === 'preset' ? target : null, vocabSize, changes };
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(`${label}: ${e.message}`);
    throw e;
  }
}

interface SpecFile {
  input: ExperimentSpecInput;
  kind: 'file' | 'run';
  vocabSize: number | null;
}

/** Read and unwrap a spec file; errors name the file and say what to give instead. */
function readSpecFile(file: string): SpecFile {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file (give a spec file or an experiment name)`);
  if (statSync(file).isDirectory()) {
    const inner = path.join(file, 'spec.json');
    throw new UsageError(
      existsSync(inner)
        ? `${file} is a run directory; give its spec file (${inner}) to start a new run of that spec, or --resume ${file} to continue it`
        : `${file} is a directory, not a spec file`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (isRunSpecFile(json)) {
    const vocab = typeof json.vocabSize === 'number' ? json.vocabSize : null;
    return { input: json.spec as ExperimentSpecInput, kind: 'run', vocabSize: vocab };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new UsageError(`${file}: a spec is a JSON object (see experiments/example-spec.json)`);
  return { input: json as ExperimentSpecInput, kind: 'file', vocabSize: null };
}

/** A run directory's spec.json: {spec: {...}, engineVersion: "x.y.z", ...}. */
function isRunSpecFile(json: unknown): json is { spec: unknown; engineVersion: string; vocabSize?: unknown } {
  if (!json || typeof json !== 'object') return false;
  const o = json as Record<string, unknown>;
  return typeof o.engineVersion === 'string' && !!o.spec && typeof o.spec === 'object';
}

/** A relative data.source.path is relative to the spec file's folder (so a spec and its text travel together). */
function resolveDataPath(input: ExperimentSpecInput, specFile: string, changes: string[]): ExperimentSpecInput {
  const src = input.data?.source;
  if (!src || src.kind !== 'file' || typeof src.path !== 'string' || path.isAbsolute(src.path)) return input;
  const abs = path.resolve(path.dirname(specFile), src.path);
  changes.push(`data.source.path "${src.path}" is read as ${abs} (relative to the spec file's folder)`);
  return { ...input, data: { ...input.data, source: { ...src, path: abs } } };
}

const DEFAULT_TRAIN = parseSpec({}).train;

/**
 * Apply --steps, then make the warm-up fit: a run shorter than its warm-up warms up over a tenth of the run.
 * The same rule for the spec file's own train.steps and for --steps.
 */
export function applySteps(input: ExperimentSpecInput, steps: number | null, changes: string[]): ExperimentSpecInput {
  const train = { ...input.train };
  if (steps !== null) train.steps = steps;
  const runSteps = train.steps ?? DEFAULT_TRAIN.steps;
  const warmup = train.warmupSteps ?? DEFAULT_TRAIN.warmupSteps;
  if (Number.isInteger(runSteps) && runSteps >= 1 && Number.isInteger(warmup) && warmup > runSteps) {
    train.warmupSteps = Math.floor(runSteps / 10);
    changes.push(
      `train.warmupSteps ${warmup} -> ${train.warmupSteps}: the warm-up must fit in the ${runSteps}-step run, so it is a tenth of the run`,
    );
  }
  return steps === null && train.warmupSteps === input.train?.warmupSteps ? input : { ...input, train };
}

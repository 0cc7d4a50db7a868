// The experiment spec (DESIGN 2.1): one zod schema, defaults filled in, errors that name the field.
// Plain JSON in, plain JSON out: the CLI, the worker and the UI all pass this object around.
import { z } from 'zod';

export const ENGINE_VERSION = '0.1.0';

const int = (min: number) => z.number().int().min(min);
const prob = z.number().min(0).max(1);

export const AttentionSpec = z
  .object({
    kind: z.enum(['switchhead', 'dense', 'moa']).default('switchhead'),
    nHeads: int(1).default(2),
    dHead: int(2).default(32),
    nExperts: int(1).default(4), // SwitchHead: experts per head; MoA: total experts
    k: int(1).default(2), // active experts per head (SwitchHead) / active heads (MoA)
    moe: z
      .object({
        q: z.boolean().default(false),
        k: z.boolean().default(false),
        v: z.boolean().default(true),
        o: z.boolean().default(true),
      })
      .strict()
      .default({}),
    expertDropout: prob.default(0),
    positions: z.enum(['rope', 'xl', 'none']).default('rope'),
    xlMemory: z.boolean().default(false), // attend to the previous segment's (detached) layer inputs
    rotateFraction: z.number().gt(0).max(1).default(0.5),
    ropeBase: z.number().positive().default(10000),
    moaMode: z.enum(['my', 'moa']).default('my'),
    // MoA's original auxiliary losses (Zhang et al. 2022; SPEC §5.3 "moa" mode): coefficients, 0 = off.
    moaAux: z
      .object({
        cv: z.number().min(0).default(0),
        switch: z.number().min(0).default(0),
        z: z.number().min(0).default(0),
      })
      .strict()
      .default({}),
    selectionReg: z.number().min(0).default(0), // SPEC §1 attention entropy reg; 0 in every paper sweep
  })
  .strict();

export const MlpSpec = z
  .object({
    kind: z.enum(['dense', 'sigma-moe']).default('dense'),
    nExperts: int(1).default(8),
    k: int(1).default(2),
    expertSize: int(1).default(64),
    entropyReg: z.number().min(0).default(0.001),
    expertDropout: prob.default(0),
  })
  .strict();

export const ModelSpec = z
  .object({
    dModel: int(2).default(128),
    nLayers: int(1).default(4),
    dFF: int(1).default(512),
    dropout: z.number().min(0).lt(1).default(0.1),
    attention: AttentionSpec.default({}),
    mlp: MlpSpec.default({}),
  })
  .strict();

export const TokenizerSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('byte') }).strict(),
  z.object({ kind: z.literal('char') }).strict(), // vocabulary = the distinct characters of the corpus
  z.object({ kind: z.literal('bpe'), vocabSize: int(257).max(50256).default(512) }).strict(), // GPT-2 merges, truncated
]);

export const SyntheticTask = z.enum(['copy', 'reverse', 'recall', 'modadd', 'sort', 'mixture']);

export const DataSpec = z
  .object({
    source: z
      .discriminatedUnion('kind', [
        z
          .object({
            kind: z.literal('corpus'),
            name: z.enum(['gutenberg', 'alice', 'shakespeare', 'moby-dick', 'austen']).default('gutenberg'),
          })
          .strict(),
        z
          .object({
            kind: z.literal('text'),
            text: z.string().min(2, 'user text must hold at least 2 characters'),
            name: z.string().default('user text'),
          })
          .strict(),
        z.object({ kind: z.literal('file'), path: z.string().min(1) }).strict(),
        z
          .object({
            kind: z.literal('synthetic'),
            task: SyntheticTask,
            length: int(1).default(8), // items per example (copy/reverse/sort length, recall pairs)
            symbols: int(2).default(16), // alphabet size of the random items
            modulus: int(2).default(17), // modular arithmetic
          })
          .strict(),
      ])
      .default({ kind: 'corpus', name: 'gutenberg' }),
    tokenizer: TokenizerSpec.default({ kind: 'byte' }),
    seqLen: int(2).default(128),
    batchSize: int(1).default(16),
    valFraction: z.number().gt(0).lt(1).default(0.05),
  })
  .strict();

export const TrainSpec = z
  .object({
    steps: int(1).default(1000),
    lr: z.number().positive().default(2.5e-4),
    warmupSteps: int(0).default(0),
    cosine: z.boolean().default(true), // cosine decay to minLrRatio*lr over the steps after warm-up
    minLrRatio: z.number().min(0).max(1).default(0),
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    eps: z.number().positive().default(1e-8),
    weightDecay: z.number().min(0).default(0),
    gradClip: z.number().min(0).default(0.1), // global norm; 0 disables
    regCoef: z.number().min(0).default(1), // multiplier of the summed regularisers
    seed: int(0).default(42),
  })
  .strict();

export const LogSpec = z
  .object({
    metricsInterval: int(1).default(1),
    evalInterval: int(1).default(100),
    evalBatches: int(1).default(4),
    routingInterval: int(1).default(50),
    probeInterval: int(1).default(200),
    checkpointInterval: int(1).default(500),
    probeText: z.string().min(1).default('The quick brown fox jumps over the lazy dog. '),
  })
  .strict();

export const ExperimentSpecSchema = z
  .object({
    name: z.string().min(1).default('experiment'),
    description: z.string().default(''),
    model: ModelSpec.default({}),
    data: DataSpec.default({}),
    train: TrainSpec.default({}),
    log: LogSpec.default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    const a = s.model.attention;
    const issue = (path: (string | number)[], message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    if (a.kind === 'switchhead' && a.k > a.nExperts)
      issue(['model', 'attention', 'k'], `k=${a.k} exceeds nExperts=${a.nExperts}`);
    if (a.kind === 'moa' && a.k > a.nExperts)
      issue(['model', 'attention', 'k'], `MoA active heads k=${a.k} exceed nExperts=${a.nExperts}`);
    if (a.kind === 'moa' && a.positions === 'rope')
      issue(['model', 'attention', 'positions'], 'MoA supports positions "xl" or "none"');
    if (a.positions === 'rope' && Math.floor(a.rotateFraction * a.dHead) % 2 !== 0)
      issue(
        ['model', 'attention', 'rotateFraction'],
        `int(rotateFraction*dHead)=${Math.floor(a.rotateFraction * a.dHead)} must be even`,
      );
    if (s.model.mlp.kind === 'sigma-moe' && s.model.mlp.k > s.model.mlp.nExperts)
      issue(['model', 'mlp', 'k'], `k=${s.model.mlp.k} exceeds nExperts=${s.model.mlp.nExperts}`);
    if (s.train.warmupSteps > s.train.steps)
      issue(
        ['train', 'warmupSteps'],
        `warm-up (${s.train.warmupSteps}) is longer than the run (${s.train.steps} steps)`,
      );
  });

export type ExperimentSpec = z.output<typeof ExperimentSpecSchema>;
export type ExperimentSpecInput = z.input<typeof ExperimentSpecSchema>;
export type AttentionConfig = ExperimentSpec['model']['attention'];
export type MlpConfig = ExperimentSpec['model']['mlp'];
export type ModelConfig = ExperimentSpec['model'];

/** A spec that failed validation. `issues` lists every problem as "path: reason". */
export class SpecError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid experiment spec: ${issues.join('; ')}`);
    this.name = 'SpecError';
  }
}

function describeIssue(i: z.ZodIssue): string {
  const path = i.path.length ? i.path.join('.') : '(root)';
  if (i.code === z.ZodIssueCode.unrecognized_keys)
    return `${path}: unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${path}: ${i.message}`;
}

/** Validate and fill defaults; throws SpecError naming each bad field. */
export function parseSpec(input: unknown): ExperimentSpec {
  const r = ExperimentSpecSchema.safeParse(input);
  if (!r.success) throw new SpecError(r.error.issues.map(describeIssue));
  return r.data;
}

/** Merge a partial override (e.g. from a preset) into a spec input, deeply, then validate. */
export function withOverrides(base: ExperimentSpecInput, over: DeepPartial<ExperimentSpecInput>): ExperimentSpec {
  return parseSpec(deepMerge(base, over));
}

export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

function deepMerge(a: unknown, b: unknown): unknown {
  if (b === undefined) return a;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = deepMerge(out[k], v);
    return out;
  }
  return b;
}

// Benchmark cases (DESIGN 2.4): each pairs a dense baseline with SwitchHead at one of the paper's shapes.
// Data only; engine/bench/attention.ts and lm-step.ts run them.
import { countParams } from '../cost';
import { parseSpec, type AttentionConfig, type ExperimentSpec, type ExperimentSpecInput } from '../spec';

/** One attention layer: B sequences of T queries attending to Tm memory keys plus the T current keys. */
export interface AttentionShape {
  dModel: number;
  B: number;
  T: number;
  Tm: number; // XL memory length (0: no memory)
}

export interface AttentionCase {
  kind: 'attention';
  name: string;
  description: string;
  shape: AttentionShape;
  dense: AttentionConfig;
  switchhead: AttentionConfig;
}

export interface LmStepCase {
  kind: 'lm-step';
  name: string;
  description: string;
  dense: ExperimentSpec;
  switchhead: ExperimentSpec;
}

export type BenchCase = AttentionCase | LmStepCase;

type AttentionInput = NonNullable<NonNullable<ExperimentSpecInput['model']>['attention']>;

const attention = (a: AttentionInput): AttentionConfig => parseSpec({ model: { attention: a } }).model.attention;

const SHAPE_47M: AttentionShape = { dModel: 412, B: 4, T: 256, Tm: 256 }; // SPEC §7.1/§8: d 412, T 256 (+256 memory)
const SHAPE_ROPE: AttentionShape = { dModel: 412, B: 4, T: 512, Tm: 0 }; // SPEC §7.1: RoPE 45M, T 512, no memory

function pair47m(positions: 'none' | 'xl'): Pick<AttentionCase, 'dense' | 'switchhead'> {
  const xlMemory = true;
  return {
    dense: attention({ kind: 'dense', nHeads: 10, dHead: 41, positions, xlMemory }), // wikitext103_xl
    switchhead: attention({
      kind: 'switchhead',
      nHeads: 2,
      dHead: 76,
      nExperts: 5,
      k: 2,
      moe: { v: true, o: true },
      positions,
      xlMemory,
    }), // wikitext103_moeatt_matched_l_ff
  };
}

export const ATTENTION_CASES: AttentionCase[] = [
  {
    kind: 'attention',
    name: 'attn-47m',
    description: '47M Wikitext-103 attention layer, no positional term',
    shape: SHAPE_47M,
    ...pair47m('none'),
  },
  {
    kind: 'attention',
    name: 'attn-47m-xl',
    description: '47M Wikitext-103 attention layer, XL relative term',
    shape: SHAPE_47M,
    ...pair47m('xl'),
  },
  {
    kind: 'attention',
    name: 'attn-47m-rope',
    description: 'RoPE 45M attention layer (wikitext103_xl_rope vs wikitext103_moeatt_rope_matched_k3)',
    shape: SHAPE_ROPE,
    dense: attention({ kind: 'dense', nHeads: 10, dHead: 41, positions: 'rope', xlMemory: false }),
    switchhead: attention({
      kind: 'switchhead',
      nHeads: 2,
      dHead: 64,
      nExperts: 5,
      k: 3,
      moe: { v: true, o: true },
      positions: 'rope',
      xlMemory: false,
    }),
  },
];

/** A small parameter-matched LM pair: same everything except the attention (SwitchHead's FFN is widened so the
 *  parameter counts match, as the paper does). */
function lmSpec(name: string, attn: AttentionInput, dFF: number): ExperimentSpec {
  return parseSpec({
    name,
    model: { dModel: 128, nLayers: 2, dFF, dropout: 0.1, attention: attn, mlp: { kind: 'dense' } },
    data: { source: { kind: 'text', text: 'placeholder' }, tokenizer: { kind: 'byte' }, seqLen: 128, batchSize: 8 },
    train: { steps: 1000, seed: 1 },
  });
}

const LM_VOCAB = 256; // byte tokenizer
const LM_DFF = 512;

/** The SwitchHead LM with its FFN width chosen so its parameter count is closest to the dense LM's. */
function matchedSwitchHeadLm(dense: ExperimentSpec, attn: AttentionInput): ExperimentSpec {
  const target = countParams(dense, LM_VOCAB).total;
  const perUnit = 2 * dense.model.dModel + 1; // one FFN hidden unit: a row of W1, a column of W2, a bias
  const first = lmSpec('lm-switchhead', attn, LM_DFF);
  const dFF = Math.max(
    1,
    LM_DFF + Math.round((target - countParams(first, LM_VOCAB).total) / (perUnit * dense.model.nLayers)),
  );
  return lmSpec('lm-switchhead', attn, dFF);
}

const LM_DENSE = lmSpec('lm-dense', { kind: 'dense', nHeads: 4, dHead: 32, positions: 'rope' }, LM_DFF);

export const LM_STEP_CASE: LmStepCase = {
  kind: 'lm-step',
  name: 'lm-step',
  description:
    'one training step (Trainer.step) of a 2-layer d 128 RoPE LM, bytes, batch 8 x 128 tokens; FFN widths matched on parameters',
  dense: LM_DENSE,
  switchhead: matchedSwitchHeadLm(LM_DENSE, {
    kind: 'switchhead',
    nHeads: 2,
    dHead: 32,
    nExperts: 4,
    k: 2,
    moe: { v: true, o: true },
    positions: 'rope',
  }),
};

export const ALL_CASES: BenchCase[] = [...ATTENTION_CASES, LM_STEP_CASE];

/** Cases by name; throws naming the unknown ones. */
export function selectCases(names: string[] | undefined, all: BenchCase[] = ALL_CASES): BenchCase[] {
  if (!names || names.length === 0) return all;
  const unknown = names.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length)
    throw new Error(`unknown bench case(s) ${unknown.join(', ')} (known: ${all.map((c) => c.name).join(', ')})`);
  return all.filter((c) => names.includes(c.name));
}

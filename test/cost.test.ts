// Cost accounting against the reference numbers of SPEC §7.1 (parameters, per-layer attention MACs and
// memory as the paper prints them, MAC/memory ratios) and parameter shapes against the golden fixtures.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSpec, type ExperimentSpecInput } from '../engine/spec';
import {
  attentionCost,
  attentionMatrices,
  attentionParamShapes,
  costRatios,
  costReport,
  countParams,
  formatPaper,
  formatParams,
  formatPercent,
  mlpParamShapes,
  paramShapes,
  vocabSizeOf,
} from '../engine/cost';
import { paperBaselines, paperPresets } from '../experiments/paper';

// SPEC §7.1, one line per 47M/45M row that has a preset: H, d_h, E, k, T, memory, d_ff, params, MACs, Mem.
interface Row {
  H: number;
  dh: number;
  E?: number;
  k?: number;
  T: number;
  mem: boolean;
  dFF: number;
  params: string;
  macs: string;
  memF: string;
}
const TABLE: Record<string, Row> = {
  'paper-47m-xl': { H: 10, dh: 41, T: 256, mem: true, dFF: 2053, params: '47.26M', macs: '453.4M', memF: '3.5M' },
  'paper-47m-switchhead-k2': {
    H: 2,
    dh: 76,
    E: 5,
    k: 2,
    T: 256,
    mem: true,
    dFF: 2080,
    params: '47.25M',
    macs: '170.4M',
    memF: '0.8M',
  },
  'paper-47m-switchhead-k3': {
    H: 2,
    dh: 76,
    E: 5,
    k: 3,
    T: 256,
    mem: true,
    dFF: 2080,
    params: '47.25M',
    macs: '202.5M',
    memF: '0.8M',
  },
  'paper-47m-xl-h2': { H: 2, dh: 205, T: 256, mem: true, dFF: 2053, params: '47.26M', macs: '453.4M', memF: '1.4M' },
  'paper-45m-rope': { H: 10, dh: 41, T: 512, mem: false, dFF: 2053, params: '44.54M', macs: '560.9M', memF: '6.1M' },
  'paper-45m-switchhead-rope': {
    H: 2,
    dh: 64,
    E: 5,
    k: 3,
    T: 512,
    mem: false,
    dFF: 2092,
    params: '44.51M',
    macs: '285.6M',
    memF: '1.3M',
  },
  'paper-45m-rope-h2': { H: 2, dh: 205, T: 512, mem: false, dFF: 2053, params: '44.54M', macs: '560.9M', memF: '1.9M' },
  // SwitchAll table: d_ff does not apply (σ-MoE 16, 128, 4)
  'paper-47m-switchall': {
    H: 2,
    dh: 76,
    E: 5,
    k: 2,
    T: 256,
    mem: true,
    dFF: -1,
    params: '46.89M',
    macs: '170.4M',
    memF: '0.8M',
  },
  'paper-47m-switchall-k3': {
    H: 2,
    dh: 76,
    E: 5,
    k: 3,
    T: 256,
    mem: true,
    dFF: -1,
    params: '46.89M',
    macs: '202.5M',
    memF: '0.8M',
  },
};

const preset = (name: string) => parseSpec(paperPresets[name]);

describe('SPEC §7.1 rows from the paper presets', () => {
  for (const [name, row] of Object.entries(TABLE)) {
    it(name, () => {
      const s = preset(name);
      const a = s.model.attention;
      // the preset holds the row's configuration
      expect([a.nHeads, a.dHead, s.data.seqLen, a.xlMemory, s.model.dModel, s.model.nLayers]).toEqual([
        row.H,
        row.dh,
        row.T,
        row.mem,
        412,
        16,
      ]);
      if (row.E !== undefined) expect([a.kind, a.nExperts, a.k]).toEqual(['switchhead', row.E, row.k]);
      else expect(a.kind).toBe('dense');
      if (row.dFF > 0) expect([s.model.dFF, s.model.mlp.kind]).toEqual([row.dFF, 'dense']);
      else
        expect([
          s.model.mlp.kind,
          s.model.mlp.nExperts,
          s.model.mlp.expertSize,
          s.model.mlp.k,
          s.model.mlp.entropyReg,
        ]).toEqual(['sigma-moe', 16, 128, 4, 1e-4]);
      expect(vocabSizeOf(s)).toBe(8000);
      // the numbers
      const r = costReport(s);
      expect(r.params!.paper).toBe(row.params);
      expect(r.attention.macsPaper).toBe(row.macs);
      expect(r.attention.memPaper).toBe(row.memF);
      expect(attentionMatrices(s)).toEqual({ perLayer: row.H, total: 16 * row.H });
    });
  }

  it('the XL baseline parameter count is exact (hand sum of the brief)', () => {
    const perLayer = 5 * 410 * 412 + 2 * 410 + 1 + (2 * 412 * 2053 + 2053 + 412) + 4 * 412;
    expect(countParams(preset('paper-47m-xl'), 8000).total).toBe(16 * perLayer + 8000 * 412 + 412 * 8000 + 8000 + 824);
    expect(countParams(preset('paper-47m-xl'), 8000).total).toBe(47_260_120);
  });

  it('the MAC/memory ratio table (47M Wikitext-103, C4, RoPE 45M) and 5x fewer attention matrices', () => {
    const ratio = (a: string, b: string) => costRatios(costReport(preset(a)), costReport(preset(b)));
    const wt = ratio('paper-47m-switchhead-k2', 'paper-47m-xl');
    expect([wt.macsPaper, wt.memPaper, wt.attentionMatrixReduction]).toEqual(['37.6%', '22.0%', 5]);
    const c4 = ratio('paper-47m-switchhead-k3', 'paper-47m-xl');
    expect([c4.macsPaper, c4.memPaper, c4.attentionMatrixReduction]).toEqual(['44.7%', '22.0%', 5]);
    const rope = ratio('paper-45m-switchhead-rope', 'paper-45m-rope');
    expect([rope.macsPaper, rope.memPaper, rope.attentionMatrixReduction]).toEqual(['50.9%', '21.6%', 5]);
  });

  it('every preset is a valid spec with the SPEC §8 training setup, and every baseline name exists', () => {
    for (const [name, input] of Object.entries(paperPresets)) {
      const s = parseSpec(input);
      expect(s.name).toBe(name);
      expect([
        s.train.steps,
        s.train.lr,
        s.train.cosine,
        s.train.warmupSteps,
        s.train.weightDecay,
        s.model.dropout,
        s.data.batchSize,
      ]).toEqual([100_000, 2.5e-4, true, 0, 0, 0.1, 64]);
      expect(s.train.gradClip).toBe(s.model.mlp.kind === 'sigma-moe' ? 0.25 : 0.1);
    }
    for (const [a, b] of Object.entries(paperBaselines)) {
      expect(Object.keys(paperPresets)).toContain(a);
      expect(Object.keys(paperPresets)).toContain(b);
    }
  });

  it('the MoA preset is parameter-matched to the XL baseline (our config) and counts k active heads', () => {
    const m = preset('paper-47m-moa');
    expect(formatParams(countParams(m, 8000).total)).toBe('47.26M');
    expect(attentionMatrices(m).perLayer).toBe(m.model.attention.k);
    expect(attentionCost(m).formula).toBe('moa');
  });
});

// Enwik8 rows of SPEC §7.1: d 512, L 12, T 512 + memory, 205 bytes* vocabulary.
function enwik8(attention: NonNullable<ExperimentSpecInput['model']>['attention'], dFF: number) {
  return parseSpec({
    model: { dModel: 512, nLayers: 12, dFF, attention: { ...attention, positions: 'xl', xlMemory: true } },
    data: { tokenizer: { kind: 'byte' }, seqLen: 512, batchSize: 32 },
  });
}

describe('SPEC §7.1 Enwik8 rows (specs built inline)', () => {
  const xl = enwik8({ kind: 'dense', nHeads: 8, dHead: 64 }, 2053);
  const sh = enwik8({ kind: 'switchhead', nHeads: 2, dHead: 112, nExperts: 4, k: 2 }, 2088);
  const xlH2 = enwik8({ kind: 'dense', nHeads: 2, dHead: 256 }, 2053);
  const rows: [string, ReturnType<typeof enwik8>, string, string, string][] = [
    ['Transformer-XL (enwik8_baseline)', xl, '41.23M', '1.6G', '10.5M'],
    ['SwitchHead (enwik8_moeatt)', sh, '41.16M', '709.3M', '2.8M'],
    ['XL same H (enwik8_baseline_h2)', xlH2, '41.23M', '1.6G', '4.2M'],
  ];
  for (const [name, s, params, macs, mem] of rows) {
    it(name, () => {
      const r = costReport(s, 205);
      expect([r.params!.paper, r.attention.macsPaper, r.attention.memPaper]).toEqual([params, macs, mem]);
    });
  }
  it('ratios 44.0% / 26.6% and 4x fewer attention matrices', () => {
    const q = costRatios(costReport(sh, 205), costReport(xl, 205));
    expect([q.macsPaper, q.memPaper, q.attentionMatrixReduction]).toEqual(['44.0%', '26.6%', 4]);
  });
});

describe('SPEC §6 formulas and formatting', () => {
  it('formats like paper/common.py', () => {
    expect(formatPaper(453_427_200)).toBe('453.4M');
    expect(formatPaper(1_610_612_736)).toBe('1.6G');
    expect(formatPaper(1_000_000_000)).toBe('1000.0M'); // "G" only above 1000M
    expect(formatPercent(0.3757)).toBe('37.6%');
  });

  it('keeps the quirks: SwitchHead memory ignores k; its XL positional term has no (1+c)', () => {
    const base = paperPresets['paper-47m-switchhead-k2'];
    const k = (kk: number) =>
      attentionCost(parseSpec({ ...base, model: { ...base.model, attention: { ...base.model!.attention, k: kk } } }));
    expect(k(1).memFloats).toBe(k(5).memFloats);
    expect(k(5).macs).toBeGreaterThan(k(1).macs);
    // XL term difference between c=1 and c=0 is only the (1+c) terms: attention matrices and selections
    const noMem = attentionCost(
      parseSpec({ ...base, model: { ...base.model, attention: { ...base.model!.attention, xlMemory: false } } }),
    );
    const withMem = attentionCost(preset('paper-47m-switchhead-k2'));
    const [H, dh, E, d, T] = [2, 76, 5, 412, 256];
    expect(withMem.macs - noMem.macs).toBe(2 * H * dh * T * T + 2 * E * d * T);
  });

  it('counts MoE on Q and K as k projections each and one selector per side', () => {
    const s = (moe: { q: boolean; k: boolean; v: boolean; o: boolean }) =>
      attentionCost(
        parseSpec({
          model: { dModel: 32, attention: { nHeads: 2, dHead: 8, nExperts: 4, k: 3, moe, positions: 'none' } },
          data: { seqLen: 16 },
        }),
      );
    const vo = s({ q: false, k: false, v: true, o: true });
    const all = s({ q: true, k: true, v: true, o: true });
    // two more MoE projections: +2·(k-1) dense projections, +2·H·k·T·d_h gate sums, same two selectors
    expect(all.macs - vo.macs).toBe(2 * (3 - 1) * 32 * 2 * 8 * 16 + 2 * 2 * 3 * 16 * 8);
    expect(all.memFloats).toBe(vo.memFloats);
  });
});

// Parameter shapes against the in-repo golden fixtures (oracle layout).
const HERE = fileURLToPath(new URL('.', import.meta.url));
const GOLDEN = join(HERE, 'fixtures/golden-extra');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the oracle's JSON config (nested), read by name
type Config = Record<string, any>;
type Golden = { config: Config; weights: Record<string, { shape: number[] }> };
const golden = (f: string): Golden => JSON.parse(readFileSync(join(GOLDEN, f), 'utf8'));
const shapesOf = (g: Golden) => Object.fromEntries(Object.entries(g.weights).map(([n, t]) => [n, t.shape]));
const attOf = (c: Config, kind: 'switchhead' | 'dense') =>
  parseSpec({
    model: {
      dModel: c.d_model,
      attention: {
        kind,
        nHeads: c.n_heads,
        dHead: c.d_head,
        nExperts: c.n_experts ?? 1,
        k: c.k ?? 1,
        positions: c.pos,
        rotateFraction: c.rotate_fraction,
        moe: { q: !!c.moe_q, k: !!c.moe_k, v: c.moe_v ?? true, o: c.moe_o ?? true },
      },
    },
  }).model;

describe('parameter shapes match the golden fixtures', () => {
  for (const f of [
    'switchhead_attention',
    'switchhead_attention_rope',
    'switchhead_attention_qkvo',
    'switchhead_attention_xl',
    'dense_attention',
    'dense_attention_rope',
    'dense_attention_xl',
  ]) {
    it(f, () => {
      const g = golden(`${f}.json`);
      const m = attOf(g.config, f.startsWith('dense') ? 'dense' : 'switchhead');
      expect(attentionParamShapes(m.attention, m.dModel)).toEqual(shapesOf(g));
    });
  }
  it('sigma_moe_mlp', () => {
    const g = golden('sigma_moe_mlp.json'),
      c = g.config;
    const m = parseSpec({
      model: {
        dModel: c.d_model,
        mlp: { kind: 'sigma-moe', nExperts: c.n_experts, expertSize: c.expert_size, k: c.k },
      },
    }).model;
    expect(mlpParamShapes(m.mlp, m.dModel, m.dFF)).toEqual(shapesOf(g));
  });
  it('tiny_lm (every tensor of the LM, and the total)', () => {
    const g = golden('tiny_lm.json'),
      c = g.config;
    const spec = parseSpec({
      model: {
        dModel: c.d_model,
        nLayers: c.n_layers,
        attention: { ...attOf({ ...c.att, d_model: c.d_model }, 'switchhead').attention },
        mlp: { kind: 'sigma-moe', nExperts: c.mlp.n_experts, expertSize: c.mlp.expert_size, k: c.mlp.k },
      },
    });
    expect(paramShapes(spec.model, c.vocab_size)).toEqual(shapesOf(g));
    const total = Object.values(g.weights).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    expect(countParams(spec, c.vocab_size).total).toBe(total);
    expect(Object.keys(countParams(spec, c.vocab_size, { byName: true }).byName!).length).toBe(
      Object.keys(g.weights).length,
    );
  });
  it('E = 1: dense V/O plus a per-head output gate [H, d]', () => {
    const m = parseSpec({ model: { dModel: 16, attention: { nHeads: 2, dHead: 8, nExperts: 1, k: 1 } } }).model;
    expect(attentionParamShapes(m.attention, 16)).toEqual({
      W_q: [16, 16],
      W_k: [16, 16],
      W_v: [16, 16],
      W_o: [16, 16],
      W_sel_dst: [2, 16],
    });
  });
});

describe('vocabulary and report', () => {
  it('byte 256, bpe vocabSize, char unknown: params null with a note', () => {
    expect(vocabSizeOf(parseSpec({ data: { tokenizer: { kind: 'byte' } } }))).toBe(256);
    const r = costReport(parseSpec({ data: { tokenizer: { kind: 'char' } } }));
    expect(r.params).toBeNull();
    expect(r.notes.join(' ')).toMatch(/char/);
    expect(costReport(parseSpec({ data: { tokenizer: { kind: 'char' } } }), 65).params!.embedding).toBe(65 * 128);
    expect(() => countParams(parseSpec({}), 0)).toThrow(/vocabSize/);
  });
});

// The `npm run cost` command itself is tested in test/cli/cost-cli.test.ts.

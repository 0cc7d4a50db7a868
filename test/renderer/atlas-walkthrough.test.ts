// The teaching walkthrough's stages from a trace: every stage in order with the trace's own numbers (the query, the
// router scores with the chosen experts marked, v_p as the gate-weighted sum of its experts, the attention row), the
// top-k margin, texts that name the traced token and typeset as math, and the figures' CSV rows.
import { describe, expect, it } from 'vitest';
import type { TraceReport, TraceSelection } from '../../engine/contracts/reports';
import { markdownToHtml } from '../../renderer/cells/note/markdown';
import {
  buildStages,
  itemCsv,
  mdLiteral,
  STAGE_IDS,
  topkMargin,
  type MatrixItem,
  type Stage,
  type VectorItem,
} from '../../renderer/cells/inspect/walkthrough/walkthrough-stages';

const E = 4,
  k = 2,
  dh = 2,
  d = 3,
  p = 2;

function sel(scores: number[]): TraceSelection {
  const idx = scores
    .map((s, e) => [s, e] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, k)
    .map((x) => x[1]);
  return { logits: scores.map((s) => Math.log(s / (1 - s))), scores, idx, gates: idx.map((e) => scores[e]!) };
}

/** A hand-made trace of token 2 of "a <sep> c" in layer 1: one head, V and O experts. */
function trace(): TraceReport {
  const src = [sel([0.9, 0.2, 0.6, 0.1]), sel([0.3, 0.8, 0.7, 0.2]), sel([0.55, 0.4, 0.1, 0.65])];
  const vOut = { 3: [1, -2], 0: [0.5, 0.5] } as Record<number, number[]>;
  const v2 = [0.65 * 1 + 0.55 * 0.5, 0.65 * -2 + 0.55 * 0.5];
  const dst = sel([0.7, 0.75, 0.1, 0.2]);
  return {
    step: 40,
    text: 'a <sep> c',
    tokens: ['a', '<sep>', 'c'],
    position: p,
    token: 'c',
    layer: 1,
    dModel: d,
    dHead: dh,
    nHeads: 1,
    nExperts: E,
    k,
    positions: 'rope',
    moe: { q: false, k: false, v: true, o: true },
    residual: [1, 2, 3],
    input: [-1.2, 0, 1.2],
    heads: [
      {
        head: 0,
        src,
        dst,
        q: [0.1, -0.3],
        keys: [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        vExperts: src[p]!.idx.map((e, j) => ({ expert: e, gate: src[p]!.gates[j]!, out: vOut[e]! })),
        values: [[0, 0], [1, 1], v2],
        logits: [0.2, -0.1, 0.4],
        weights: [0.3, 0.2, 0.5],
        attended: [0.4, 0.1],
        oExperts: dst.idx.map((e, j) => ({ expert: e, gate: dst.gates[j]!, out: [e, 1, -e] })),
        output: [0.5, -0.5, 0.25],
      },
    ],
    output: [0.5, -0.5, 0.25],
  };
}

const items = (s: Stage) => Object.fromEntries(s.items.map((i) => [i.key, i]));

describe('walkthrough stages', () => {
  const tr = trace();
  const stages = buildStages(tr, 0);

  it('has every stage in the paper’s order, each with numbers, a text and a question', () => {
    expect(stages.map((s) => s.id)).toEqual(STAGE_IDS);
    for (const s of stages) {
      expect(s.items.length).toBeGreaterThan(0);
      expect(s.text.length).toBeGreaterThan(80);
      expect(s.predict).toMatch(/\?$/);
    }
    expect(() => buildStages(tr, 1)).toThrow(/head 1 does not exist: the layer has 1 heads/);
  });

  it('shows the trace’s own numbers, the chosen experts marked', () => {
    const [input, qk, router, sigmoid, topk, values, attention, output] = stages;
    expect((items(input!).input as VectorItem).values).toEqual(tr.input);
    expect((items(qk!).q as VectorItem).values).toEqual(tr.heads[0]!.q);
    expect((items(qk!).keys as MatrixItem).rowLabels).toEqual(['0 a', '1 <sep>', '2 c']);
    expect((items(router!)['dst-logits'] as VectorItem).values).toEqual(tr.heads[0]!.dst!.logits);
    expect((items(router!)['dst-logits'] as VectorItem).marks).toBeUndefined(); // chosen only from top-k on
    expect((items(sigmoid!)['src-scores'] as VectorItem).values).toEqual([0.55, 0.4, 0.1, 0.65]);
    expect((items(topk!)['dst-scores'] as VectorItem).marks).toEqual([1, 0]);
    expect((items(topk!)['src-scores-all'] as MatrixItem).marks).toEqual([
      [0, 2],
      [1, 2],
      [3, 0],
    ]);
    // v_p is the gate-weighted sum of the chosen V experts' outputs
    const v = items(values!);
    const experts = Object.values(v).filter((i) => i.key.startsWith('v-e')) as VectorItem[];
    expect(experts.map((x) => x.title)).toEqual(['V expert e3 · gate 0.650', 'V expert e0 · gate 0.550']);
    const sum = [0, 1].map((i) => 0.65 * experts[0]!.values[i]! + 0.55 * experts[1]!.values[i]!);
    (v.v as VectorItem).values.forEach((x, i) => expect(x).toBeCloseTo(sum[i]!, 12));
    expect((items(attention!)['att-weights'] as VectorItem).marks).toEqual([2]); // the strongest attention
    expect((items(output!).y as VectorItem).values).toEqual(tr.output);
  });

  it('measures the top-k margin: the k-th minus the (k+1)-th highest score', () => {
    expect(topkMargin([0.7, 0.75, 0.1, 0.2], 2)).toBeCloseTo(0.5, 12);
    expect(topkMargin([0.5, 0.5], 2)).toBeNaN(); // every expert chosen
    const facts = stages[4]!.items.find((i) => i.key === 'dst-chosen')!;
    expect(facts.kind === 'facts' && facts.rows).toEqual([
      ['chosen 𝓔 (best first)', 'e1, e0'],
      ['gates s[e]', '0.750, 0.700'],
      ['margin s₍k₎ − s₍k+1₎', '0.500'],
    ]);
  });

  it('names the traced token and position in texts that typeset as math; tokens stay literal', () => {
    expect(stages[0]!.text).toContain('Token 2 (`c`)');
    for (const s of stages) expect(markdownToHtml(s.text)).toContain('class="katex"');
    expect(markdownToHtml(stages[1]!.text)).not.toMatch(/\$/); // every formula closed and typeset
    expect(mdLiteral('<sep>')).toBe('`<sep>`');
    expect(markdownToHtml(mdLiteral('<sep>'))).toContain('&lt;sep&gt;');
    expect(mdLiteral(' ')).toBe('`·`');
    expect(mdLiteral('a`b')).toBe('`aˋb`');
  });

  it('exports a vector as index,label,value rows and a matrix as one row per cell', () => {
    const q = items(stages[1]!).q as VectorItem;
    expect(itemCsv(q).trim().split('\n')).toEqual(['index,label,value', '0,0,0.1', '1,1,-0.3']);
    const keys = items(stages[1]!).keys as MatrixItem;
    const rows = itemCsv(keys).trim().split('\n');
    expect(rows).toHaveLength(1 + 3 * dh);
    expect(rows[3]).toBe('1,1 <sep>,0,0,0');
  });
});

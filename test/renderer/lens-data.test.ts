// The lens's pure parts, data: grids from a probe report (attention with its causal half empty, selections with
// their chosen top-k), a token's routing in every layer and head, interventions, the step scrubber's positions and
// where each gets its probe, and the figure exports (SVG of rectangles, CSV rows = cells with a value, JSON).
import { describe, expect, it } from 'vitest';
import type { ProbeReport, ProbeSelection } from '../../engine/contracts/reports';
import { buildLut } from '../../renderer/canvas/color-lut';
import {
  addIntervention,
  describeIntervention,
  expertChange,
  hasUniform,
  removeIntervention,
  setUniform,
} from '../../renderer/cells/inspect/interventions';
import {
  attentionGrid,
  movedFrom,
  probeShape,
  selectionGrid,
  transposed,
} from '../../renderer/cells/inspect/lens-data';
import { gridCsv, gridJson, gridSvg, type GridFigure } from '../../renderer/cells/inspect/lens-export';
import { positionIndex, positionLabel, probeSource, stepPositions } from '../../renderer/cells/inspect/step-positions';
import { routingLine, sideNames, tokenRouting } from '../../renderer/cells/inspect/token-routing';

/** [T][H][E] scores, top-k by score. */
function sel(scores: number[][][], k: number): ProbeSelection {
  const idx = scores.map((r) =>
    r.map((s) =>
      s
        .map((v, e) => [v, e])
        .sort((a, b) => b[0] - a[0])
        .slice(0, k)
        .map((x) => x[1]),
    ),
  );
  return { scores, idx, gates: idx.map((r, t) => r.map((ix, h) => ix.map((e) => scores[t][h][e]))) };
}

// 3 tokens, 2 heads, 3 experts, k = 2; layer 1 is dense; layer 0 also has a σ-MoE MLP (one group)
const report: ProbeReport = {
  step: 7,
  text: 'a b',
  tokens: ['a', ' ', 'b'],
  layers: [
    {
      layer: 0,
      attention: [
        [
          [1, 0, 0],
          [0.4, 0.6, 0],
          [0.2, 0.3, 0.5],
        ],
        [
          [1, 0, 0],
          [0.9, 0.1, 0],
          [0, 0.5, 0.5],
        ],
      ],
      src: sel(
        [
          [
            [0.9, 0.1, 0.5],
            [0.2, 0.8, 0.7],
          ],
          [
            [0.1, 0.2, 0.3],
            [0.6, 0.5, 0.4],
          ],
          [
            [0.5, 0.9, 0.1],
            [0.3, 0.2, 0.1],
          ],
        ],
        2,
      ),
      dst: sel(
        [
          [
            [0.3, 0.2, 0.1],
            [0.1, 0.2, 0.3],
          ],
          [
            [0.7, 0.8, 0.9],
            [0.9, 0.8, 0.7],
          ],
          [
            [0.4, 0.6, 0.5],
            [0.5, 0.4, 0.6],
          ],
        ],
        2,
      ),
      mlp: sel([[[0.1, 0.9, 0.8]], [[0.5, 0.4, 0.3]], [[0.2, 0.1, 0.3]]], 2),
    },
    {
      layer: 1,
      attention: [
        [
          [1, 0, 0],
          [0.5, 0.5, 0],
          [0.3, 0.3, 0.4],
        ],
      ],
    },
  ],
};

describe('grids from a probe', () => {
  it('reads the attention of a head, query-major, with the causal half as NaN', () => {
    const a = attentionGrid(report, 0, 1)!;
    expect(Array.from(a.slice(0, 3))).toEqual([1, NaN, NaN]);
    expect(a[2 * 3 + 0]).toBe(0); // a real zero below the diagonal stays a zero
    expect(attentionGrid(report, 0, 1)).toBe(a); // cached
    expect(attentionGrid(report, 5, 0)).toBeNull();
  });
  it('reads a selection of a head with exactly k chosen cells per token', () => {
    const g = selectionGrid(report, 0, 'src', 1)!;
    expect([g.T, g.E, g.k, g.group]).toEqual([3, 3, 2, 1]);
    expect(Array.from(g.scores.slice(0, 3))).toEqual([0.2, 0.8, 0.7].map(Math.fround));
    for (let t = 0; t < 3; t++) expect(g.chosen.slice(t * 3, t * 3 + 3).reduce((a, b) => a + b, 0)).toBe(2);
    expect(g.idx[0]).toEqual([1, 2]);
    expect(Array.from(transposed(g.scores, 3, 3).slice(0, 3))).toEqual([0.2, 0.6, 0.3].map(Math.fround)); // expert 0 over tokens
  });
  it('gives a one-group selection (MLP, MoA) to every head', () => {
    expect(selectionGrid(report, 0, 'mlp', 1)!.group).toBe(0);
    expect(selectionGrid(report, 1, 'src', 0)).toBeNull();
    expect(probeShape(report)).toEqual({
      T: 3,
      layers: [
        { heads: 2, sides: ['src', 'dst', 'mlp'] },
        { heads: 1, sides: [] },
      ],
    });
  });
  it('marks the cells an intervention moved the choice away from', () => {
    const before = selectionGrid(report, 0, 'dst', 0)!;
    const moved = structuredClone(report);
    moved.layers[0].dst!.idx[1][0] = [0, 1]; // token 1 chose 2,1 before
    const now = selectionGrid(moved, 0, 'dst', 0)!;
    expect(Array.from(movedFrom(before, now)!)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(movedFrom(before, before)).toBeNull();
  });
});

describe("a token's routing", () => {
  it('names the sides from the spec', () => {
    expect(sideNames(undefined)).toEqual({ src: 'V', dst: 'O', mlp: 'MLP' });
    expect(sideNames({ moe: { k: true, v: true, q: true, o: false } })).toEqual({ src: 'KV', dst: 'Q', mlp: 'MLP' });
    expect(sideNames({ kind: 'moa' }).dst).toBe('heads');
  });
  it('lists its experts and gates in every layer and head', () => {
    const r = tokenRouting(report, 0, sideNames(undefined));
    expect(r[0].heads[1].picks.map((p) => [p.name, p.experts, p.gates])).toEqual([
      ['V', [1, 2], [0.8, 0.7]],
      ['O', [2, 1], [0.3, 0.2]],
    ]);
    expect(r[1].heads[0].picks).toEqual([]);
    expect(routingLine(r)).toBe('L0 h0 V{0,2} O{0,1} · L0 h1 V{1,2} O{2,1} · L0 MLP{1,2}');
  });
});

describe('interventions', () => {
  const names = sideNames(undefined);
  it('replaces a change of the same expert at the same place, keeps others, toggles uniform', () => {
    const at = { layer: 0, side: 'src' as const, head: 1, expert: 2 };
    let list = addIntervention([], expertChange('ablate', at, 1));
    list = addIntervention(list, expertChange('force', at, 1));
    list = addIntervention(list, expertChange('ablate', at, null));
    expect(list).toEqual([
      { kind: 'force', layer: 0, side: 'src', head: 1, expert: 2, position: 1 },
      { kind: 'ablate', layer: 0, side: 'src', head: 1, expert: 2 },
    ]);
    expect(hasUniform(list)).toBe(false);
    list = setUniform(list, true);
    expect(hasUniform(list)).toBe(true);
    expect(setUniform(list, false)).toHaveLength(2);
    expect(removeIntervention(list, 0)).toHaveLength(2);
  });
  it('says what each one does', () => {
    expect(
      describeIntervention(
        { kind: 'ablate', layer: 0, side: 'src', head: 1, expert: 3, position: 1 },
        report.tokens,
        names,
      ),
    ).toBe('ablate e3 · L0 h1 V · at “·” (#1)');
    expect(
      describeIntervention({ kind: 'force', layer: 1, side: 'mlp', head: 0, expert: 0 }, report.tokens, names),
    ).toBe('force e0 · L1 MLP · all tokens');
    expect(describeIntervention({ kind: 'uniform' }, [], names)).toBe('uniform routing everywhere');
    expect(describeIntervention({ kind: 'uniform', layer: 1, side: 'dst' }, [], names)).toBe('uniform routing L1 O');
  });
});

describe('step positions', () => {
  const listing = { probes: [20, 10, 30], checkpoints: [20, 40] };
  it('lists saved probes and checkpoints in step order, then "now" for a live run', () => {
    const p = stepPositions(listing, true);
    expect(p.map((x) => [x.step, x.saved, x.checkpoint])).toEqual([
      [10, true, false],
      [20, true, true],
      [30, true, false],
      [40, false, true],
      [null, false, false],
    ]);
    expect(positionIndex(p, 20)).toBe(1);
    expect(positionIndex(p, null)).toBe(4);
    expect(positionIndex(p, 999)).toBe(4);
    expect(positionIndex([], null)).toBe(-1);
    expect(positionLabel(p[1])).toBe('step 20 (saved probe, checkpoint)');
    expect(positionLabel(p[4])).toBe('now (live)');
  });
  it('shows a saved probe as it is, computes from a checkpoint or live otherwise, and says when it cannot', () => {
    const [p10, p20, , p40, now] = stepPositions(listing, true);
    expect(probeSource(p10, true, false)).toEqual({ kind: 'saved', step: 10 });
    expect(probeSource(p20, false, false)).toEqual({ kind: 'checkpoint', step: 20 });
    expect(probeSource(p20, true, true)).toEqual({ kind: 'checkpoint', step: 20 });
    expect(probeSource(p40, true, false)).toEqual({ kind: 'checkpoint', step: 40 });
    expect(probeSource(now, false, true)).toEqual({ kind: 'live' });
    const none = probeSource(p10, true, true);
    expect(none.kind).toBe('none');
    expect((none as { reason: string }).reason).toMatch(/step 10.*no checkpoint/);
    expect(probeSource(undefined, true, false).kind).toBe('none');
  });
});

describe('figure exports', () => {
  const lut = buildLut((t) => `rgb(${Math.round(t * 255)}, 0, 0)`);
  const fig: GridFigure = {
    title: 'attention <L0>',
    fileBase: 'attention',
    rows: 3,
    cols: 3,
    values: attentionGrid(report, 0, 0)!,
    outlines: Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 0]),
    rowLabels: ['a', '·', 'b,"c"'],
    colLabels: ['a', '·', 'b'],
    rowName: 'query',
    colName: 'key',
    valueName: 'weight',
    lut,
    transfer: 'linear',
    ticks: [0, 1],
    colors: { text: '#000', muted: '#666', surface: '#fff', outline: '#000', font: 'sans-serif' },
    meta: { run: 'r1', step: 7 },
  };
  it('writes one CSV row per cell with a value (the causal half left out), quoting labels', () => {
    const lines = gridCsv(fig).trim().split('\n');
    expect(lines[0]).toBe('query,query_text,key,key_text,weight,chosen');
    expect(lines).toHaveLength(1 + 6);
    expect(lines[1]).toBe('0,a,0,a,1,1');
    expect(lines[4]).toBe('2,"b,""c""",0,a,0.20000000298023224,0');
  });
  it('writes JSON with nulls for cells without a value and the chosen cells per row', () => {
    const j = JSON.parse(gridJson(fig));
    expect(j.format).toBe('switchhead-lens-data');
    expect(j.values[0]).toEqual([1, null, null]);
    expect(j.chosen).toEqual([[0], [1], []]);
    expect(j.run).toBe('r1');
  });
  it('writes an SVG of rectangles (equal neighbours merged) with escaped text', () => {
    const flat = { ...fig, values: Float32Array.from([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]), outlines: null };
    const { markup, width, height } = gridSvg(flat);
    expect(markup.startsWith('<?xml')).toBe(true);
    expect(markup).toContain('attention &lt;L0&gt;');
    expect(markup).toContain('b,&quot;c&quot;');
    const cells = markup.split('\n').filter((l) => /^<rect x="0" y="\d+" width="\d+" height="\d+" fill="#80/.test(l));
    expect(cells).toHaveLength(3); // one rectangle per row
    expect(width).toBeGreaterThan(0);
    expect(height).toBeGreaterThan(0);
  });
});

// Values checked against numbers worked out by hand (not finite differences, not the code's own output):
// σ-MoE expert dropout in its zero mode, the SwitchHead selection regulariser, routing statistics on a
// hand-built selection, and the SPEC §6 memory and MAC formulas as exact integers.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionCost } from '../../engine/cost';
import { sigmaMoe } from '../../engine/model/mlp';
import { switchHeadAttention } from '../../engine/model/switchhead';
import { sigmoidTopK } from '../../engine/ops/select';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { routingStats, type LayerValues } from '../../engine/train/routing';
import { rnd, useBackend } from './helpers';

beforeAll(() => useBackend('wasm'));

describe('σ-MoE expert dropout, zero mode (SPEC §3)', () => {
  it('a dropped expert that is still selected has gate exactly 0 and no gradient; kept ones keep their score', () => {
    tf.tidy(() => {
      const N = 200,
        d = 8,
        E = 5,
        k = 3;
      const x = rnd([N, d], 21) as tf.Tensor2D,
        W = rnd([E, d], 22) as tf.Tensor2D;
      const drop = { rate: 0.5, seed: 5, mode: 'zero' as const };
      const plain = sigmoidTopK(x, W, 1, k);
      const dropped = sigmoidTopK(x, W, 1, k, drop);
      const s = plain.scores.dataSync(),
        idx = dropped.idx.dataSync(),
        g = dropped.gates.dataSync();
      const dGates = tf.grad((w: tf.Tensor) => tf.sum(sigmoidTopK(x, w as tf.Tensor2D, 1, k, drop).gates))(W);
      const logits = tf.matMul(x, W, false, true).dataSync();
      const expectedGrad = new Float64Array(E * d),
        xs = x.dataSync();
      let zeros = 0;
      for (let n = 0; n < N; n++) {
        let seenZero = false;
        for (let j = 0; j < k; j++) {
          const e = idx[n * k + j]!,
            gate = g[n * k + j]!;
          if (gate === 0) {
            zeros++;
            seenZero = true;
            continue;
          }
          expect(gate).toBe(s[n * E + e]); // exactly the un-dropped score
          expect(seenZero).toBe(false); // a kept expert (score > 0) ranks before every dropped one (score 0)
          const sig = 1 / (1 + Math.exp(-logits[n * E + e]!));
          for (let c = 0; c < d; c++) expectedGrad[e * d + c] += sig * (1 - sig) * xs[n * d + c]!;
        }
      }
      // with 5 experts kept with probability 1/2, a token keeps fewer than k = 3 about half of the time
      expect(zeros).toBeGreaterThan(N / 4);
      const gW = dGates.dataSync();
      for (let i = 0; i < E * d; i++) expect(gW[i]).toBeCloseTo(expectedGrad[i]!, 4);
    });
  });

  it('in a training forward, a token whose selected experts are all dropped gets an output of exactly 0', () => {
    tf.tidy(() => {
      const B = 4,
        T = 16,
        d = 8;
      const cfg = { kind: 'sigma-moe' as const, nExperts: 4, k: 2, expertSize: 6, entropyReg: 0, expertDropout: 0.9 };
      const p = { W_sel: rnd([4, d], 31), keys: rnd([4, d, 6], 32), values: rnd([4, 6, d], 33) };
      const out = sigmaMoe(p, cfg, rnd([B, T, d], 34), { training: true, seed: 9 }, 'moe');
      const gates = out.sel!.gates.dataSync(),
        y = out.out.dataSync();
      let empty = 0;
      for (let n = 0; n < B * T; n++) {
        const rowZero = Array.from(y.slice(n * d, (n + 1) * d)).every((v) => v === 0);
        const allDropped = gates[n * 2] === 0 && gates[n * 2 + 1] === 0;
        expect(rowZero).toBe(allDropped);
        if (allDropped) empty++;
      }
      expect(empty).toBeGreaterThan(0);
      expect(empty).toBeLessThan(B * T);
    });
  });
});

/** SPEC §1: per side, -mean_b H(mean over (time x head) of softmax_E(logits[b])), by hand in float64. */
function selectionRegByHand(logits: number[][][][]): number {
  let sum = 0;
  for (const seq of logits) {
    const E = seq[0][0].length,
      pBar = new Array<number>(E).fill(0);
    let rows = 0;
    for (const heads of seq)
      for (const l of heads) {
        const z = l.reduce((a, v) => a + Math.exp(v), 0);
        l.forEach((v, e) => (pBar[e] += Math.exp(v) / z));
        rows++;
      }
    sum += pBar.reduce((a, p) => a + (p / rows) * Math.log(p / rows), 0);
  }
  return sum / logits.length;
}

const binaryEntropy = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));

describe('SwitchHead selection regulariser (SPEC §1)', () => {
  /** One attention layer with V/O experts and selection weights Wsel (both sides), on x [B, T, d]. */
  function reg(x: number[][][], Wsel: number[][], H: number, E: number, memory?: number[][][]): number {
    return tf.tidy(() => {
      const d = Wsel[0].length,
        dh = 4;
      const cfg = parseSpec({
        model: {
          dModel: d,
          attention: { nHeads: H, dHead: dh, nExperts: E, k: 1, positions: 'none', selectionReg: 1 },
        },
      }).model.attention;
      const p = {
        W_q: rnd([H * dh, d], 1),
        W_k: rnd([H * dh, d], 2),
        W_v: rnd([H * E, d, dh], 3),
        W_o: rnd([H * E, dh, d], 4),
        W_sel_src: tf.tensor2d(Wsel),
        W_sel_dst: tf.tensor2d(Wsel),
      };
      const xt = tf.tensor3d(x);
      const kv = memory ? tf.concat([tf.tensor3d(memory), xt], 1) : xt;
      return switchHeadAttention(p, cfg, xt, kv, { training: false, seed: 0 }).reg!.dataSync()[0];
    });
  }

  it('uniform scores give -log E per side (two sides: -2 log E), with or without memory', () => {
    const E = 5;
    const zeros = Array.from({ length: 2 * E }, () => new Array(6).fill(0)); // H=2
    const x = [0, 1, 2].map((b) => [0, 1, 2, 3].map((t) => [0, 1, 2, 3, 4, 5].map((c) => Math.sin(b + t * c))));
    expect(reg(x, zeros, 2, E)).toBeCloseTo(-2 * Math.log(E), 6);
    expect(reg(x, zeros, 2, E, x)).toBeCloseTo(-2 * Math.log(E), 6);
  });

  it('averages the entropy per sequence, not over the whole batch', () => {
    // H=1, E=2, logits = a*x: sequence 0 prefers expert 0 on every token, sequence 1 expert 1.
    const a = 3;
    const W = [
      [a, 0],
      [0, a],
    ];
    const x = [
      [
        [1, 0],
        [1, 0],
        [1, 0],
      ],
      [
        [0, 1],
        [0, 1],
        [0, 1],
      ],
    ];
    const perSequence = -2 * binaryEntropy(1 / (1 + Math.exp(-a))); // each sequence's mean is (σ(a), 1-σ(a))
    const wholeBatch = -2 * Math.log(2); // pooled over the batch the mean is uniform
    expect(Math.abs(perSequence - wholeBatch)).toBeGreaterThan(0.5);
    expect(reg(x, W, 1, 2)).toBeCloseTo(perSequence, 5);
  });

  it('pools time and heads of a sequence together (not an average of per-head entropies)', () => {
    // H=2, E=2: head 0 routes x0 to expert 0, head 1 routes it to expert 1; pooled over heads a sequence is uniform.
    const a = 2.5;
    const W = [
      [a, 0],
      [0, a],
      [0, a],
      [a, 0],
    ];
    const x = [
      [
        [1, 0],
        [1, 0],
      ],
    ];
    const logits = [x[0].map(([u, v]) => [0, 1].map((h) => W.slice(2 * h, 2 * h + 2).map((w) => w[0] * u + w[1] * v)))];
    expect(selectionRegByHand(logits)).toBeCloseTo(-Math.log(2), 12);
    const perHead = -binaryEntropy(1 / (1 + Math.exp(-a)));
    expect(Math.abs(perHead + Math.log(2))).toBeGreaterThan(0.2);
    expect(reg(x, W, 2, 2)).toBeCloseTo(2 * selectionRegByHand(logits), 5);
  });

  it('matches the hand formula on random logits, memory tokens included on the source side', () => {
    const B = 2,
      T = 3,
      Tm = 2,
      H = 2,
      E = 3,
      d = 4;
    const W = Array.from({ length: H * E }, (_, r) => Array.from({ length: d }, (_, c) => Math.cos(3 * r + c)));
    const seqs = (len: number, off: number) =>
      Array.from({ length: B }, (_, b) =>
        Array.from({ length: len }, (_, t) => Array.from({ length: d }, (_, c) => Math.sin(off + 5 * b + 2 * t + c))),
      );
    const x = seqs(T, 0),
      mem = seqs(Tm, 17);
    const logitsOf = (rows: number[][][]) =>
      rows.map((seq) =>
        seq.map((xr) =>
          Array.from({ length: H }, (_, h) =>
            Array.from({ length: E }, (_, e) => W[h * E + e].reduce((a, w, c) => a + w * xr[c], 0)),
          ),
        ),
      );
    const src = logitsOf(mem.map((m, b) => [...m, ...x[b]])),
      dst = logitsOf(x);
    expect(reg(x, W, H, E, mem)).toBeCloseTo(selectionRegByHand(src) + selectionRegByHand(dst), 5);
  });
});

describe('routing statistics (hand-built selection)', () => {
  // One layer, H=2 heads, E=4 experts, k=2; batch of 1 sequence, T=2 query tokens after Tm=1 memory token.
  // Head 0 is hand-picked; head 1 always picks experts (3, 2) with gates (0.5, 0.4) on the source side and
  // (1, 0) with gates (0.7, 0.1) on the destination side. Layout [N, H, k] flattened.
  const src = {
    idx: [0, 1, 3, 2, 0, 2, 3, 2, 1, 0, 3, 2],
    gates: [0.9, 0.6, 0.5, 0.4, 0.8, 0.3, 0.5, 0.4, 0.7, 0.5, 0.5, 0.4],
    shape: [3, 2, 2],
    E: 4,
  };
  const dst = {
    idx: [2, 0, 1, 0, 2, 1, 1, 0],
    gates: [0.6, 0.55, 0.7, 0.1, 0.9, 0.2, 0.7, 0.1],
    shape: [2, 2, 2],
    E: 4,
  };
  const mlp = { idx: [1, 1], gates: [0.25, 0.75], shape: [2, 1, 1], E: 3 };
  const layers: LayerValues[] = [{ src, dst, mlp }];
  const batch = { batchSize: 1, seqLen: 2, input: new Int32Array(2), target: new Int32Array(2) };
  const r = routingStats(layers, batch, 7, 99, { q: false, k: false, v: true, o: true });
  const side = (s: string) => r.sides.find((x) => x.side === s)!;
  const H = (ps: number[]) => -ps.reduce((a, p) => (p > 0 ? a + p * Math.log(p) : a), 0);

  it('counts, shares, mean gates, entropy and dead fraction per head', () => {
    expect([r.step, r.tokens]).toEqual([7, 99]);
    const s0 = side('src').heads[0];
    expect(s0.counts).toEqual([3, 2, 1, 0]);
    expect(s0.share).toEqual([3 / 6, 2 / 6, 1 / 6, 0]);
    [(0.9 + 0.8 + 0.5) / 3, (0.6 + 0.7) / 2, 0.3, 0].forEach((g, e) => expect(s0.meanGate[e]).toBeCloseTo(g, 12));
    expect(s0.entropy).toBeCloseTo(H([1 / 2, 1 / 3, 1 / 6]) / Math.log(4), 12);
    expect(s0.deadFraction).toBe(1 / 4);
    const s1 = side('src').heads[1];
    expect(s1.counts).toEqual([0, 0, 3, 3]);
    expect(s1.meanGate[2]).toBeCloseTo(0.4, 12);
    expect(s1.entropy).toBeCloseTo(Math.log(2) / Math.log(4), 12);
    expect(s1.deadFraction).toBe(1 / 2);
    const d0 = side('dst').heads[0];
    expect(d0.counts).toEqual([1, 1, 2, 0]);
    [0.55, 0.2, 0.75, 0].forEach((g, e) => expect(d0.meanGate[e]).toBeCloseTo(g, 12));
    const m0 = side('mlp').heads[0];
    expect(m0.counts).toEqual([0, 2, 0]);
    expect(m0.meanGate[1]).toBeCloseTo(0.5, 12);
    expect(m0.entropy).toBeCloseTo(0, 12); // one expert takes every selection
    expect(m0.deadFraction).toBe(2 / 3);
    expect(side('src').usedBy).toEqual(['V']);
    expect(side('dst').usedBy).toEqual(['O']);
  });

  it('co-occurrence pairs each query token with its own source row, after the memory rows', () => {
    // head 0: t=0 pairs src row 1 (0, 2) with dst (2, 0); t=1 pairs src row 2 (1, 0) with dst (2, 1)
    const m0 = r.cooccurrence.find((c) => c.head === 0)!.matrix;
    expect(m0).toEqual([
      [1, 1, 2, 0],
      [0, 1, 1, 0],
      [1, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
    const m1 = r.cooccurrence.find((c) => c.head === 1)!.matrix;
    expect(m1[3]).toEqual([2, 2, 0, 0]);
    expect(m1[2]).toEqual([2, 2, 0, 0]);
  });
});

describe('SPEC §6 formulas as exact integers', () => {
  const cost = (attention: Record<string, unknown>, T: number, d: number) =>
    attentionCost(parseSpec({ model: { dModel: d, attention }, data: { seqLen: T } } as ExperimentSpecInput));

  it('SwitchHead XL, C4 47M row: H=2, d_h=76, E=5, k=3, T=256, one memory block, V and O experts', () => {
    const [H, dh, E, k, T, c, d] = [2, 76, 5, 3, 256, 1, 412];
    const nExp = 2,
      nProj = nExp * k + 4 - nExp,
      nSel = 2;
    const r = cost({ nHeads: H, dHead: dh, nExperts: E, k, positions: 'xl', xlMemory: true }, T, d);
    expect(r.memFloats).toBe(2 * H * T * T * (1 + c) + 4 * H * dh * T + nSel * E * T * (1 + c) + 2 * H * T * dh);
    expect(r.memFloats).toBe(762880);
    expect(r.macs).toBe(
      2 * H * dh * T * T * (1 + c) +
        nProj * d * H * dh * T +
        nExp * H * k * T * dh +
        nSel * E * d * T * (1 + c) +
        2 * H * d * T * dh,
    );
  });

  it('memory ignores k (4·H·d_h·T whatever k) and counts one selector per side', () => {
    const base = { nHeads: 4, dHead: 16, nExperts: 6, positions: 'rope' };
    const [H, dh, E, T] = [4, 16, 6, 64];
    const k1 = cost({ ...base, k: 1 }, T, 64).memFloats,
      k4 = cost({ ...base, k: 4 }, T, 64).memFloats;
    expect(k1).toBe(k4);
    expect(k1).toBe(2 * H * T * T + 4 * H * dh * T + 2 * E * T);
    const vOnly = cost({ ...base, k: 2, moe: { v: true, o: false } }, T, 64).memFloats;
    expect(vOnly).toBe(2 * H * T * T + 4 * H * dh * T + 1 * E * T);
  });

  it('XL baseline (47M row: H=10, d_h=41) and RoPE baseline (45M row: T=512, no memory)', () => {
    let [H, dh, T, c] = [10, 41, 256, 1];
    const xl = cost({ kind: 'dense', nHeads: H, dHead: dh, positions: 'xl', xlMemory: true }, T, 412);
    expect(xl.memFloats).toBe(2 * H * T * T * (1 + c) + 4 * H * dh * T + 2 * H * T * dh * (1 + c));
    expect(xl.memFloats).toBe(3461120);
    [T, c] = [512, 0];
    const rope = cost({ kind: 'dense', nHeads: H, dHead: dh, positions: 'rope' }, T, 412);
    expect(rope.memFloats).toBe(2 * H * T * T * (1 + c) + 4 * H * dh * T);
  });

  it('MoA: H = k active heads, E selection scores over the keys', () => {
    const [k, dh, E, T, c] = [3, 20, 8, 128, 1];
    const r = cost({ kind: 'moa', nHeads: 1, dHead: dh, nExperts: E, k, positions: 'xl', xlMemory: true }, T, 80);
    expect(r.memFloats).toBe(2 * k * T * T * (1 + c) + (2 * k + 2) * dh * T + 2 * T * dh + E * T * (1 + c));
  });
});

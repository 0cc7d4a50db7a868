// Synthetic runs for the chart test page and `npm run bench:ui`: typed-array columns straight into the runs store
// (as a worker's metrics events would arrive), validation rows, and routing reports with per-expert usage that drifts
// towards specialisation. Deterministic (a fixed LCG), no engine, no worker.
import { presets } from '../../../experiments';
import {
  appendMetricColumns,
  appendMetricRows,
  appendRouting,
  flushTouches,
  patch,
} from '../../../renderer/state/runs';
import type { RoutingReport } from '../../../renderer/panels/report-types';

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

export interface FakeRun {
  id: string;
  preset: string;
  level: number; // final loss
  seed: number;
  steps: number; // logged so far
  rand: () => number;
}

const TOKENS_PER_STEP = 16 * 128;

/** Declare a run (spec file as the CLI writes it; no rows yet). */
export function makeRun(id: string, preset: string, level: number, seed: number): FakeRun {
  const spec = presets[preset].spec;
  patch(id, {
    specFile: {
      spec,
      engineVersion: 'test',
      backend: { name: 'wasm', adapter: 'test' },
      dataset: 'synthetic',
      vocabSize: 256,
      createdAt: '',
    },
    listing: {
      id,
      name: preset,
      status: 'running',
      writer: 'app',
      createdAt: null,
      updatedMs: 0,
      lastStep: 0,
      totalSteps: 100_000,
      metricsBytes: 0,
      routingBytes: 0,
      probes: [],
      checkpoints: [],
    },
  });
  return { id, preset, level, seed, steps: 0, rand: lcg(seed) };
}

const lossAt = (r: FakeRun, s: number) => r.level + 3.6 * Math.exp(-s / 6000) + 0.9 * Math.exp(-s / 400);

/** Append `n` training rows (column-wise, like a worker metrics event). `nanAt`: steps whose loss is NaN. */
export function appendTrain(r: FakeRun, n: number, opts: { nanAt?: Set<number>; accuracy?: boolean } = {}): void {
  const cols = {
    step: new Float64Array(n),
    tokens: new Float64Array(n),
    time_s: new Float64Array(n),
    loss: new Float64Array(n),
    ce: new Float64Array(n),
    reg: new Float64Array(n),
    lr: new Float64Array(n),
    grad_norm: new Float64Array(n),
    step_ms: new Float64Array(n),
    tokens_per_s: new Float64Array(n),
    accuracy: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const s = r.steps + i + 1;
    const noise = (r.rand() - 0.5) * 0.35 + (r.rand() < 0.002 ? r.rand() * 1.5 : 0);
    const ce = opts.nanAt?.has(s) ? NaN : lossAt(r, s) + noise;
    cols.step[i] = s;
    cols.tokens[i] = s * TOKENS_PER_STEP;
    cols.time_s[i] = s * 0.045 * (1 + 0.1 * Math.sin(s / 900));
    cols.ce[i] = ce;
    cols.reg[i] = -0.01;
    cols.loss[i] = ce - 0.01;
    cols.lr[i] = 1e-3 * Math.min(1, s / 1000) * (0.5 + 0.5 * Math.cos((Math.PI * s) / 100_000));
    cols.grad_norm[i] = 0.25 + 2 * Math.exp(-s / 3000) + r.rand() * 0.2;
    cols.step_ms[i] = 45;
    cols.tokens_per_s[i] = TOKENS_PER_STEP / 0.045;
    cols.accuracy[i] = opts.accuracy ? Math.min(1, Math.max(0, 1 - Math.exp(-s / 800) + (r.rand() - 0.5) * 0.1)) : NaN;
  }
  appendMetricColumns(r.id, cols, n);
  r.steps += n;
}

/** Validation rows every `every` steps up to the run's current step (per-task accuracy for mixtures). */
export function appendVal(r: FakeRun, from: number, every: number, tasks: string[] = []): void {
  const rows = [];
  for (let s = Math.ceil(from / every) * every; s <= r.steps; s += every) {
    if (s === 0) continue;
    const acc = 1 - Math.exp(-s / 900);
    rows.push({
      split: 'val',
      step: s,
      tokens: s * TOKENS_PER_STEP,
      time_s: s * 0.045,
      loss: lossAt(r, s) + 0.05,
      accuracy: tasks.length ? acc : undefined,
      answer_accuracy: tasks.length ? acc * 0.9 : undefined,
      per_task: tasks.length
        ? Object.fromEntries(tasks.map((t, i) => [t, 1 - Math.exp(-s / (500 + 400 * i))]))
        : undefined,
    });
  }
  appendMetricRows(r.id, rows);
}

/** Routing reports every `every` steps: 2 layers, sides src (V) and dst (O), 2 heads, E experts. */
export function appendRoutingReports(r: FakeRun, from: number, every: number, E = 5): void {
  const rows: RoutingReport[] = [];
  for (let s = Math.ceil(from / every) * every; s <= r.steps; s += every) {
    if (s === 0) continue;
    const t = 1 - Math.exp(-s / 20_000); // specialisation grows over training
    const sides: RoutingReport['sides'] = [];
    for (const layer of [0, 1])
      for (const side of ['src', 'dst'] as const) {
        const heads = [0, 1].map((head) => {
          const raw = Array.from({ length: E }, (_, e) => {
            const favoured = (e + head + layer) % E === 0 ? 3 * t : 0;
            const dying = side === 'dst' && e === E - 1 ? -t : 0; // one expert fades out on the O side
            return Math.max(0, 1 + favoured + dying + (r.rand() - 0.5) * 0.2);
          });
          const sum = raw.reduce((a, b) => a + b, 0);
          const share = raw.map((v) => v / sum);
          const ent = -share.reduce((a, p) => (p > 0 ? a + p * Math.log(p) : a), 0) / Math.log(E);
          return {
            head,
            counts: share.map((p) => Math.round(p * 4096)),
            share,
            meanGate: share.map((p) => (p > 0 ? 0.4 + 0.5 * p : 0)),
            entropy: ent,
            deadFraction: share.filter((p) => p === 0).length / E,
          };
        });
        sides.push({ layer, side, usedBy: side === 'src' ? ['V'] : ['O'], heads });
      }
    rows.push({ step: s, tokens: s * TOKENS_PER_STEP, sides, cooccurrence: [] });
  }
  appendRouting(r.id, rows);
}

/** Three CPU-preset runs of `n` steps each (the paper's trio), everything logged. */
export function threeRuns(n: number): FakeRun[] {
  const runs = [
    makeRun('run-sh-k2', 'cpu-switchhead-k2', 1.84, 1),
    makeRun('run-xl', 'cpu-xl', 1.87, 2),
    makeRun('run-xl-h2', 'cpu-xl-h2', 1.99, 3),
  ];
  for (const r of runs) {
    appendTrain(r, n);
    appendVal(r, 0, 1000);
    if (r.preset === 'cpu-switchhead-k2') appendRoutingReports(r, 0, 250);
  }
  flushTouches();
  return runs;
}

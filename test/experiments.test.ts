// The experiment registry: every preset is a valid spec; the CPU-sized paper configurations keep the paper's
// parameter matching (within 2%, by engine/cost.ts) and its cost ratios; a teaching preset visibly learns.
import { describe, expect, it } from 'vitest';
import { parseSpec } from '../engine/spec';
import { costRatios, costReport, countParams } from '../engine/cost';
import { runExperiment } from '../engine/node/runner';
import { baselines, DEFAULT_PRESET, presets, REPRODUCTION, resolvePreset } from '../experiments/index';
import { paperPresets } from '../experiments/paper';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';

const cpu = Object.keys(presets).filter((n) => presets[n].group === 'cpu');

describe('registry', () => {
  it('holds the paper, CPU and teaching presets, each a valid spec named after its key', () => {
    for (const name of Object.keys(paperPresets)) expect(presets[name].group).toBe('paper');
    expect(cpu.length).toBeGreaterThanOrEqual(9);
    expect(Object.values(presets).filter((p) => p.group === 'teaching').length).toBe(5);
    for (const [name, p] of Object.entries(presets)) {
      expect(parseSpec(p.spec).name).toBe(name);
      expect(p.summary.length).toBeGreaterThan(10);
    }
    expect(presets[DEFAULT_PRESET]).toBeDefined();
    for (const n of Object.values(REPRODUCTION)) expect(presets[n].group).toBe('cpu');
  });

  it('resolvePreset lists every available name for an unknown one', () => {
    expect(resolvePreset('cpu-xl').spec.name).toBe('cpu-xl');
    let msg = '';
    try {
      resolvePreset('cpu-xll');
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('unknown experiment "cpu-xll"');
    for (const n of Object.keys(presets)) expect(msg).toContain(n);
  });

  it('covers each paper model kind at CPU size, byte-level Gutenberg', () => {
    const kinds = cpu
      .map((n) => parseSpec(presets[n].spec))
      .map((s) => `${s.model.attention.kind}/${s.model.attention.positions}/${s.model.mlp.kind}`);
    for (const k of [
      'dense/xl/dense',
      'switchhead/xl/dense',
      'switchhead/xl/sigma-moe',
      'dense/rope/dense',
      'switchhead/rope/dense',
      'moa/xl/dense',
    ])
      expect(kinds).toContain(k);
    for (const n of cpu) {
      const s = parseSpec(presets[n].spec);
      expect(s.data.source).toEqual({ kind: 'corpus', name: 'gutenberg' });
      expect(s.data.tokenizer.kind).toBe('byte');
      expect(s.model.dModel).toBe(128);
    }
  });
});

describe('CPU-sized paper configurations', () => {
  const params = (n: string) => countParams(parseSpec(presets[n].spec), 256).total;

  it('each is parameter-matched to its dense baseline within 2%', () => {
    const pairs = Object.entries(baselines).filter(([n]) => n.startsWith('cpu-'));
    expect(pairs.length).toBeGreaterThanOrEqual(7);
    for (const [n, base] of pairs) {
      const rel = Math.abs(params(n) / params(base) - 1);
      expect(rel, `${n} vs ${base}: ${params(n)} vs ${params(base)}`).toBeLessThanOrEqual(0.02);
    }
  });

  it("keeps the paper's attention cost ratios (MACs, memory within 10 points; same matrix reduction)", () => {
    const pairs: [string, string][] = [
      ['cpu-switchhead-k2', 'paper-47m-switchhead-k2'],
      ['cpu-switchhead-k3', 'paper-47m-switchhead-k3'],
      ['cpu-switchhead-rope', 'paper-45m-switchhead-rope'],
      ['cpu-xl-h2', 'paper-47m-xl-h2'],
      ['cpu-switchall', 'paper-47m-switchall'],
    ];
    const ratio = (n: string) => {
      const s = parseSpec(presets[n].spec);
      return costRatios(costReport(s), costReport(parseSpec(presets[baselines[n]].spec)));
    };
    for (const [c, p] of pairs) {
      const rc = ratio(c),
        rp = ratio(p);
      expect(Math.abs(rc.macs - rp.macs), `${c} MACs ${rc.macsPaper} vs paper ${rp.macsPaper}`).toBeLessThan(0.1);
      expect(Math.abs(rc.memFloats - rp.memFloats), `${c} memory ${rc.memPaper} vs paper ${rp.memPaper}`).toBeLessThan(
        0.1,
      );
      expect(rc.attentionMatrixReduction).toBe(rp.attentionMatrixReduction);
    }
  });
});

describe('teaching presets', () => {
  // Measured on this machine (wasm, 2 cores shared with other jobs), full default steps:
  // see experiments/teaching.ts. Here: teach-copy shortened to 100 steps must already copy most answers.
  it('teach-copy learns to copy within 100 steps', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-teach-'));
    try {
      const spec = parseSpec({
        ...presets['teach-copy'].spec,
        train: { ...presets['teach-copy'].spec.train, steps: 100 },
      });
      const r = await runExperiment({ spec, runsRoot: root, progress: null, log: () => {}, handleSignals: false });
      const s = r.summary!;
      const first = JSON.parse(fs.readFileSync(path.join(r.dir, 'metrics.jsonl'), 'utf8').split('\n')[0]);
      expect(first.split).toBe('val');
      expect(first.answer_accuracy).toBeLessThan(0.05); // untrained: no whole answer right
      expect(s.tokenAccuracy!).toBeGreaterThan(0.9);
      expect(s.accuracy!).toBeGreaterThan(0.5);
      expect(s.valLoss!).toBeLessThan(first.loss / 4);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

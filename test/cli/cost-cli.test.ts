// `npm run cost`: takes every preset `experiment` takes, spec files and a run's spec.json; counts parameters with
// the vocabulary training uses (a synthetic task's own tokens); prints small memory figures with enough digits.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countParams, formatPaper, type CostReport } from '../../engine/cost';
import { buildDataset } from '../../engine/data';
import { loadDataSources } from '../../engine/node/corpus';
import { vocabularyOf } from '../../engine/node/cli/cost';
import { loadSpec } from '../../engine/node/cli/load-spec';
import { parseSpec } from '../../engine/spec';
import { baselines, presets } from '../../experiments/index';
import { ROOT, tmpDir, writeSpec } from './helpers';

const tmp = tmpDir('cost');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Out = CostReport & { vocabulary: string; ratios?: { baseline: string; macsPaper: string; memPaper: string } };

/** The real command, through npm, as experiments/README.md shows it. */
function npmCost(...args: string[]) {
  const r = spawnSync('npm', ['run', '--silent', 'cost', '--', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run cost', () => {
  it('takes every preset that experiment takes, in one call', () => {
    const names = Object.keys(presets);
    const r = npmCost(...names);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Out[];
    expect(out.map((o) => o.name)).toEqual(names);
    for (const o of out) {
      expect(o.params, o.name).not.toBeNull();
      const base = baselines[o.name];
      expect(o.ratios?.baseline ?? null, o.name).toBe(base ?? null);
    }
  });

  it("a paper preset: the paper's figures and ratios (SPEC §7.1)", () => {
    const r = npmCost('paper-47m-switchhead-k2');
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as Out;
    expect([o.params!.paper, o.attention.macsPaper, o.attention.memPaper, o.attentionMatrices.perLayer]).toEqual([
      '47.25M',
      '170.4M',
      '0.8M',
      2,
    ]);
    expect([o.ratios!.baseline, o.ratios!.macsPaper, o.ratios!.memPaper]).toEqual(['paper-47m-xl', '37.6%', '22.0%']);
  });

  it('cpu-switchhead-k2 (the README example) with the ratios to cpu-xl', () => {
    const r = npmCost('cpu-switchhead-k2');
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as Out;
    expect(o.vocabSize).toBe(256);
    expect(o.ratios!.baseline).toBe('cpu-xl');
    expect(o.ratios!.macsPaper).toMatch(/^\d+\.\d%$/);
  });

  it('a teaching preset: the task vocabulary and the parameters training reports', () => {
    const r = npmCost('teach-copy');
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as Out;
    const spec = parseSpec(presets['teach-copy'].spec);
    const data = buildDataset(spec, loadDataSources(spec)); // what training builds
    expect(o.vocabSize).toBe(data.vocabSize);
    expect(o.vocabSize).toBeLessThan(256);
    expect(o.params!.total).toBe(countParams(spec, data.vocabSize).total);
    expect(o.vocabulary).toMatch(/synthetic copy task/);
    // small memory figures keep their digits: the printed figure is within 5% of the raw count
    expect(o.attention.memPaper).not.toBe('0.0M');
    expect(Math.abs(parseFloat(o.attention.memPaper) * 1e6 - o.attention.memFloatsPerLayer)).toBeLessThan(
      0.05 * o.attention.memFloatsPerLayer,
    );
  });

  it("a run's spec.json: its recorded vocabulary", () => {
    const spec = parseSpec({ name: 'recorded', data: { tokenizer: { kind: 'char' } } });
    const file = writeSpec(tmp, { spec, engineVersion: '0.1.0', backend: { name: 'wasm' }, vocabSize: 77 });
    const r = npmCost(file);
    expect(r.code, r.stderr).toBe(0);
    const o = JSON.parse(r.stdout) as Out;
    expect([o.name, o.vocabSize, o.vocabulary]).toEqual(['recorded', 77, 'recorded in the run']);
    expect(o.params!.embedding).toBe(77 * spec.model.dModel);
  });

  it('bad input: an invalid spec file and an unknown preset exit 2 naming what is wrong', () => {
    const bad = writeSpec(tmp, { model: { attention: { nHeads: 0, nExprts: 4 } } }, 'bad.json');
    const r = npmCost(bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*bad\.json: .*model\.attention\.nHeads/);
    expect(r.stderr).toMatch(/nExprts/);
    expect(r.stdout).toBe('');
    const u = npmCost('paper-47m-nope');
    expect(u.code).toBe(2);
    for (const name of Object.keys(presets)) expect(u.stderr).toContain(name);
  });
});

describe('the vocabulary cost counts with', () => {
  it('char tokenizer on a text file: the characters of the text, as training builds them', () => {
    fs.writeFileSync(path.join(tmp, 'abc.txt'), 'abcab cab\n'.repeat(40));
    const file = writeSpec(
      tmp,
      { data: { source: { kind: 'file', path: 'abc.txt' }, tokenizer: { kind: 'char' }, seqLen: 8, batchSize: 2 } },
      'char.json',
    );
    const loaded = loadSpec(file);
    const v = vocabularyOf(loaded);
    expect(v.size).toBe(buildDataset(loaded.spec, loadDataSources(loaded.spec)).vocabSize);
    expect(v.from).toMatch(/characters/);
  });

  it('every synthetic preset: the same vocabulary as its dataset', () => {
    for (const [name, p] of Object.entries(presets)) {
      if (p.group !== 'teaching') continue;
      const loaded = loadSpec(name);
      expect(vocabularyOf(loaded).size, name).toBe(buildDataset(loaded.spec).vocabSize);
    }
  });
});

describe('formatPaper', () => {
  it("keeps the paper's one decimal from 0.1M, two significant digits below", () => {
    expect(formatPaper(800_000)).toBe('0.8M');
    expect(formatPaper(25_088)).toBe('0.025M');
    expect(formatPaper(1_234)).toBe('0.0012M');
    expect(formatPaper(99_999)).toBe('0.1M');
    expect(formatPaper(0)).toBe('0.0M');
  });
});

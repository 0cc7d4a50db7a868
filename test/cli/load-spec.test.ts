// Spec loading, shared by experiment, start and cost: presets, spec files, a run's spec.json; a relative
// data.source.path is read from the spec file's folder; a run shorter than its warm-up is treated the same from a
// spec file as with --steps, and the change is reported.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../engine/node/cli/load-spec';
import { parseSpec } from '../../engine/spec';
import { presets } from '../../experiments/index';
import { ROOT, tinySpec, tmpDir, writeSpec } from './helpers';

const tmp = tmpDir('load-spec');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('loadSpec', () => {
  it('a preset, a spec file and a run spec.json give the same spec', () => {
    const preset = loadSpec('teach-copy');
    expect(preset.kind).toBe('preset');
    expect(preset.spec).toEqual(parseSpec(presets['teach-copy'].spec));
    const file = loadSpec(writeSpec(tmp, presets['teach-copy'].spec, 'copy.json'));
    expect([file.kind, file.spec]).toEqual(['file', preset.spec]);
    const runFile = writeSpec(tmp, { spec: preset.spec, engineVersion: '0.1.0', vocabSize: 12 }, 'run-spec.json');
    const run = loadSpec(runFile);
    expect([run.kind, run.spec, run.vocabSize]).toEqual(['run', preset.spec, 12]);
  });

  it('ships an example spec file that loads', () => {
    const ex = loadSpec(path.join(ROOT, 'experiments/example-spec.json'));
    expect(ex.kind).toBe('file');
    expect(ex.changes).toEqual([]);
    expect(ex.spec.description).toMatch(/relative path is read from the spec file's folder/);
  });

  it("reads a relative data.source.path from the spec file's folder, whatever the working directory", () => {
    const dir = path.join(tmp, 'project');
    fs.mkdirSync(dir, { recursive: true });
    const spec = tinySpec(3, { data: { source: { kind: 'file', path: 'text/corpus.txt' }, seqLen: 8, batchSize: 2 } });
    const file = writeSpec(dir, spec, 'mine.json');
    const loaded = loadSpec(path.relative(process.cwd(), file));
    const src = loaded.spec.data.source as { kind: 'file'; path: string };
    expect(src.path).toBe(path.join(dir, 'text/corpus.txt'));
    expect(loaded.changes.join('\n')).toContain(`is read as ${path.join(dir, 'text/corpus.txt')}`);
    // an absolute path stays as it is, silently
    const abs = writeSpec(
      dir,
      { ...spec, data: { ...spec.data, source: { kind: 'file', path: '/x/y.txt' } } },
      'a.json',
    );
    expect((loadSpec(abs).spec.data.source as { path: string }).path).toBe('/x/y.txt');
    expect(loadSpec(abs).changes).toEqual([]);
  });

  it('a run shorter than its warm-up: the same from the file as from --steps, and the change is reported', () => {
    const input = presets['teach-copy'].spec; // warm-up 30
    const viaFlag = loadSpec('teach-copy', { steps: 12 });
    const viaFile = loadSpec(writeSpec(tmp, { ...input, train: { ...input.train, steps: 12 } }, 'short.json'));
    expect(viaFile.spec.train).toEqual(viaFlag.spec.train);
    expect(viaFlag.spec.train.warmupSteps).toBe(1);
    for (const l of [viaFlag, viaFile]) expect(l.changes).toEqual([expect.stringMatching(/warmupSteps 30 -> 1/)]);
    // a warm-up that fits is kept, and nothing is reported
    const fits = loadSpec('teach-copy', { steps: 100 });
    expect([fits.spec.train.warmupSteps, fits.changes]).toEqual([30, []]);
  });

  it('errors name the file and say what to give instead', () => {
    expect(() => loadSpec(path.join(tmp, 'nope.json'))).toThrow(/nope\.json: no such file/);
    fs.writeFileSync(path.join(tmp, 'broken.json'), '{"name": ');
    expect(() => loadSpec(path.join(tmp, 'broken.json'))).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadSpec(writeSpec(tmp, [1, 2], 'array.json'))).toThrow(/a spec is a JSON object/);
    const runDir = path.join(tmp, 'a-run');
    fs.mkdirSync(runDir, { recursive: true });
    expect(() => loadSpec(runDir)).toThrow(/is a directory, not a spec file/);
    writeSpec(runDir, { spec: {}, engineVersion: '0.1.0' });
    expect(() => loadSpec(runDir)).toThrow(/is a run directory; give its spec file .*--resume/);
    expect(() => loadSpec('teach-nothing')).toThrow(/unknown experiment "teach-nothing"/);
    const bad = writeSpec(tmp, { train: { steps: 0 } }, 'bad.json');
    expect(() => loadSpec(bad)).toThrow(/bad\.json: .*train\.steps/);
  });
});

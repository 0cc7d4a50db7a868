import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunFileError, appendJsonl, parseJsonl, readJsonl, writeFileAtomic } from '../engine/node/atomic';
import { RunDir, RunDirError, listRuns, makeRunId, resolveInside, sanitizeRunName } from '../engine/node/rundir';
import { checkpointBytes, tempDir } from './rundir-helpers';

let tmp: string;
beforeEach(() => void (tmp = tempDir()));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('JSONL', () => {
  it('round-trips records, one line each', () => {
    const f = path.join(tmp, 'm.jsonl');
    const recs = [
      { step: 1, loss: 2.5 },
      { step: 2, note: 'a\nb "quoted"' },
      { step: 3, nested: { x: [1, 2] } },
    ];
    for (const r of recs) appendJsonl(f, r);
    expect(fs.readFileSync(f, 'utf8').split('\n')).toHaveLength(recs.length + 1);
    expect(readJsonl(f)).toEqual(recs);
  });

  it('ignores a torn last line, and the next append drops the fragment', () => {
    const f = path.join(tmp, 'm.jsonl');
    appendJsonl(f, { step: 1 });
    appendJsonl(f, { step: 2 });
    fs.appendFileSync(f, '{"step": 3, "lo'); // crash in the middle of a write
    expect(readJsonl(f)).toEqual([{ step: 1 }, { step: 2 }]);
    appendJsonl(f, { step: 3 });
    expect(readJsonl(f)).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
    expect(fs.readFileSync(f, 'utf8')).toBe('{"step":1}\n{"step":2}\n{"step":3}\n');
  });

  it('keeps a complete last record that only lacks its newline', () => {
    const f = path.join(tmp, 'm.jsonl');
    fs.writeFileSync(f, '{"step":1}\n{"step":2}');
    expect(readJsonl(f)).toEqual([{ step: 1 }, { step: 2 }]);
    appendJsonl(f, { step: 3 });
    expect(readJsonl(f)).toEqual([{ step: 1 }, { step: 2 }, { step: 3 }]);
  });

  it('throws on a corrupt line in the middle, naming file and line', () => {
    const f = path.join(tmp, 'm.jsonl');
    fs.writeFileSync(f, '{"step":1}\n{"step":2\n\n{"step":3}\n');
    expect(() => readJsonl(f)).toThrow(RunFileError);
    expect(() => readJsonl(f)).toThrow(`${f}: line 2 is corrupt`);
  });

  it('treats blank lines as nothing and reports the torn flag', () => {
    expect(parseJsonl('', 'x')).toEqual({ records: [], tornLastLine: false });
    expect(parseJsonl('{"a":1}\n\n{"a":\n\n', 'x')).toEqual({ records: [{ a: 1 }], tornLastLine: true });
  });
});

describe('writeFileAtomic', () => {
  it('replaces content and leaves no temp files', () => {
    const f = path.join(tmp, 'spec.json');
    writeFileAtomic(f, 'old');
    writeFileAtomic(f, new Uint8Array([110, 101, 119]));
    expect(fs.readFileSync(f, 'utf8')).toBe('new');
    expect(fs.readdirSync(tmp)).toEqual(['spec.json']);
  });

  it('leaves the old content and no temp file when the write fails', () => {
    const f = path.join(tmp, 'spec.json');
    writeFileAtomic(f, 'old');
    fs.mkdirSync(path.join(tmp, 'blocker'));
    // renaming a file over a directory fails after the temp file was written
    expect(() => writeFileAtomic(path.join(tmp, 'blocker'), 'x')).toThrow();
    expect(fs.readFileSync(f, 'utf8')).toBe('old');
    expect(fs.readdirSync(tmp).sort()).toEqual(['blocker', 'spec.json']);
  });
});

describe('RunDir', () => {
  it('makes sanitised, time-stamped run ids', () => {
    const d = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(makeRunId('SwitchHead E=4 k=2 / rope', d)).toBe('20250102-030405-SwitchHead-E-4-k-2-rope');
    expect(makeRunId('../../etc', d)).toBe('20250102-030405-etc');
    expect(sanitizeRunName('...')).toBe('run');
    expect(sanitizeRunName('x'.repeat(100))).toHaveLength(64);
  });

  it('writes and reads every file of the layout', () => {
    const run = RunDir.create(path.join(tmp, 'runs'), '20250102-030405-test');
    run.writeSpec({ model: { dModel: 16 } });
    run.appendMetrics({ step: 1, loss: 3 });
    run.appendMetrics({ step: 2, loss: 2 });
    run.appendRouting({ step: 2, layer: 0, usage: [0.5, 0.5] });
    run.writeProbe(2, { attention: [[1]] });
    run.writeSummary({ finalLoss: 2 });

    const again = RunDir.open(run.dir);
    expect(again.id).toBe('20250102-030405-test');
    expect(again.readSpec()).toEqual({ model: { dModel: 16 } });
    expect(again.readMetrics()).toEqual([
      { step: 1, loss: 3 },
      { step: 2, loss: 2 },
    ]);
    expect(again.readRouting()).toEqual([{ step: 2, layer: 0, usage: [0.5, 0.5] }]);
    expect(again.listProbes()).toEqual([2]);
    expect(again.readProbe(2)).toEqual({ attention: [[1]] });
    expect(again.readSummary()).toEqual({ finalLoss: 2 });
    expect(RunDir.open(path.join(tmp, 'runs'), '20250102-030405-test').dir).toBe(run.dir);
    expect(fs.readdirSync(run.dir).sort()).toEqual([
      'metrics.jsonl',
      'probes',
      'routing.jsonl',
      'spec.json',
      'summary.json',
    ]);
    expect(run.strayTempFiles()).toEqual([]);
  });

  it('refuses to create a run twice; createNew picks a free id', () => {
    const root = path.join(tmp, 'runs');
    const d = new Date(Date.UTC(2025, 5, 1, 12, 0, 0));
    const a = RunDir.createNew(root, 'same', {}, d);
    const b = RunDir.createNew(root, 'same', {}, d);
    expect(a.id).toBe('20250601-120000-same');
    expect(b.id).toBe('20250601-120000-same-2');
    expect(() => RunDir.create(root, a.id)).toThrow(/already exists/);
    expect(() => RunDir.open(root, 'nope')).toThrow(/does not exist/);
    expect(RunDir.open(a.dir).readSummary()).toBeNull();
    expect(a.readMetrics()).toEqual([]);
  });

  it('rejects path traversal', () => {
    const root = path.join(tmp, 'runs');
    for (const bad of ['../evil', '..', '/etc', 'a/../../b', '.hidden', 'a\\b'])
      expect(() => RunDir.create(root, bad)).toThrow(RunDirError);
    expect(() => RunDir.open(root, '../..')).toThrow(/invalid run id/);
    expect(() => resolveInside(root, '../x')).toThrow(/outside the runs root/);
    expect(() => resolveInside(root, 'a', '..', '..', 'x')).toThrow(/outside the runs root/);
    expect(resolveInside(root, 'a', 'b')).toBe(path.join(path.resolve(root), 'a', 'b'));
    const run = RunDir.create(root, 'ok');
    expect(() => run.writeProbe(-1, {})).toThrow(/non-negative integer/);
    expect(() => run.checkpointPath(1.5)).toThrow(/non-negative integer/);
    expect(fs.existsSync(path.join(tmp, 'evil'))).toBe(false);
  });

  it('keeps the last N checkpoints and finds the newest readable one', () => {
    const run = RunDir.create(tmp, 'ckpt', { keepCheckpoints: 2 });
    for (const s of [100, 200, 300]) run.writeCheckpoint(s, checkpointBytes(s));
    expect(run.listCheckpoints()).toEqual([200, 300]);
    let { checkpoint, warnings } = run.latestCheckpoint();
    expect(checkpoint?.step).toBe(300);
    expect(Array.from(checkpoint!.tensors.w.data as Float32Array)).toEqual([300, -300]);
    expect(checkpoint?.metadata).toEqual({ step: '300' });
    expect(warnings).toEqual([]);

    // a truncated newest checkpoint (e.g. copied half-way) is skipped with a warning
    const bytes = checkpointBytes(400);
    fs.writeFileSync(run.checkpointPath(400), bytes.subarray(0, bytes.length - 3));
    ({ checkpoint, warnings } = run.latestCheckpoint());
    expect(checkpoint?.step).toBe(300);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(run.checkpointPath(400));
    expect(warnings[0]).toContain('ends past the data section');
    expect(() => RunDir.create(tmp, 'bad', { keepCheckpoints: 0 })).toThrow(/keepCheckpoints/);
  });

  it('returns no checkpoint when none decodes', () => {
    const run = RunDir.create(tmp, 'none');
    expect(run.latestCheckpoint()).toEqual({ checkpoint: null, warnings: [] });
    fs.mkdirSync(run.checkpointsDir);
    fs.writeFileSync(run.checkpointPath(5), 'garbage');
    const r = run.latestCheckpoint();
    expect(r.checkpoint).toBeNull();
    expect(r.warnings[0]).toMatch(/5\.safetensors: .*header/);
  });

  it('lists runs with a spec, newest id first', () => {
    const root = path.join(tmp, 'runs');
    expect(listRuns(root)).toEqual([]);
    const a = RunDir.create(root, '20250101-000000-a');
    const b = RunDir.create(root, '20250102-000000-b');
    RunDir.create(root, '20250103-000000-nospec');
    a.writeSpec({});
    b.writeSpec({});
    b.writeSummary({ done: true });
    fs.mkdirSync(path.join(root, '.tmp-x'));
    const runs = listRuns(root);
    expect(runs.map((r) => [r.id, r.hasSummary])).toEqual([
      ['20250102-000000-b', true],
      ['20250101-000000-a', false],
    ]);
    expect(runs[0].dir).toBe(b.dir);
  });
});

// A child process appends JSONL lines and rewrites a file atomically in a loop; we SIGKILL it at a random
// moment and check that everything is still readable and consistent.
describe('crash safety', () => {
  const atomicTs = path.resolve(__dirname, '../engine/node/atomic.ts');
  const childSrc = `
import { appendJsonl, writeFileAtomic } from ${JSON.stringify(atomicTs)};
const dir = process.argv[2];
const pad = 'x'.repeat(20000); // big enough that writes are not instantaneous
for (let i = 0; ; i++) {
  appendJsonl(dir + '/metrics.jsonl', { step: i, pad: pad.slice(0, i % 5000) });
  writeFileAtomic(dir + '/state.json', JSON.stringify({ step: i, pad }));
  if (i === 20) process.stdout.write('ready\\n');
}
`;

  async function runAndKill(dir: string, delayMs: number): Promise<void> {
    const script = path.join(tmp, 'child.ts');
    fs.writeFileSync(script, childSrc);
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir], {
      cwd: path.resolve(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => String(d).includes('ready') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    await new Promise((r) => setTimeout(r, delayMs));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  it('leaves a readable directory after SIGKILL at random moments', async () => {
    const dir = path.join(tmp, 'crash');
    fs.mkdirSync(dir);
    let lastSteps = -1;
    for (let round = 0; round < 3; round++) {
      await runAndKill(dir, 20 + Math.floor(Math.random() * 200));
      const recs = readJsonl<{ step: number }>(path.join(dir, 'metrics.jsonl'));
      // every round restarts at step 0, so the file is 0..n0-1, 0..n1-1, ...; each run's lines are in order
      expect(recs.length).toBeGreaterThan(lastSteps);
      for (let i = 1; i < recs.length; i++)
        expect(recs[i].step === recs[i - 1].step + 1 || recs[i].step === 0).toBe(true);
      const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
      expect(state.pad).toHaveLength(20000);
      // the atomic file is at most one write ahead of / behind the last complete JSONL line
      expect(Math.abs(state.step - recs[recs.length - 1].step)).toBeLessThanOrEqual(1);
      lastSteps = recs.length;
    }
    // temp files of an interrupted write may remain; they never replace the real file
    for (const f of fs.readdirSync(dir))
      expect(['metrics.jsonl', 'state.json'].includes(f) || f.startsWith('.tmp-')).toBe(true);
  });

  it('repairs a torn line left by a crash when the next process appends', async () => {
    const dir = path.join(tmp, 'torn');
    fs.mkdirSync(dir);
    await runAndKill(dir, 10);
    const before = readJsonl(path.join(dir, 'metrics.jsonl')).length;
    fs.appendFileSync(path.join(dir, 'metrics.jsonl'), '{"step": 99999, "pad": "xx'); // a write cut short (power loss)
    expect(readJsonl(path.join(dir, 'metrics.jsonl'))).toHaveLength(before);
    await runAndKill(dir, 10);
    const recs = readJsonl<{ step: number }>(path.join(dir, 'metrics.jsonl'));
    expect(recs.length).toBeGreaterThan(before);
    expect(recs.some((r) => r.step === 99999)).toBe(false);
    expect(recs[before].step).toBe(0); // the second process started right after the last complete line
  });

  it('removes temp files of dead writers only', () => {
    const run = RunDir.create(tmp, 'temps');
    fs.writeFileSync(path.join(run.dir, '.tmp-spec.json.999999999.abc'), 'dead writer');
    fs.writeFileSync(path.join(run.dir, `.tmp-spec.json.${process.pid}.def`), 'live writer');
    expect(run.strayTempFiles()).toHaveLength(2);
    expect(run.removeStaleTempFiles()).toEqual([path.join(run.dir, '.tmp-spec.json.999999999.abc')]);
    expect(run.strayTempFiles()).toEqual([path.join(run.dir, `.tmp-spec.json.${process.pid}.def`)]);
  });
});

// The runs zip (renderer/export/runs-zip.ts) against a real run directory written by the CLI's code: the zip holds
// each run's spec.json, metrics.jsonl and routing.jsonl with the same rows, summary.json, summary.md exactly as the
// run recorder wrote it, the probes, a manifest; checkpoints only when asked, byte for byte. Also a run without a
// summary (interrupted) and the file list of the manifest.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunDir } from '../../engine/node/rundir';
import { runExperiment } from '../../engine/node/runner';
import { parseSpec } from '../../engine/spec';
import { runFiles, zipRuns, type RunData } from '../../renderer/export/runs-zip';
import { tinySpecInput } from '../host/helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sh-zip-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dir = '';
let data: RunData;

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** What the Platform's readRun / readProbe / readCheckpoint give for the run. */
function readBack(d: string, checkpoints: boolean): RunData {
  const run = RunDir.open(d);
  const read = (f: string) => fs.readFileSync(path.join(d, f), 'utf8');
  return {
    id: run.id,
    specFile: JSON.parse(read('spec.json')),
    summary: fs.existsSync(path.join(d, 'summary.json')) ? JSON.parse(read('summary.json')) : null,
    metrics: lines(read('metrics.jsonl')),
    routing: lines(read('routing.jsonl')),
    probes: run
      .listProbes()
      .map((step) => ({ step, report: JSON.parse(fs.readFileSync(run.probePath(step), 'utf8')) })),
    checkpoints: checkpoints
      ? fs.readdirSync(path.join(d, 'checkpoints')).map((f) => ({
          step: Number(f.split('.')[0]),
          bytes: new Uint8Array(fs.readFileSync(path.join(d, 'checkpoints', f))),
        }))
      : [],
  };
}

beforeAll(async () => {
  const spec = parseSpec({ ...tinySpecInput(4), name: 'zip-me' });
  const opts = { runsRoot: path.join(tmp, 'runs'), progress: null, log: () => {}, handleSignals: false };
  dir = (await runExperiment({ spec, backend: 'cpu', ...opts })).dir;
  data = readBack(dir, false);
});

describe('zipRuns', () => {
  it("holds each run's files with the same rows, summary.md exactly as the recorder wrote it", () => {
    const meta = { notebook: 'nb', exportedAt: '2026-11-29T15:00:00.000Z', engineVersion: '0.1.0', checkpoints: false };
    const { bytes, manifest } = zipRuns([data], meta);
    const zip = unzipSync(bytes);
    const base = `runs/${data.id}/`;
    const names = Object.keys(zip).sort();
    expect(names).toEqual(
      [
        'manifest.json',
        `${base}loss.svg`,
        `${base}metrics.jsonl`,
        `${base}probes/2.json`,
        `${base}probes/4.json`,
        `${base}routing.jsonl`,
        `${base}spec.json`,
        `${base}summary.json`,
        `${base}summary.md`,
      ].sort(),
    );
    const disk = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
    expect(lines(strFromU8(zip[`${base}metrics.jsonl`]))).toEqual(lines(disk('metrics.jsonl')));
    expect(lines(strFromU8(zip[`${base}routing.jsonl`]))).toEqual(lines(disk('routing.jsonl')));
    expect(JSON.parse(strFromU8(zip[`${base}spec.json`]))).toEqual(JSON.parse(disk('spec.json')));
    expect(JSON.parse(strFromU8(zip[`${base}summary.json`]))).toEqual(JSON.parse(disk('summary.json')));
    expect(strFromU8(zip[`${base}summary.md`])).toBe(disk('summary.md'));
    expect(JSON.parse(strFromU8(zip[`${base}probes/4.json`]))).toEqual(JSON.parse(disk('probes/4.json')));
    expect(strFromU8(zip[`${base}loss.svg`])).toMatch(/^<svg|^<\?xml/);
    expect(JSON.parse(strFromU8(zip['manifest.json']))).toEqual(manifest);
    expect(manifest.runs).toHaveLength(1);
    expect(manifest.runs[0]).toMatchObject({ id: data.id, name: 'zip-me' });
    expect([...manifest.runs[0].files].sort()).toEqual(names.filter((n) => n.startsWith(base)));
  });

  it('adds the checkpoints only when asked, byte for byte', () => {
    const withCkpt = readBack(dir, true);
    expect(withCkpt.checkpoints.length).toBeGreaterThan(0);
    const meta = { notebook: 'nb', exportedAt: '2026-11-29T15:00:00.000Z', engineVersion: '0.1.0', checkpoints: true };
    const zip = unzipSync(zipRuns([withCkpt], meta).bytes);
    for (const c of withCkpt.checkpoints)
      expect(zip[`runs/${data.id}/checkpoints/${c.step}.safetensors`]).toEqual(c.bytes);
    expect(
      Object.keys(unzipSync(zipRuns([data], { ...meta, checkpoints: false }).bytes)).some((n) =>
        n.endsWith('.safetensors'),
      ),
    ).toBe(false);
  });

  it('writes a run without a summary (interrupted) as its spec and streams only', () => {
    const files = Object.keys(runFiles({ ...data, summary: null, probes: [] }));
    expect(files.sort()).toEqual([
      `runs/${data.id}/metrics.jsonl`,
      `runs/${data.id}/routing.jsonl`,
      `runs/${data.id}/spec.json`,
    ]);
    const empty = runFiles({ ...data, metrics: [], routing: [], summary: null, probes: [] });
    expect(strFromU8(empty[`runs/${data.id}/metrics.jsonl`])).toBe('');
  });
});

// exportPyTorch (issue 11 from the app): the Platform operation, through the web host's HTTP API and the renderer's
// web Platform, writes engine/node/export's folder into <workspace>/exports/<name>/ for an Experiment cell's spec or
// for a run of the workspace (with its newest checkpoint); names already taken get -2, -3; bad specs name the field;
// data files outside the workspace's data/ folder, unknown runs and bad names are refused; nothing leaves the
// workspace. The IPC side derives its channels from the same table (test/electron/main-security.test.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformApi, PyTorchExport } from '../../engine/contracts/platform';
import { PLATFORM_OPS } from '../../engine/contracts/platform';
import { runExperiment } from '../../engine/node/runner';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { createWebPlatform } from '../../renderer/platform/web';
import { op, startTestHost, tinySpecInput, type TestHost } from './helpers';

let host: TestHost;
let page: PlatformApi;

beforeAll(async () => {
  host = await startTestHost();
  page = createWebPlatform({ baseUrl: host.origin, token: host.token });
});
afterAll(async () => host?.close());

const exportsDir = () => path.join(host.wsDir, 'exports');
const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

describe('exportPyTorch', () => {
  it('is a Platform operation, answered over HTTP', () => {
    expect(Object.keys(PLATFORM_OPS)).toContain('exportPyTorch');
  });

  it("writes an Experiment cell's spec to exports/<name>/ and says what to run next", async () => {
    const r: PyTorchExport = await page.exportPyTorch({ spec: tinySpecInput(5) as Record<string, unknown> }, 'tiny');
    expect(r.name).toBe('tiny');
    expect(r.folder).toBe('exports/tiny');
    expect(r.path).toBe(path.join(exportsDir(), 'tiny'));
    expect(r.run).toBeNull();
    expect(r.command).toBe(`cd ${r.path} && python3 prepare_data.py && python3 train.py`);
    const files = fs.readdirSync(r.path).sort();
    for (const f of ['README.md', 'export.json', 'prepare_data.py', 'spec.json', 'switchhead', 'train.py'])
      expect(files).toContain(f);
    expect(readJson(path.join(r.path, 'spec.json'))).toEqual(parseSpec(tinySpecInput(5)));
    const manifest = readJson(path.join(r.path, 'export.json'));
    expect(manifest.from.kind).toBe('spec');
    expect(manifest.params).toBe(r.params);
    expect(fs.readFileSync(path.join(r.path, 'README.md'), 'utf8')).toContain(
      'an Experiment cell of the workbench app',
    );
    // no staging folder is left behind
    expect(fs.readdirSync(exportsDir()).filter((n) => n.startsWith('.tmp'))).toEqual([]);
  });

  it('gives a taken name the next free suffix, never overwriting an export', async () => {
    const before = fs.readFileSync(path.join(exportsDir(), 'tiny', 'spec.json'), 'utf8');
    const spec = { ...tinySpecInput(7), name: 'other' } as Record<string, unknown>;
    const second = await page.exportPyTorch({ spec }, 'tiny');
    const third = await page.exportPyTorch({ spec }, 'tiny');
    expect([second.name, third.name]).toEqual(['tiny-2', 'tiny-3']);
    expect(fs.readFileSync(path.join(exportsDir(), 'tiny', 'spec.json'), 'utf8')).toBe(before);
    expect(readJson(path.join(third.path, 'spec.json')).name).toBe('other');
  });

  it('exports a run of the workspace (the CLI wrote it) with its newest checkpoint, ready to --resume', async () => {
    const input: ExperimentSpecInput = {
      ...tinySpecInput(4),
      name: 'cli-run',
      log: { evalInterval: 2, evalBatches: 1, routingInterval: 2, probeInterval: 2, checkpointInterval: 2 },
    };
    const opts = { runsRoot: path.join(host.wsDir, 'runs'), progress: null, log: () => {}, handleSignals: false };
    const run = (await runExperiment({ spec: parseSpec(input), ...opts })).dir;
    const id = path.basename(run);
    const r = await page.exportPyTorch({ runId: id }, 'from-run');
    expect(r.run).toBe(`runs/${id}`);
    expect(r.checkpoint).toBe(`runs/${id}/checkpoints/4.safetensors`);
    expect(r.command).toBe(`cd ${r.path} && python3 prepare_data.py && python3 train.py --resume runs/${id}`);
    const carried = path.join(r.path, 'runs', id);
    for (const f of ['spec.json', 'metrics.jsonl', 'summary.json'])
      expect(fs.readFileSync(path.join(carried, f), 'utf8')).toBe(fs.readFileSync(path.join(run, f), 'utf8'));
    expect(readJson(path.join(r.path, 'export.json')).from).toEqual({ kind: 'run', value: run });
  });

  it("reads a text file from the workspace's data/ folder, and refuses one outside it", async () => {
    fs.writeFileSync(path.join(host.wsDir, 'data', 'notes.txt'), 'A little text to learn from. '.repeat(40));
    const withFile = (p: string) =>
      ({
        ...tinySpecInput(3),
        name: 'own text',
        data: { source: { kind: 'file', path: p }, tokenizer: { kind: 'byte' }, seqLen: 16, batchSize: 2 },
      }) as Record<string, unknown>;
    const r = await page.exportPyTorch({ spec: withFile('notes.txt') }, 'own-text');
    expect(fs.readFileSync(path.join(r.path, 'data', 'source', 'notes.txt'), 'utf8')).toMatch(/^A little text/);
    for (const bad of ['../notebooks/x.txt', '/etc/hostname']) {
      const res = await op(host, 'exportPyTorch', [{ spec: withFile(bad) }, 'escape']);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('OutsideWorkspace');
    }
    const missing = await op(host, 'exportPyTorch', [{ spec: withFile('none.txt') }, 'missing']);
    expect(missing.status).toBe(404);
    expect(fs.existsSync(path.join(exportsDir(), 'escape'))).toBe(false);
  });

  it('names what is wrong: a bad spec field, an unknown run, a bad name or target', async () => {
    const bad = { ...tinySpecInput(3), model: { ...tinySpecInput(3).model, dModel: -4 } };
    const spec = await op(host, 'exportPyTorch', [{ spec: bad }, 'bad']);
    expect(spec.status).toBe(400);
    expect(spec.body.error.message).toMatch(/model\.dModel/);
    const run = await op(host, 'exportPyTorch', [{ runId: 'no-such-run' }, 'x']);
    expect(run.status).toBe(404);
    expect(run.body.error.message).toMatch(/no-such-run/);
    for (const name of ['../out', 'a/b', '', '.hidden', 'x.']) {
      const res = await op(host, 'exportPyTorch', [{ spec: tinySpecInput(3) }, name]);
      expect(res.status, name).toBe(400);
      expect(res.body.error.name).toBe('InvalidRequest');
    }
    const both = await op(host, 'exportPyTorch', [{ runId: 'x', spec: {} }, 'both']);
    expect(both.status).toBe(400);
    expect(fs.readdirSync(exportsDir()).sort()).toEqual(['from-run', 'own-text', 'tiny', 'tiny-2', 'tiny-3']);
  });
});

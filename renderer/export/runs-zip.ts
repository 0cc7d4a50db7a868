// A notebook's runs as one zip (fflate): per run `runs/<id>/` with spec.json, metrics.jsonl, routing.jsonl,
// summary.json and summary.md (+ loss.svg) when the run ended, probes/<step>.json, and checkpoints/<step>.safetensors
// only when asked (they are large); `manifest.json` at the top says what is inside. The files are the run
// directory's (DESIGN 2.2) as the Platform reads them back: the same rows, one JSON object per line. Pure.
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { RunSpecFile, RunSummary } from '../../engine/contracts/run-files';
import { lossCurveSvg, summaryMarkdown } from '../../engine/run/summary';
import { ExperimentSpecSchema } from '../../engine/spec';

export interface RunData {
  id: string;
  specFile: unknown;
  summary: unknown | null;
  metrics: unknown[];
  routing: unknown[];
  probes: { step: number; report: unknown }[];
  checkpoints: { step: number; bytes: Uint8Array }[]; // empty unless checkpoints were asked for
}

export interface ZipManifest {
  format: 'switchhead-workbench-runs';
  version: 1;
  notebook: string;
  exportedAt: string;
  engineVersion: string;
  checkpoints: boolean;
  runs: { id: string; name: string | null; files: string[] }[];
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');

/** summary.md and loss.svg of an ended run, as the run recorder writes them (null when the files cannot tell). */
function summaryFiles(r: RunData): { md: string; svg: string } | null {
  const file = r.specFile as RunSpecFile | null;
  const s = r.summary as RunSummary | null;
  if (!file || !s || typeof s !== 'object') return null;
  const parsed = ExperimentSpecSchema.safeParse(file.spec);
  if (!parsed.success) return null;
  try {
    const md = summaryMarkdown({ ...file, spec: parsed.data }, s);
    const rows = r.metrics as { split?: string; step: number; loss?: number }[];
    const pts = (split: string) =>
      rows
        .filter((x) => x.split === split && typeof x.loss === 'number')
        .map((x) => [x.step, x.loss!] as [number, number]);
    return { md, svg: lossCurveSvg(parsed.data.name, pts('train'), pts('val')) };
  } catch {
    return null; // a summary from another version: summary.json alone says it all
  }
}

/** The files of one run, by path inside the zip. */
export function runFiles(r: RunData): Record<string, Uint8Array> {
  const base = `runs/${r.id}/`;
  const out: Record<string, Uint8Array> = {};
  const put = (name: string, data: string | Uint8Array) =>
    (out[base + name] = typeof data === 'string' ? strToU8(data) : data);
  put('spec.json', json(r.specFile));
  put('metrics.jsonl', jsonl(r.metrics));
  put('routing.jsonl', jsonl(r.routing));
  if (r.summary !== null && r.summary !== undefined) {
    put('summary.json', json(r.summary));
    const extra = summaryFiles(r);
    if (extra) {
      put('summary.md', extra.md);
      put('loss.svg', extra.svg);
    }
  }
  for (const p of r.probes) put(`probes/${p.step}.json`, json(p.report));
  for (const c of r.checkpoints) put(`checkpoints/${c.step}.safetensors`, c.bytes);
  return out;
}

/** The zip of the runs. Checkpoints are stored, not compressed (float weights do not shrink). */
export function zipRuns(
  runs: readonly RunData[],
  meta: { notebook: string; exportedAt: string; engineVersion: string; checkpoints: boolean },
): { bytes: Uint8Array; manifest: ZipManifest } {
  const files: Record<string, Uint8Array> = {};
  const manifest: ZipManifest = { format: 'switchhead-workbench-runs', version: 1, ...meta, runs: [] };
  for (const r of runs) {
    const f = runFiles(r);
    Object.assign(files, f);
    const name = (r.specFile as { spec?: { name?: unknown } } | null)?.spec?.name;
    manifest.runs.push({ id: r.id, name: typeof name === 'string' ? name : null, files: Object.keys(f) });
  }
  const zippable: Zippable = { 'manifest.json': strToU8(json(manifest)) };
  for (const [name, data] of Object.entries(files))
    zippable[name] = name.endsWith('.safetensors') ? [data, { level: 0 }] : data;
  return { bytes: zipSync(zippable, { level: 6, mtime: new Date(meta.exportedAt) }), manifest };
}

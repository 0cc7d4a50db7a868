// The notebook's exports, as actions (the top bar's Notebook menu and the Electron menu's `export-report` call
// these): the HTML report of the notebook as it is on screen, and the zip of its runs' files, read back through the
// Platform (spec, metrics, routing, summary, probes; checkpoints only when asked). Both are saved with
// Platform.saveExport (a download on the web, a save dialog in Electron). Problems are told as toasts.
import type { PlatformApi } from '../../engine/contracts/platform';
import { ENGINE_VERSION } from '../../engine/spec';
import { exportFileName } from '../charts/export-data';
import { saveExport } from '../charts/save';
import { cellRunIds, type CompareDoc } from '../cells/compare/compare-doc';
import { getPlatform } from '../platform/context';
import { getDoc } from '../state/notebook';
import { useFiles } from '../state/notebook-files';
import type { NotebookDoc } from '../state/notebook-schema';
import { viewActions } from '../state/view';
import { buildReport } from './report-collect';
import { zipRuns, type RunData } from './runs-zip';

/** Every run the notebook shows: its Experiment cells' runs, its Compare cells' runs, its Inspect cells' run. */
export function notebookRunIds(doc: NotebookDoc): string[] {
  const out: string[] = [];
  const add = (id: unknown) => typeof id === 'string' && !out.includes(id) && out.push(id);
  for (const id of doc.cellOrder) {
    const c = doc.cells[id];
    if (c.kind === 'experiment') c.runIds.forEach(add);
    else if (c.kind === 'compare') cellRunIds(c as CompareDoc, doc.cells).forEach(add);
    else if (c.kind === 'inspect') add(c.runId);
  }
  return out;
}

/** One run's files through the Platform. */
export async function readRunData(p: PlatformApi, id: string, checkpoints: boolean): Promise<RunData> {
  const r = await p.readRun(id, { metricsOffset: 0, routingOffset: 0 });
  const probes = await Promise.all(
    r.listing.probes.map(async (step) => ({ step, report: await p.readProbe(id, step) })),
  );
  const ckpts = checkpoints
    ? await Promise.all(r.listing.checkpoints.map(async (step) => ({ step, bytes: await p.readCheckpoint(id, step) })))
    : [];
  return {
    id,
    specFile: r.specFile,
    summary: r.summary,
    metrics: r.metrics,
    routing: r.routing,
    probes,
    checkpoints: ckpts,
  };
}

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const notebookName = () => useFiles.getState().current ?? 'notebook';

function told(saved: { saved: boolean; path: string | null }, what: string): void {
  if (saved.saved && saved.path) viewActions.toast(`${what} saved to ${saved.path}`);
}

/** The notebook as one self-contained HTML file. */
export async function exportReport(): Promise<void> {
  const name = notebookName();
  try {
    const html = await buildReport(getDoc(), name);
    told(await saveExport(exportFileName(name, 'html'), html, 'text/html'), 'Report');
  } catch (e) {
    viewActions.toast(`Could not export the report: ${errText(e)}`, { tone: 'error' });
  }
}

/** The notebook's runs as one zip (`checkpoints`: with their checkpoints, which can be large). */
export async function exportRunsZip(checkpoints = false): Promise<void> {
  const name = notebookName();
  const ids = notebookRunIds(getDoc());
  if (ids.length === 0) return void viewActions.toast('This notebook shows no runs yet: nothing to export.');
  try {
    const p = getPlatform();
    const runs: RunData[] = [];
    for (const id of ids) runs.push(await readRunData(p, id, checkpoints));
    const meta = { notebook: name, exportedAt: new Date().toISOString(), engineVersion: ENGINE_VERSION, checkpoints };
    const { bytes } = zipRuns(runs, meta);
    const file = exportFileName(`${name} runs`, 'zip');
    told(await saveExport(file, bytes, 'application/zip'), `${ids.length} run${ids.length === 1 ? '' : 's'}`);
  } catch (e) {
    viewActions.toast(`Could not export the runs: ${errText(e)}`, { tone: 'error' });
  }
}

// The paper's comparison at CPU scale in one click (issue 9; PRODUCT §2 idea 7): SwitchHead, its parameter-matched
// dense baseline and dense attention with SwitchHead's number of heads (experiments' REPRODUCTION presets: same
// seed, same data and data order), as three Experiment cells added above the Compare cell and queued through the
// run controller one after another; the Compare cell then shows exactly their runs (it follows those cells, so
// the runs join it as they start), overlaid against attention MACs.
import { presets, REPRODUCTION } from '../../../experiments/index';
import { presetTimings, STARTUP_S } from '../../../experiments/timing';
import { parseSpec } from '../../../engine/spec';
import { runActions } from '../../runs/actions';
import { notebookActions } from '../../state/notebook';
import type { CellId } from '../../state/notebook-schema';
import { viewActions } from '../../state/view';
import { newExperiment } from '../defaults';
import type { CompareDoc } from './compare-doc';

export const REPRODUCTION_PRESETS: string[] = [
  REPRODUCTION.switchhead,
  REPRODUCTION.dense,
  REPRODUCTION.denseSameHeads,
];

/** Expected wall time of the three runs one after another on this kind of machine (seconds; null: not timed). */
export function reproductionSeconds(): number | null {
  let total = 0;
  for (const name of REPRODUCTION_PRESETS) {
    const t = presetTimings[name];
    if (!t) return null;
    const spec = parseSpec(presets[name].spec);
    const evals = Math.floor(spec.train.steps / spec.log.evalInterval) + 1;
    total += STARTUP_S + (spec.train.steps * t.stepMs + evals * t.evalMs) / 1000;
  }
  return total;
}

/** What the three runs share (the comparison is fair only if this holds). */
export function sharedSetup(): string {
  const specs = REPRODUCTION_PRESETS.map((n) => parseSpec(presets[n].spec));
  const seeds = new Set(specs.map((s) => s.train.seed));
  const data = new Set(specs.map((s) => JSON.stringify(s.data)));
  const steps = new Set(specs.map((s) => s.train.steps));
  const same = seeds.size === 1 && data.size === 1 && steps.size === 1;
  return same
    ? `seed ${specs[0].train.seed}, the same data and data order, ${specs[0].train.steps} steps each`
    : 'the presets differ in seed, data or steps';
}

/** Add the three Experiment cells above `compareId`, queue their runs, and make the Compare cell follow them. */
export async function setUpReproduction(compareId: CellId, confirm = true): Promise<CellId[] | null> {
  if (confirm) {
    const s = reproductionSeconds();
    const time = s === null ? '' : ` They take about ${Math.round(s / 60)} minutes one after another on a 2-core CPU.`;
    const ok = await viewActions.confirm(
      'Set up the paper’s comparison?',
      `Three Experiment cells are added above (${REPRODUCTION_PRESETS.join(', ')}: ${sharedSetup()}) and their ` +
        `runs are queued.${time} This Compare cell shows them against attention MACs as they train.`,
      'Queue 3 runs',
    );
    if (!ok) return null;
  }
  const cells: CellId[] = [];
  for (const preset of REPRODUCTION_PRESETS) {
    const id = notebookActions.add(newExperiment(preset), compareId, 'above');
    if (!id) return null; // read-only notebook
    cells.push(id);
  }
  notebookActions.update<CompareDoc>(compareId, {
    runIds: [], // the comparison is these three runs (the cell's earlier runs stay in the workspace)
    hidden: [],
    colors: {},
    colorBy: 'run',
    filter: '',
    followCells: cells,
    xAxis: 'macs',
    yMetric: 'val.loss',
    sort: { column: 'valLoss', dir: 'asc' },
  } as Partial<CompareDoc>);
  for (const id of cells) runActions.run(id);
  viewActions.focusCell(compareId);
  return cells;
}

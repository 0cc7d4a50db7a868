// Routing reports (one per logged step: per layer and side, per head, usage share of each expert, entropy, dead
// fraction) turned into columns for one (layer, side, head): what the routing panel draws. Expert identity is kept:
// column e is expert e at every step, never sorted. Pure; no DOM.
import type { RoutingReport, SideStats } from './report-types';

export type RoutingSide = SideStats['side'];

export interface RoutingSlot {
  layer: number;
  side: RoutingSide;
  usedBy: string[]; // the projections this selection serves (["V"], ["Q", "O"])
  nHeads: number;
  nExperts: number;
}

/** Which (layer, side) selections the reports hold (from the newest report), in layer then side order. */
export function routingSlots(reports: readonly RoutingReport[]): RoutingSlot[] {
  const last = reports.at(-1);
  if (!last) return [];
  const order: Record<RoutingSide, number> = { src: 0, dst: 1, mlp: 2 };
  return last.sides
    .map((s) => ({
      layer: s.layer,
      side: s.side,
      usedBy: s.usedBy,
      nHeads: s.heads.length,
      nExperts: s.heads[0]?.share.length ?? 0,
    }))
    .sort((a, b) => a.layer - b.layer || order[a.side] - order[b.side]);
}

/** "V" / "Q, O" / "MLP": how the picker names a side. */
export function sideLabel(slot: Pick<RoutingSlot, 'side' | 'usedBy'>): string {
  if (slot.side === 'mlp') return 'MLP experts';
  const proj = slot.usedBy.length ? slot.usedBy.join('') : slot.side === 'src' ? 'V' : 'O';
  return `${slot.side === 'src' ? 'source' : 'destination'} (${proj})`;
}

/** "V" / "QO" / "MLP": a side in a chart title. */
export function sideShort(slot: Pick<RoutingSlot, 'side' | 'usedBy'>): string {
  if (slot.side === 'mlp') return 'MLP';
  return slot.usedBy.length ? slot.usedBy.join('') : slot.side === 'src' ? 'V' : 'O';
}

export interface RoutingColumns {
  n: number;
  nExperts: number;
  step: Float64Array;
  tokens: Float64Array;
  share: Float64Array[]; // [E] columns of length n: usage share of expert e (NaN when the row lacks the slot)
  meanGate: Float64Array[];
  entropy: Float64Array; // normalised usage entropy, 1 = uniform
  dead: Float64Array; // fraction of experts never selected in the interval
}

/** Columns of one (layer, side, head) over all reports; rows lacking it are NaN (a gap), never dropped. */
export function routingColumns(
  reports: readonly RoutingReport[],
  layer: number,
  side: RoutingSide,
  head: number,
): RoutingColumns {
  const n = reports.length;
  let E = 0;
  for (let i = n - 1; i >= 0 && E === 0; i--) {
    const h = findHead(reports[i], layer, side, head);
    if (h) E = h.share.length;
  }
  const cols: RoutingColumns = {
    n,
    nExperts: E,
    step: new Float64Array(n),
    tokens: new Float64Array(n),
    share: Array.from({ length: E }, () => new Float64Array(n)),
    meanGate: Array.from({ length: E }, () => new Float64Array(n)),
    entropy: new Float64Array(n),
    dead: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = reports[i];
    cols.step[i] = r.step;
    cols.tokens[i] = r.tokens;
    const h = findHead(r, layer, side, head);
    cols.entropy[i] = h ? h.entropy : NaN;
    cols.dead[i] = h ? h.deadFraction : NaN;
    for (let e = 0; e < E; e++) {
      cols.share[e][i] = h && e < h.share.length ? h.share[e] : NaN;
      cols.meanGate[e][i] = h && e < h.meanGate.length ? h.meanGate[e] : NaN;
    }
  }
  return cols;
}

function findHead(r: RoutingReport, layer: number, side: RoutingSide, head: number) {
  const s = r.sides.find((x) => x.layer === layer && x.side === side);
  return s?.heads.find((h) => h.head === head) ?? s?.heads[head];
}

/** Map steps to another training column by the nearest training row at or before each step (e.g. wall time). */
export function lookupByStep(
  steps: ArrayLike<number>,
  trainSteps: ArrayLike<number>,
  trainCol: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(steps.length);
  let j = 0;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    while (j + 1 < trainSteps.length && trainSteps[j + 1] <= s) j++;
    out[i] = trainSteps.length > 0 && trainSteps[j] <= s ? trainCol[j] : NaN;
  }
  return out;
}

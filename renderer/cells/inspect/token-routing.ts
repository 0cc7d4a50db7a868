// One token's routing in every layer and head (the hover readout: "L0 h1 V{1,3} O{0,2}" with gates), and names for
// the sides from the model's spec (which projections a selection serves). Pure.
import type { ProbeReport, SelectionSide } from '../../../engine/contracts/reports';
import { groupOf } from './lens-data';

export interface SideNames {
  src: string; // e.g. "V" (SwitchHead default), "KV"
  dst: string; // e.g. "O", "QO"; MoA: "heads"
  mlp: string;
}

interface AttentionLike {
  kind?: string;
  moe?: { q?: boolean; k?: boolean; v?: boolean; o?: boolean };
}

/** The projections each side's selection serves, from spec.model.attention (defaults: V and O). */
export function sideNames(attention: AttentionLike | undefined): SideNames {
  if (attention?.kind === 'moa') return { src: 'src', dst: 'heads', mlp: 'MLP' };
  const m = { q: false, k: false, v: true, o: true, ...(attention?.moe ?? {}) };
  const src = `${m.k ? 'K' : ''}${m.v ? 'V' : ''}` || 'src';
  const dst = `${m.q ? 'Q' : ''}${m.o ? 'O' : ''}` || 'dst';
  return { src, dst, mlp: 'MLP' };
}

export interface SidePick {
  side: SelectionSide;
  name: string;
  experts: number[];
  gates: number[];
}

export interface HeadRouting {
  head: number;
  picks: SidePick[]; // src, dst in that order (those the layer has)
}

export interface LayerRouting {
  layer: number;
  heads: HeadRouting[];
  mlp: SidePick | null;
}

/** Token t's chosen experts and gates in every layer, head and side of the probe. */
export function tokenRouting(report: ProbeReport, t: number, names: SideNames): LayerRouting[] {
  return report.layers.map((l, layer) => {
    const pick = (side: SelectionSide, head: number): SidePick | null => {
      const sel = l[side];
      if (!sel?.idx[t]) return null;
      const g = groupOf(sel, head);
      return { side, name: names[side], experts: sel.idx[t][g], gates: sel.gates[t][g] };
    };
    const heads = l.attention.map((_, head) => ({
      head,
      picks: (['src', 'dst'] as const).map((s) => pick(s, head)).filter((p): p is SidePick => p !== null),
    }));
    return { layer, heads, mlp: pick('mlp', 0) };
  });
}

/** "V{1,3}" */
export const pickText = (p: SidePick): string => `${p.name}{${p.experts.join(',')}}`;

/** "0.91 0.73" */
export const gatesText = (p: SidePick): string => p.gates.map((g) => g.toFixed(2)).join(' ');

/** The whole readout of one token in one line: "L0 h0 V{1,3} O{0,2} · L0 h1 ... · L0 MLP{2,5}". */
export function routingLine(layers: LayerRouting[]): string {
  const parts: string[] = [];
  for (const l of layers) {
    for (const h of l.heads)
      if (h.picks.length) parts.push(`L${l.layer} h${h.head} ${h.picks.map(pickText).join(' ')}`);
    if (l.mlp) parts.push(`L${l.layer} ${pickText(l.mlp)}`);
  }
  return parts.join(' · ');
}

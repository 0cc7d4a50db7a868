// The lens's figures as export models (GridFigure): the attention matrix of the shown layer and head and each
// selection heatmap in the orientation the lens draws it. Pure.
import type { ProbeReport, SelectionSide } from '../../../engine/contracts/reports';
import { ATTENTION_TICKS, GATE_TICKS, type LensColors } from './lens-colors';
import type { GridFigure } from './lens-export';
import { attentionGrid, selectionGrid, transposed, transposedMask } from './lens-data';
import { displayTokens } from './token-display';
import type { SideNames } from './token-routing';

export interface FigureContext {
  report: ProbeReport;
  layer: number;
  head: number;
  names: SideNames;
  colors: LensColors;
  run: string;
  counterfactual: boolean;
}

const expertLabels = (E: number) => Array.from({ length: E }, (_, e) => `e${e}`);

function base(c: FigureContext): Pick<GridFigure, 'colors' | 'meta'> {
  return {
    colors: {
      text: c.colors.text,
      muted: c.colors.muted,
      surface: c.colors.surface,
      outline: c.colors.outline,
      font: c.colors.font,
    },
    meta: {
      run: c.run,
      step: c.report.step,
      text: c.report.text,
      layer: c.layer,
      head: c.head,
      counterfactual: c.counterfactual ? 'yes' : 'no',
    },
  };
}

const suffix = (c: FigureContext) => `${c.report.step}${c.counterfactual ? '-counterfactual' : ''}`;

export function attentionFigure(c: FigureContext): GridFigure | null {
  const values = attentionGrid(c.report, c.layer, c.head);
  if (!values) return null;
  const tokens = displayTokens(c.report.tokens);
  return {
    ...base(c),
    title: `Attention, layer ${c.layer} head ${c.head} (step ${c.report.step}${c.counterfactual ? ', counterfactual' : ''})`,
    fileBase: `attention-L${c.layer}-h${c.head}-step${suffix(c)}`,
    rows: tokens.length,
    cols: tokens.length,
    values,
    outlines: null,
    rowLabels: tokens,
    colLabels: tokens,
    rowName: 'query',
    colName: 'key',
    valueName: 'weight',
    lut: c.colors.attention,
    transfer: c.colors.attentionTransfer,
    ticks: ATTENTION_TICKS,
  };
}

/** The source side is drawn expert-major (rows = experts, one column per key); the others token-major. */
export function selectionFigure(c: FigureContext, side: SelectionSide): GridFigure | null {
  const g = selectionGrid(c.report, c.layer, side, c.head);
  if (!g) return null;
  const tokens = displayTokens(c.report.tokens);
  const experts = expertLabels(g.E);
  const name = c.names[side];
  const headPart = side === 'mlp' ? '' : ` head ${c.head}`;
  const common = {
    ...base(c),
    title: `${name} experts (${side}), layer ${c.layer}${headPart} (step ${c.report.step}${c.counterfactual ? ', counterfactual' : ''})`,
    fileBase: `${side}-experts-L${c.layer}${side === 'mlp' ? '' : `-h${c.head}`}-step${suffix(c)}`,
    valueName: 'gate',
    lut: c.colors.gate,
    transfer: c.colors.gateTransfer,
    ticks: GATE_TICKS,
  };
  common.meta = { ...common.meta, side, k: g.k };
  if (side === 'src')
    return {
      ...common,
      rows: g.E,
      cols: g.T,
      values: transposed(g.scores, g.T, g.E),
      outlines: transposedMask(g.chosen, g.T, g.E),
      rowLabels: experts,
      colLabels: tokens,
      rowName: 'expert',
      colName: 'token',
    };
  return {
    ...common,
    rows: g.T,
    cols: g.E,
    values: g.scores,
    outlines: g.chosen,
    rowLabels: tokens,
    colLabels: experts,
    rowName: 'token',
    colName: 'expert',
  };
}

// The routing lens for one probe, layer and head (UI-SKETCH "The routing lens"): the attention matrix [T queries x
// T keys] in the centre; the destination-side (Q/O) and σ-MoE MLP selections right of it, one row per query token;
// the source-side (K/V) selection under it, one column per key token: every token axis shares one cell size, so rows
// and columns line up. Gates are one sequential scale, attention another hue; chosen top-k cells are outlined (and,
// under counterfactual routing, cells the choice moved away from are outlined dashed). Redraws only when the report,
// layer, head, width or theme change; hovering moves two bands per heatmap and nothing else.
import { memo, useCallback, useMemo } from 'react';
import type { ProbeReport, SelectionSide } from '../../../engine/contracts/reports';
import { AxisLabels } from '../../canvas/axis-labels';
import { ColorLegend } from '../../canvas/color-legend';
import { Heatmap, type Band } from '../../canvas/heatmap';
import type { PointerStore } from '../../canvas/highlight';
import type { GridCell } from '../../canvas/hit-test';
import { ChosenTables } from './chosen-table';
import { ExportMenu } from './export-menu';
import { attentionFigure, selectionFigure, type FigureContext } from './lens-figures';
import { ATTENTION_TICKS, GATE_TICKS, type LensColors } from './lens-colors';
import { attentionGrid, movedFrom, selectionGrid, transposed, transposedMask, type SelectionGrid } from './lens-data';
import { lensGeometry } from './lens-layout';
import type { LensHover } from './lens-state';
import { displayTokens } from './token-display';
import type { SideNames } from './token-routing';

export interface PickedCell {
  side: SelectionSide;
  token: number;
  expert: number;
  x: number; // client coordinates of the click (where the menu opens)
  y: number;
}

export interface LensViewProps {
  report: ProbeReport;
  /** The same probe without interventions (for the dashed "chosen before" outlines); null: none. */
  baseline: ProbeReport | null;
  layer: number;
  head: number;
  width: number;
  names: SideNames;
  colors: LensColors;
  hover: PointerStore<LensHover>;
  onPick: (cell: PickedCell) => void;
  exportRun: string; // the run id, named in exported files
}

const bandBoth = (v: LensHover): Band => v;
const bandRow = (v: LensHover): Band => ({ row: v.row, col: null });
const bandCol = (v: LensHover): Band => ({ row: null, col: v.col });
const expertNames = (E: number) => Array.from({ length: E }, (_, e) => `e${e}`);

const CAPTION_H = 16;

export const LensView = memo(function LensView(p: LensViewProps) {
  const { report, baseline, layer, head, width, names, colors, hover, onPick, exportRun } = p;
  const tokens = useMemo(() => displayTokens(report.tokens), [report]);
  const T = tokens.length;
  const att = attentionGrid(report, layer, head);
  const src = selectionGrid(report, layer, 'src', head);
  const right = (['dst', 'mlp'] as const)
    .map((s) => selectionGrid(report, layer, s, head))
    .filter((g): g is SelectionGrid => g !== null);
  const maxChars = useMemo(() => Math.max(1, ...tokens.map((t) => [...t].length)), [tokens]);
  const geo = lensGeometry(
    width,
    T,
    right.map((g) => g.E),
    src?.E ?? null,
    maxChars,
  );
  const { cell, expertCell: ec, labelDepth: depth } = geo;

  const srcImage = useMemo(() => (src ? transposed(src.scores, src.T, src.E) : null), [src]);
  const srcMask = useMemo(() => (src ? transposedMask(src.chosen, src.T, src.E) : null), [src]);
  const ghosts = (side: SelectionSide, g: SelectionGrid | null) =>
    baseline ? movedFrom(selectionGrid(baseline, layer, side, head), g) : null;
  const srcGhost = useMemo(() => {
    const m = baseline && src ? movedFrom(selectionGrid(baseline, layer, 'src', head), src) : null;
    return m && src ? transposedMask(m, src.T, src.E) : null;
  }, [baseline, src, layer, head]);

  const hoverCell = useCallback((c: GridCell | null) => c && hover.set({ row: c.row, col: c.col }), [hover]);
  const hoverRow = useCallback((c: GridCell | null) => c && hover.set({ row: c.row, col: c.row }), [hover]);
  const hoverCol = useCallback((c: GridCell | null) => c && hover.set({ row: c.col, col: c.col }), [hover]);
  const highlight = useMemo(
    () => ({
      both: { store: hover, select: bandBoth },
      row: { store: hover, select: bandRow },
      col: { store: hover, select: bandCol },
    }),
    [hover],
  );

  if (!att)
    return (
      <p className="callout">
        This probe has no attention map for layer {layer}, head {head}.
      </p>
    );
  const columns = [`${depth}px`, `${T * cell}px`, ...right.flatMap((g) => ['12px', `${g.E * ec}px`])].join(' ');
  const rows = [`${depth}px`, `${T * cell}px`, ...(src ? [`${CAPTION_H + 4}px`, `${src.E * ec}px`] : [])].join(' ');
  const where = `layer ${layer} head ${head}`;
  const common = {
    lut: colors.gate,
    transfer: colors.gateTransfer,
    outlineColor: colors.outline,
    outlineInner: colors.outlineInner,
  };
  const sel = (g: SelectionGrid) => ({ side: g.side, k: g.k, experts: g.E, layer, head: g.group });

  const fig: FigureContext = {
    report,
    layer,
    head,
    names,
    colors,
    run: exportRun,
    counterfactual: !!report.interventions,
  };
  return (
    <div className="lens-body">
      <div className="lens-exports" role="toolbar" aria-label="Export figures">
        <ExportMenu what="attention matrix" figure={() => attentionFigure(fig)} />
        {[src, ...right].map(
          (g) =>
            g && (
              <ExportMenu key={g.side} what={`${names[g.side]} experts`} figure={() => selectionFigure(fig, g.side)} />
            ),
        )}
      </div>
      <div className="lens-grid" style={{ gridTemplateColumns: columns, gridTemplateRows: rows }}>
        <div className="lens-corner" style={{ gridRow: 1, gridColumn: 1 }} aria-hidden="true">
          <span>key →</span>
          <span>query ↓</span>
        </div>
        <div style={{ gridRow: 1, gridColumn: 2, alignSelf: 'end' }}>
          <AxisLabels labels={tokens} side="top" cell={cell} depth={depth} color={colors.text} font={colors.mono} />
        </div>
        <div style={{ gridRow: 2, gridColumn: 1 }}>
          <AxisLabels labels={tokens} side="left" cell={cell} depth={depth} color={colors.text} font={colors.mono} />
        </div>
        <div style={{ gridRow: 2, gridColumn: 2 }}>
          <Heatmap
            label={`Attention weights, ${where}`}
            rows={T}
            cols={T}
            values={att}
            lut={colors.attention}
            transfer={colors.attentionTransfer}
            cellW={cell}
            cellH={cell}
            outlineColor={colors.outline}
            outlineInner={colors.outlineInner}
            highlight={highlight.both}
            onHover={hoverCell}
            data={{ figure: 'attention', layer, head }}
          />
        </div>
        {right.map((g, i) => (
          <RightColumn key={g.side} i={i} g={g} depth={depth} ec={ec} names={names} colors={colors} />
        ))}
        {right.map((g, i) => (
          <div key={g.side} style={{ gridRow: 2, gridColumn: 4 + 2 * i }}>
            <Heatmap
              {...common}
              label={`${names[g.side]} expert selection (${g.side === 'mlp' ? 'MLP' : 'destination'}, one row per query token), ${where}`}
              rows={T}
              cols={g.E}
              values={g.scores}
              cellW={ec}
              cellH={cell}
              outlines={g.chosen}
              ghosts={ghosts(g.side, g)}
              highlight={highlight.row}
              onHover={hoverRow}
              onPick={(c, at) => onPick({ side: g.side, token: c.row, expert: c.col, ...at })}
              data={{ figure: 'selection', ...sel(g) }}
            />
          </div>
        ))}
        {src && srcImage && (
          <>
            <div className="lens-caption" style={{ gridRow: 3, gridColumn: 2 }}>
              {names.src} experts (source side: one column per key token) ↓
            </div>
            <div style={{ gridRow: 4, gridColumn: 1 }}>
              <AxisLabels
                labels={expertNames(src.E)}
                side="left"
                cell={ec}
                depth={depth}
                color={colors.text}
                font={colors.mono}
              />
            </div>
            <div style={{ gridRow: 4, gridColumn: 2 }}>
              <Heatmap
                {...common}
                label={`${names.src} expert selection (source, one column per key token), ${where}`}
                rows={src.E}
                cols={T}
                values={srcImage}
                cellW={cell}
                cellH={ec}
                outlines={srcMask}
                ghosts={srcGhost}
                highlight={highlight.col}
                onHover={hoverCol}
                onPick={(c, at) => onPick({ side: 'src', token: c.col, expert: c.row, ...at })}
                data={{ figure: 'selection', ...sel(src) }}
              />
            </div>
          </>
        )}
      </div>
      <div className="lens-legends">
        <ColorLegend
          title="attention weight"
          lut={colors.attention}
          transfer={colors.attentionTransfer}
          ticks={ATTENTION_TICKS}
        />
        {(src || right.length > 0) && (
          <>
            <ColorLegend title="gate σ(score)" lut={colors.gate} transfer={colors.gateTransfer} ticks={GATE_TICKS} />
            <span className="lens-key">
              <span className="lens-key-box" aria-hidden="true" /> chosen (top-k)
              {baseline && (
                <>
                  <span className="lens-key-box lens-key-dashed" aria-hidden="true" /> chosen before the intervention
                </>
              )}
            </span>
          </>
        )}
      </div>
      {!src && right.length === 0 && (
        <p className="lens-note">
          Layer {layer} selects no experts (dense attention, dense MLP): there is no expert selection to show, only the
          attention.
        </p>
      )}
      {names.dst === 'heads' && (
        <p className="lens-note">
          MoA: head h is the h-th of the k heads each token runs; the router (one row per query token) picks those k of
          the E heads.
        </p>
      )}
      <ChosenTables
        grids={[src, ...right].filter((g): g is SelectionGrid => g !== null)}
        tokens={tokens}
        names={names}
        where={where}
      />
    </div>
  );
});

function RightColumn(p: {
  i: number;
  g: SelectionGrid;
  depth: number;
  ec: number;
  names: SideNames;
  colors: LensColors;
}) {
  const { g, depth, ec, colors } = p;
  return (
    <div className="lens-right-head" style={{ gridRow: 1, gridColumn: 4 + 2 * p.i }}>
      <span className="lens-caption" title={g.side === 'mlp' ? 'σ-MoE MLP experts' : 'destination side (per query)'}>
        {g.side === 'dst' && p.names.dst === 'heads' ? 'heads' : `${p.names[g.side]} experts`}
      </span>
      <AxisLabels
        labels={expertNames(g.E)}
        side="top"
        cell={ec}
        depth={depth - CAPTION_H}
        color={colors.text}
        font={colors.mono}
      />
    </div>
  );
}

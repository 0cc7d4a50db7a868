// A chart's small toolbar: x-axis choice, log x, log y, smoothing (with its value), export. Every control
// has an accessible name; the chart's figure is named by its title, so tests find "X axis" inside figure "loss".
import { memo, useId } from 'react';
import { MenuButton } from '../app/menu';
import type { ChartView } from './chart-model';
import { X_AXES, xAxisChoice, type XAxisKind } from './x-axis';

export interface ToolbarControls {
  xAxis?: boolean;
  logX?: boolean;
  logY?: boolean;
  smoothing?: boolean;
}

export type ExportKind = 'svg' | 'png' | 'csv' | 'json';

/** The export formats of a figure, in menu order (the charts' and the lens's export menus). */
export const EXPORT_FORMATS: { kind: ExportKind; label: string }[] = [
  { kind: 'svg', label: 'SVG' },
  { kind: 'png', label: 'PNG (2×)' },
  { kind: 'csv', label: 'CSV data' },
  { kind: 'json', label: 'JSON data' },
];

interface ToolbarProps {
  view: ChartView;
  onViewChange: (patch: Partial<ChartView>) => void;
  controls: ToolbarControls;
  onExport: (kind: ExportKind) => void;
  macsAvailable: boolean; // the MACs axis needs a spec: without one the option is disabled
}

export const ChartToolbar = memo(function ChartToolbar(p: ToolbarProps) {
  const { view, controls } = p;
  return (
    <div className="swc-toolbar" role="toolbar" aria-label="Chart settings">
      {controls.xAxis !== false && (
        <select
          aria-label="X axis"
          title={xAxisChoice(view.xAxis).description}
          value={view.xAxis}
          onChange={(e) => p.onViewChange({ xAxis: e.target.value as XAxisKind })}
        >
          {X_AXES.map((a) => (
            <option key={a.kind} value={a.kind} title={a.description} disabled={a.kind === 'macs' && !p.macsAvailable}>
              x: {a.short}
            </option>
          ))}
        </select>
      )}
      {controls.logX !== false && (
        <label title="Logarithmic x axis (values ≤ 0 are left out)">
          <input type="checkbox" checked={view.logX} onChange={(e) => p.onViewChange({ logX: e.target.checked })} />
          log x
        </label>
      )}
      {controls.logY !== false && (
        <label title="Logarithmic y axis (values ≤ 0 are left out)">
          <input type="checkbox" checked={view.logY} onChange={(e) => p.onViewChange({ logY: e.target.checked })} />
          log y
        </label>
      )}
      {controls.smoothing !== false && <SmoothingSlider value={view.smoothing} onChange={p.onViewChange} />}
      <ExportMenu onExport={p.onExport} />
    </div>
  );
});

function SmoothingSlider({ value, onChange }: { value: number; onChange: (p: Partial<ChartView>) => void }) {
  const id = useId();
  return (
    <label title="Debiased exponential moving average (TensorBoard's); the raw values stay, drawn faint">
      smooth
      <input
        id={id}
        type="range"
        aria-label="Smoothing"
        min={0}
        max={0.99}
        step={0.01}
        value={value}
        onChange={(e) => onChange({ smoothing: Number(e.target.value) })}
      />
      <output htmlFor={id} aria-label="Smoothing value">
        {value.toFixed(2)}
      </output>
    </label>
  );
}

function ExportMenu({ onExport }: { onExport: (k: ExportKind) => void }) {
  return (
    <MenuButton
      label="Export"
      items={EXPORT_FORMATS.map((f) => ({ label: f.label, run: () => onExport(f.kind) }))}
      title="Export the figure (SVG, PNG) or its data (CSV, JSON: raw and smoothed)"
    >
      Export
    </MenuButton>
  );
}

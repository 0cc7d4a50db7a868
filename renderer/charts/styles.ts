// Styles of charts and panels, injected once into the document (so the components work the same in the app's Vite
// bundle and in standalone test pages). Colours come from the theme's variables (renderer/styles/theme.css names:
// --text, --text-2, --surface, --border, --accent, --focus; the shorter --fg / --fg-muted also work), with fallbacks.

const CSS = `
.swc-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); gap: 12px; }
.swc-chart { margin: 0; min-width: 0; display: flex; flex-direction: column; background: var(--surface, #fff);
  border: 1px solid var(--border, #d9dce2); border-radius: 8px; padding: 8px 10px 8px; color: var(--fg, var(--text, #1d2129));
  font-family: var(--font-sans, var(--font-ui, system-ui, sans-serif)); font-size: 12px; font-variant-numeric: tabular-nums; }
.swc-head { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; min-height: 26px; }
.swc-title { font-weight: 600; font-size: 13px; margin-right: auto; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; max-width: 100%; }
.swc-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 8px; color: var(--fg-muted, var(--text-2, #5b6270)); }
.swc-toolbar label { display: inline-flex; align-items: center; gap: 3px; white-space: nowrap; cursor: pointer; }
.swc-toolbar select, .swc-toolbar button { font: inherit; color: var(--fg, var(--text, #1d2129));
  background: var(--surface, #fff); border: 1px solid var(--border, #d9dce2); border-radius: 5px; padding: 1px 6px;
  min-height: 22px; cursor: pointer; }
.swc-toolbar button:hover { border-color: var(--accent, #2f6fde); }
.swc-toolbar :focus-visible, .swc-body:focus-visible { outline: 2px solid var(--focus, var(--accent, #2f6fde));
  outline-offset: 1px; }
.swc-toolbar input[type=checkbox] { margin: 0; accent-color: var(--accent, #2f6fde); }
.swc-toolbar input[type=range] { width: 72px; accent-color: var(--accent, #2f6fde); }
.swc-toolbar output { font-family: var(--font-mono, ui-monospace, monospace); min-width: 2.6em; color: var(--fg, var(--text, #1d2129)); }
.swc-body { position: relative; width: 100%; min-height: 120px; touch-action: pan-y; }
.swc-body svg { display: block; overflow: visible; }
.swc-reset { position: absolute; z-index: 5; font: inherit; font-size: 11px; color: var(--fg, var(--text, #1d2129));
  background: var(--surface, #fff); border: 1px solid var(--border, #d9dce2); border-radius: 5px; padding: 1px 6px;
  cursor: pointer; }
.swc-reset:focus-visible { outline: 2px solid var(--focus, var(--accent, #2f6fde)); }
.swc-empty { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  text-align: center; padding: 12px; color: var(--fg-muted, var(--text-2, #5b6270)); font-size: 12px; }
.swc-hover { position: absolute; inset: 0; cursor: crosshair; }
.swc-cursor { position: absolute; top: 0; width: 1px; background: var(--fg-muted, var(--text-2, #5b6270)); opacity: .5;
  pointer-events: none; }
.swc-zoom { position: absolute; top: 0; background: var(--accent, #2f6fde); opacity: .12; pointer-events: none; }
.swc-readout { position: absolute; z-index: 10; pointer-events: none; background: var(--surface, #fff);
  border: 1px solid var(--border, #d9dce2); border-radius: 6px; padding: 4px 7px; box-shadow: 0 2px 8px rgba(0,0,0,.15);
  font-size: 11px; line-height: 1.45; white-space: nowrap; }
.swc-readout .swc-rx { color: var(--fg-muted, var(--text-2, #5b6270)); }
.swc-readout .swc-rv { font-family: var(--font-mono, ui-monospace, monospace); }
.swc-swatch { display: inline-block; width: 14px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 4px; }
.swc-swatch.swc-area { height: 8px; border: 0; border-radius: 2px; }
.swc-legend { display: flex; flex-wrap: wrap; gap: 2px 12px; margin-top: 4px; color: var(--fg, var(--text, #1d2129)); min-width: 0; }
.swc-legend span { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%; }
.swc-xlabel { text-align: center; color: var(--fg-muted, var(--text-2, #5b6270)); font-size: 11px; margin-top: -2px; }
.swc-notes { margin: 3px 0 0; color: var(--fg-muted, var(--text-2, #5b6270)); font-size: 11px; }
.swc-panel-wide { grid-column: 1 / -1; }
.swc-picker { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; color: var(--fg-muted, var(--text-2, #5b6270)); }
.swc-panel-note { grid-column: 1 / -1; color: var(--fg-muted, var(--text-2, #5b6270)); font-size: 12px; margin: 0;
  padding: 10px 12px; border: 1px dashed var(--border, #d9dce2); border-radius: 8px; }
.swc-stats { display: flex; flex-wrap: wrap; gap: 2px 12px; margin-top: 4px; font-size: 11px; color: var(--fg-muted, var(--text-2, #5b6270)); }
.swc-stats b { color: var(--fg, var(--text, #1d2129)); font-weight: 600; font-family: var(--font-mono, ui-monospace, monospace); }
`;

let injected = false;

/** Add the chart styles to the document (once). */
export function ensureChartStyles(): void {
  if (injected || typeof document === 'undefined') return;
  injected = true;
  const style = document.createElement('style');
  style.dataset.owner = 'switchhead-charts';
  style.textContent = CSS;
  document.head.appendChild(style);
}

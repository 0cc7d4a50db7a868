// Styles of the routing-health panels and the export figures, injected once (like charts/styles.ts, so they work in
// the app's bundle and in standalone test pages). Colours from the theme's variables, with fallbacks.

const CSS = `
.hx-header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 12px; }
.hx-muted { color: var(--fg-muted, var(--text-2, #5b6270)); font-size: 12px; }
.hx-badges { display: flex; flex-wrap: wrap; gap: 4px 8px; list-style: none; margin: 0; padding: 0; flex-basis: 100%; }
.hx-badge { font-size: 12px; padding: 2px 8px; border-radius: 999px; border: 1px solid var(--border, #d9dce2); }
.hx-ok { color: var(--ok, #1f7a4d); }
.hx-warn { color: var(--warn, #8a4b00); background: var(--warn-bg, #fff3df); border-color: var(--warn-border, #f1c98a); font-weight: 600; }
.hx-body { min-width: 0; }
.hx-actions { display: inline-flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; color: var(--fg-muted, var(--text-2, #5b6270)); }
.hx-actions label { display: inline-flex; align-items: center; gap: 4px; }
.hx-actions select { font: inherit; color: var(--fg, var(--text, #1d2129)); background: var(--surface, #fff);
  border: 1px solid var(--border, #d9dce2); border-radius: 5px; padding: 1px 4px; }
.hx-actions input[type=range] { width: 110px; accent-color: var(--accent, #2f6fde); }
.hx-actions output { font-family: var(--font-mono, ui-monospace, monospace); min-width: 3em; color: var(--fg, var(--text, #1d2129)); }
.hx-cooc .hx-body { overflow-x: auto; }
`;

let injected = false;

export function ensureHealthStyles(): void {
  if (injected || typeof document === 'undefined') return;
  injected = true;
  const style = document.createElement('style');
  style.dataset.owner = 'switchhead-routing-health';
  style.textContent = CSS;
  document.head.appendChild(style);
}

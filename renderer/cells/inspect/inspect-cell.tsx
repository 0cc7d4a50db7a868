// The Inspect cell: a tab bar "Lens | Atlas | Walkthrough" (WAI-ARIA tabs: arrow keys move between them) over the
// chosen tab's view; the lens is the default. The open tab is view state (not saved, not undone).
import './inspect.css';
import './readouts.css';
import { memo, useRef, type KeyboardEvent } from 'react';
import { useRuns } from '../../state/runs';
import { useCell } from '../../state/notebook';
import type { CellId, InspectCell as InspectDoc } from '../../state/notebook-schema';
import { lensActions, useLensState } from './lens-state';
import { DEFAULT_TAB, INSPECT_TABS, TAB_ORDER, type InspectTabId } from './tabs';

function TabBar({ id, current }: { id: CellId; current: InspectTabId }) {
  const bar = useRef<HTMLDivElement>(null);
  const onKey = (e: KeyboardEvent) => {
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    e.stopPropagation();
    const next = TAB_ORDER[(TAB_ORDER.indexOf(current) + d + TAB_ORDER.length) % TAB_ORDER.length];
    lensActions.setTab(id, next);
    bar.current?.querySelector<HTMLButtonElement>(`[data-tab="${next}"]`)?.focus();
  };
  return (
    <div className="inspect-tabs" role="tablist" aria-label="Inspect views" ref={bar} onKeyDown={onKey}>
      {TAB_ORDER.map((t) => (
        <button
          key={t}
          type="button"
          role="tab"
          id={`${id}-tab-${t}`}
          data-tab={t}
          aria-selected={t === current}
          aria-controls={`${id}-panel`}
          tabIndex={t === current ? 0 : -1}
          className="inspect-tab"
          onClick={() => lensActions.setTab(id, t)}
        >
          {INSPECT_TABS[t].label}
        </button>
      ))}
    </div>
  );
}

export const InspectCell = memo(function InspectCell({ id }: { id: CellId }) {
  const tab = (useLensState((s) => s.tab[id]) ?? DEFAULT_TAB) as InspectTabId;
  const current = INSPECT_TABS[tab] ? tab : DEFAULT_TAB;
  const Body = INSPECT_TABS[current].Body;
  return (
    <div className="inspect">
      <TabBar id={id} current={current} />
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${current}`} className="inspect-panel">
        <Body id={id} />
      </div>
    </div>
  );
});

/** The inspected run's name, shown in the cell header next to "Inspect". */
export function InspectTitle({ id }: { id: CellId }) {
  const runId = (useCell(id) as InspectDoc | undefined)?.runId ?? null;
  const name = useRuns((s) => (runId ? (s.runs[runId]?.listing?.name ?? runId) : null));
  return name ? <span className="cell-title">{name}</span> : null;
}

// The tabs of an Inspect cell: the routing lens (default), the expert atlas and the teaching walkthrough. Each tab is
// a component of the cell id; it reads the cell's document (run, probe text, layer, head, step) with useCell and asks
// questions about the run through renderer/runs/inspect-session.ts getInspectClient(runId).
//
// SLOT for the Atlas and Walkthrough tabs (helper `atlas`, renderer/cells/inspect/atlas/ and walkthrough/): replace the
// placeholder Body of 'atlas' / 'walkthrough' below with your component (one import line each), or call
// registerInspectTab('atlas', { label: 'Atlas', Body: AtlasTab }) from a module the app imports.
import type { ComponentType } from 'react';
import type { CellId } from '../../state/notebook-schema';
import { AtlasTab } from './atlas/atlas-tab';
import { LensTab } from './lens-tab';
import { WalkthroughTab } from './walkthrough/walkthrough-tab';

export type InspectTabId = 'lens' | 'atlas' | 'walkthrough';

export interface InspectTabDef {
  label: string;
  Body: ComponentType<{ id: CellId }>;
}

export const INSPECT_TABS: Record<InspectTabId, InspectTabDef> = {
  lens: { label: 'Lens', Body: LensTab },
  atlas: { label: 'Atlas', Body: AtlasTab },
  walkthrough: { label: 'Walkthrough', Body: WalkthroughTab },
};

export const TAB_ORDER: readonly InspectTabId[] = ['lens', 'atlas', 'walkthrough'];
export const DEFAULT_TAB: InspectTabId = 'lens';

export function registerInspectTab(id: InspectTabId, def: InspectTabDef): void {
  INSPECT_TABS[id] = def;
}

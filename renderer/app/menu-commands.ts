// The desktop app's menu commands (electron/README.md): the main process sends `{type: 'menu', command}` workspace
// events and the page does them: new-notebook, open-notebook:<name>, save-as, export-report, undo, redo,
// theme:system|light|dark, run-cell, pause, stop, shortcuts. Unknown commands are ignored (a newer main process may
// send more). Also keeps `<html data-backend="...">` on the backend of the run this page trains (Help > About reads
// it; it keeps the last one once the run ends). The web host never sends menu events; the same actions are on the
// page's own buttons.
import type { PlatformApi } from '../../engine/contracts/platform';
import { runCell } from '../cells/cell-commands';
import { exportReport } from '../export/notebook-export';
import { getPlatform } from '../platform/context';
import { runActions } from '../runs/actions';
import { jobOfCell, useQueue } from '../runs/queue';
import { phaseOf } from '../runs/status';
import { getDoc, notebookActions } from '../state/notebook';
import {
  createNotebook,
  flushNotebook,
  freeName,
  openNotebook,
  refreshNotebooks,
  useFiles,
} from '../state/notebook-files';
import { parseNotebook, serializeNotebook } from '../state/notebook-schema';
import { useRuns } from '../state/runs';
import { useView, viewActions, type ThemePref } from '../state/view';

export interface MenuActions {
  newNotebook(): void;
  openNotebook(name: string): void;
  saveAs(): void;
  exportReport(): void;
  undo(): void;
  redo(): void;
  setTheme(theme: ThemePref): void;
  runCell(): void;
  pause(): void;
  stop(): void;
  shortcuts(): void;
}

/** Do one command; false when it is not one of ours. */
export function performMenuCommand(command: string, a: MenuActions): boolean {
  if (command.startsWith('open-notebook:')) {
    const name = command.slice('open-notebook:'.length);
    if (!name) return false;
    a.openNotebook(name);
    return true;
  }
  const theme = /^theme:(system|light|dark)$/.exec(command);
  if (theme) {
    a.setTheme(theme[1] as ThemePref);
    return true;
  }
  const table: Record<string, () => void> = {
    'new-notebook': a.newNotebook,
    'save-as': a.saveAs,
    'export-report': a.exportReport,
    undo: a.undo,
    redo: a.redo,
    'run-cell': a.runCell,
    pause: a.pause,
    stop: a.stop,
    shortcuts: a.shortcuts,
  };
  const f = Object.hasOwn(table, command) ? table[command] : undefined;
  f?.();
  return f !== undefined;
}

const TEXT_FIELD =
  'input:not([type=checkbox]):not([type=radio]), textarea, [contenteditable=""], [contenteditable="true"]';

/** Undo / redo from the menu: a text field being edited keeps its own undo; elsewhere the notebook's. */
function undoRedo(which: 'undo' | 'redo'): void {
  const el = typeof document === 'undefined' ? null : document.activeElement;
  if (el?.matches(TEXT_FIELD)) document.execCommand(which);
  else notebookActions[which]();
}

/** The run the Run menu acts on: the focused cell's live run, else the oldest this page trains. */
export function activeRun(): { runId: string | null; jobId: number | null } {
  const q = useQueue.getState();
  const focused = useView.getState().focusedCell;
  const job =
    (focused ? jobOfCell(q, focused) : null) ??
    Object.values(q.jobs)
      .filter((j) => j.state !== 'queued')
      .sort((a, b) => a.id - b.id)[0] ??
    null;
  return { runId: job?.runId ?? null, jobId: job?.id ?? null };
}

function pauseOrResume(): void {
  const { runId } = activeRun();
  if (!runId) return void viewActions.toast('No run is training in this window.');
  const phase = phaseOf(useRuns.getState().runs[runId]);
  if (phase === 'paused') runActions.resume(runId);
  else runActions.pause(runId);
}

function stop(): void {
  const { runId, jobId } = activeRun();
  if (runId) runActions.stop(runId);
  else if (jobId !== null) runActions.cancel(jobId);
  else viewActions.toast('No run is training in this window.');
}

/** File > Save As: a copy of the open notebook under a free name ("<name> copy"), then the copy is open. */
export async function saveAs(): Promise<string | null> {
  const current = useFiles.getState().current;
  if (!current) return createNotebook();
  try {
    const p = getPlatform();
    await flushNotebook();
    await refreshNotebooks();
    const name = freeName(
      `${current} copy`.slice(0, 80).trim(),
      useFiles.getState().list.map((n) => n.name),
    );
    const file = await p.readNotebook(current);
    const parsed = parseNotebook(file.text);
    // a readable notebook gets the copy's name as its title; one that opened read-only is copied byte for byte
    const text = parsed.ok ? serializeNotebook({ ...getDoc(), title: name }, parsed.extra) : file.text;
    await p.createNotebook(name, text);
    await refreshNotebooks();
    await openNotebook(name);
    viewActions.toast(`Saved a copy as “${name}”; it is open now. Click its name in the top bar to rename it.`);
    return name;
  } catch (e) {
    viewActions.toast(`Could not save a copy: ${(e as Error).message}`, { tone: 'error' });
    return null;
  }
}

async function openByName(name: string): Promise<void> {
  await refreshNotebooks().catch(() => {});
  if (!useFiles.getState().list.some((n) => n.name === name))
    return void viewActions.toast(`There is no notebook “${name}” in this workspace.`, { tone: 'warning' });
  await openNotebook(name);
}

/** The page's own actions for the menu commands. */
export const PAGE_MENU_ACTIONS: MenuActions = {
  newNotebook: () => void createNotebook(),
  openNotebook: (name) => void openByName(name),
  saveAs: () => void saveAs(),
  exportReport: () => void exportReport(),
  undo: () => undoRedo('undo'),
  redo: () => undoRedo('redo'),
  setTheme: viewActions.setTheme,
  runCell: () => {
    const id = useView.getState().focusedCell;
    if (id) runCell(id);
    else viewActions.toast('Click a cell first: Run Cell runs the focused cell.');
  },
  pause: pauseOrResume,
  stop,
  shortcuts: () => viewActions.setSheet(true),
};

/** The backend of the run this page trains (the oldest live one), or null. */
export function liveBackend(runs: ReturnType<typeof useRuns.getState>['runs']): string | null {
  for (const e of Object.values(runs)) if (e.live?.backend?.name) return e.live.backend.name;
  return null;
}

/** Keep `root.dataset.backend` on the live run's backend (the last one stays after it ends). */
export function syncBackendAttribute(root: { dataset: DOMStringMap }): () => void {
  const apply = (runs: ReturnType<typeof useRuns.getState>['runs']) => {
    const b = liveBackend(runs);
    if (b && root.dataset.backend !== b) root.dataset.backend = b;
  };
  apply(useRuns.getState().runs);
  return useRuns.subscribe((s, prev) => s.runs !== prev.runs && apply(s.runs));
}

/** Follow the Platform's menu events and the backend attribute; returns the uninstall function. */
export function installMenuCommands(
  platform: PlatformApi = getPlatform(),
  actions: MenuActions = PAGE_MENU_ACTIONS,
  root: { dataset: DOMStringMap } | null = typeof document === 'undefined' ? null : document.documentElement,
): () => void {
  const unwatch = platform.watch((ev) => {
    if (ev.type === 'menu') performMenuCommand(ev.command, actions);
  });
  const unsync = root ? syncBackendAttribute(root) : () => {};
  return () => {
    unwatch();
    unsync();
  };
}

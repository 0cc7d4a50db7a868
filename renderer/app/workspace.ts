// Connecting the page to its workspace: the first listings, the notebook to open, and the workspace events
// (notebook list, run listings, notebooks written elsewhere). Returns the disconnect function.
import type { WorkspaceInfo } from '../../engine/contracts/platform';
import { getPlatform } from '../platform/context';
import {
  flushNotebook,
  notebookChangedElsewhere,
  openNotebook,
  preferredNotebook,
  setNotebookList,
} from '../state/notebook-files';
import { setListings } from '../state/runs';
import { viewActions } from '../state/view';
import { create } from 'zustand';

export const useWorkspaceInfo = create<{ info: WorkspaceInfo | null; error: string | null }>(() => ({
  info: null,
  error: null,
}));

export function connectWorkspace(): () => void {
  const p = getPlatform();
  let live = true;
  const unwatch = p.watch((ev) => {
    if (ev.type === 'notebooks') setNotebookList(ev.notebooks);
    else if (ev.type === 'runs') setListings(ev.runs);
    else if (ev.type === 'notebook-changed') void notebookChangedElsewhere(ev.name, ev.version);
  });
  void (async () => {
    try {
      const [info, notebooks, runs] = await Promise.all([p.workspaceInfo(), p.listNotebooks(), p.listRuns()]);
      if (!live) return;
      useWorkspaceInfo.setState({ info, error: null });
      setNotebookList(notebooks);
      setListings(runs);
      const want = preferredNotebook();
      const name = want && notebooks.some((n) => n.name === want) ? want : (notebooks[0]?.name ?? null);
      if (name) await openNotebook(name);
    } catch (e) {
      const message = (e as Error).message;
      useWorkspaceInfo.setState({ error: message });
      viewActions.toast(`Could not reach the workspace: ${message}`, { tone: 'error', timeoutMs: 0 });
    }
  })();
  const onHide = () => void flushNotebook();
  const onVisibility = () => document.visibilityState === 'hidden' && onHide();
  window.addEventListener('pagehide', onHide);
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    live = false;
    unwatch();
    window.removeEventListener('pagehide', onHide);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}

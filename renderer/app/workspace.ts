// Connecting the page to its workspace: the first listings, the notebook to open, and the workspace events
// (notebook list, notebooks written elsewhere; the runs are renderer/runs/'s). Returns the disconnect function.
import type { WorkspaceInfo } from '../../engine/contracts/platform';
import { getPlatform } from '../platform/context';
import {
  flushNotebook,
  notebookChangedElsewhere,
  openNotebook,
  preferredNotebook,
  setNotebookList,
} from '../state/notebook-files';
import { installRuns } from '../runs/install';
import { viewActions } from '../state/view';
import { create } from 'zustand';

export const useWorkspaceInfo = create<{ info: WorkspaceInfo | null; error: string | null }>(() => ({
  info: null,
  error: null,
}));

export function connectWorkspace(): () => void {
  const p = getPlatform();
  let live = true;
  const uninstallRuns = installRuns(); // run listings and data (renderer/runs/sync.ts), the run controller
  const unwatch = p.watch((ev) => {
    if (ev.type === 'notebooks') setNotebookList(ev.notebooks);
    else if (ev.type === 'notebook-changed') void notebookChangedElsewhere(ev.name, ev.version);
  });
  void (async () => {
    try {
      const [info, notebooks] = await Promise.all([p.workspaceInfo(), p.listNotebooks()]);
      if (!live) return;
      useWorkspaceInfo.setState({ info, error: null });
      setNotebookList(notebooks);
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
    uninstallRuns();
    window.removeEventListener('pagehide', onHide);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}

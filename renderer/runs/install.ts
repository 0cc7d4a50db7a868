// Wiring the run controller into the page: one controller and one workspace sync per page, the Experiment cells'
// runner (Run button, Shift+Enter), toasts for notices, and the page's exit (pagehide: each run's unwritten rows go out
// at once as keepalive requests, platform-sink.ts and renderer/platform/web.ts, so a closed tab loses at most the rows
// still inside the worker).
import type { Fault } from '../../engine/protocol';
import { setExperimentRunner } from '../cells/experiment/runner';
import { getPlatform } from '../platform/context';
import { viewActions } from '../state/view';
import { createBrowserClient, RunController } from './controller';
import { RunSync } from './sync';

let controller: RunController | null = null;

export interface TestHook {
  injectFault(runId: string, fault: Fault): Promise<void>;
}

/** The page's run controller (created by installRuns; tests may build their own RunController). */
export function getRunController(): RunController | null {
  return controller;
}

/** Start the controller and the sync of the workspace's runs. Returns the teardown. */
export function installRuns(): () => void {
  const platform = getPlatform();
  const notify = (message: string, tone: 'info' | 'warning' | 'error' = 'info') =>
    viewActions.toast(message, { tone, timeoutMs: tone === 'error' ? 0 : 6000 });
  let c: RunController | null = null;
  const sync = new RunSync(platform, (id) => c?.isLive(id) ?? false, (m) => notify(m, 'error'));
  c = new RunController({
    platform: getPlatform,
    createClient: createBrowserClient,
    wasmPaths: new URL('wasm/', document.baseURI).pathname,
    sync,
    notify,
  });
  controller = c;
  const stopSync = sync.start();
  setExperimentRunner((cellId) => void c.runCell(cellId));
  // test hook for the end-to-end tests: make a step of a run this page trains fail (engine/protocol injectFault)
  (globalThis as { __workbenchRuns?: TestHook }).__workbenchRuns = {
    injectFault: (runId, fault) => c.session(runId)?.injectFault(fault) ?? Promise.reject(new Error('not training')),
  };
  const onHide = () => c.flushAll();
  window.addEventListener('pagehide', onHide);
  return () => {
    window.removeEventListener('pagehide', onHide);
    delete (globalThis as { __workbenchRuns?: TestHook }).__workbenchRuns;
    setExperimentRunner(null);
    stopSync();
    controller = null;
  };
}

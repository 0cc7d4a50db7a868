// Help > About: the app and engine versions, the Electron/Chromium/Node underneath, WebGPU as Chromium sees it on
// this machine, and the compute backend the engine reported (the page's backend badge sets
// `<html data-backend="...">`; until a run has started there is none yet).
import type { BrowserWindow, Dialog } from 'electron';

export interface AboutFacts {
  appName: string;
  appVersion: string;
  engineVersion: string;
  versions: { electron?: string; chrome?: string; node?: string };
  /** app.getGPUFeatureStatus().webgpu: 'enabled', 'disabled_software', 'unavailable_off', ... */
  webgpu: string | undefined;
  /** The backend the engine reported in the page (webgpu / wasm / cpu), or null. */
  backend: string | null;
  workspace: string;
}

export function aboutText(f: AboutFacts): { message: string; detail: string } {
  const backend = f.backend ?? 'not started yet (the engine reports it when a run starts)';
  return {
    message: `${f.appName} ${f.appVersion}`,
    detail: [
      `Engine ${f.engineVersion}`,
      `Compute backend: ${backend}`,
      `WebGPU in Chromium: ${f.webgpu ?? 'unknown'}`,
      `Electron ${f.versions.electron ?? '?'} · Chromium ${f.versions.chrome ?? '?'} · Node ${f.versions.node ?? '?'}`,
      `Workspace: ${f.workspace}`,
      '',
      'SwitchHead: Csordás et al., "SwitchHead: Accelerating Transformers with Mixture-of-Experts Attention" (arXiv 2312.07987).',
    ].join('\n'),
  };
}

/** The page's reported backend: `<html data-backend>` (read in the page's world; nothing is exposed for it). */
export async function pageBackend(win: BrowserWindow | null): Promise<string | null> {
  if (!win || win.isDestroyed()) return null;
  try {
    const v: unknown = await win.webContents.executeJavaScript('document.documentElement.dataset.backend ?? null');
    return typeof v === 'string' && v.length > 0 && v.length < 200 ? v : null;
  } catch {
    return null;
  }
}

export async function showAbout(dialog: Pick<Dialog, 'showMessageBox'>, win: BrowserWindow | null, f: AboutFacts) {
  const { message, detail } = aboutText(f);
  const options = {
    type: 'info' as const,
    title: `About ${f.appName}`,
    message,
    detail,
    buttons: ['OK'],
    noLink: true,
  };
  if (win) await dialog.showMessageBox(win, options);
  else await dialog.showMessageBox(options);
}

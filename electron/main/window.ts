// The one workbench window and the rules every web contents lives by (DESIGN §5, PRODUCT §3.2):
// contextIsolation, sandbox, no Node, webSecurity on; no navigation away from the app, no new windows, no
// <webview>; links open in the user's browser only when they are https; every permission request is denied.
import type { BrowserWindow, BrowserWindowConstructorOptions, Session, WebContents, WebPreferences } from 'electron';
import type { WindowState } from './window-state';

/** The window's web preferences; every security-relevant one spelled out, whatever Electron's defaults. */
export function webPreferences(preload: string): WebPreferences {
  return {
    preload, // the contextBridge API (electron/preload), the page's only way out
    contextIsolation: true, // the preload's world and the page's are separate
    sandbox: true, // the renderer is an OS-sandboxed Chromium process; the preload gets no Node
    nodeIntegration: false,
    nodeIntegrationInWorker: false, // the engine worker is a plain web worker
    nodeIntegrationInSubFrames: false,
    webSecurity: true, // same-origin policy on
    allowRunningInsecureContent: false,
    experimentalFeatures: false, // WebGPU comes from command-line switches (gpu-switches.ts), not from this
    webviewTag: false,
    navigateOnDragDrop: false, // a file dropped on the window does not replace the app
    safeDialogs: true, // a page cannot lock the window with alert() loops
    spellcheck: false,
  };
}

export function windowOptions(preload: string, state: WindowState, dark: boolean): BrowserWindowConstructorOptions {
  return {
    title: 'SwitchHead Workbench',
    width: state.width,
    height: state.height,
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    minWidth: 720,
    minHeight: 480,
    show: false, // shown on ready-to-show: no white flash
    backgroundColor: dark ? '#16181d' : '#ffffff',
    webPreferences: webPreferences(preload),
  };
}

/** Only https links leave the app, in the user's browser; anything else (http, file, javascript, custom) does not. */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Navigation, new windows and <webview> for one web contents (every one the app creates; see index.ts). */
export function guardContents(contents: WebContents, openExternal: (url: string) => void): void {
  const leave = (url: string) => {
    if (isExternalLink(url)) openExternal(url);
  };
  // The app is one page: a link clicked in a Note (or anything else) never replaces it.
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    leave(url);
  });
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault(); // no frames exist; refuse any that would load something
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // window.open and target=_blank: never a new Electron window; https goes to the browser.
  contents.setWindowOpenHandler(({ url }) => {
    leave(url);
    return { action: 'deny' };
  });
}

/** Every permission (camera, microphone, notifications, geolocation, MIDI, HID, serial, clipboard read, ...) denied. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

/** The window's normal bounds and whether it is maximized, for window-state.json. */
export function boundsOf(win: BrowserWindow): { bounds: Electron.Rectangle; maximized: boolean } {
  return { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
}

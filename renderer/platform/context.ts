// The one Platform instance of the page: components get it with `usePlatform()` under `<PlatformProvider>`, other
// modules (run controller, autosave) with `getPlatform()`. On the web, the per-launch token comes from the address
// the host printed (`?token=...`): it is read once, kept in sessionStorage (so a reload keeps working) and removed
// from the address bar. In Electron the preload's API (`window.workbench`) is used instead (electron.ts).
import { createContext, createElement, useContext, type ReactNode } from 'react';
import type { PlatformApi } from '../../engine/contracts/platform';
import { createElectronPlatform, findElectronBridge } from './electron';
import { createWebPlatform } from './web';

export const TOKEN_KEY = 'switchhead-workbench-token';

/** The minimal browser surface the token handling needs (a parameter, so it can be tested without a DOM). */
export interface TokenEnv {
  location: { href: string };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string | URL | null): void };
  sessionStorage: { getItem(k: string): string | null; setItem(k: string, v: string): void };
}

/**
 * The page's token: `?token=` of the address (stored in sessionStorage, then stripped from the address bar with
 * history.replaceState, so it is not bookmarked, shared or left in the history), else the stored one, else null.
 */
export function takeToken(env: TokenEnv = globalThis as unknown as TokenEnv): string | null {
  const url = new URL(env.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      env.sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage disabled: the token lives for this page only
    }
    url.searchParams.delete('token');
    env.history.replaceState(env.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return env.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

let current: PlatformApi | null = null;

/** The page's Platform, created on first use: the desktop app's bridge, else the web host's (token from the address). */
export function getPlatform(): PlatformApi {
  if (current) return current;
  const bridge = findElectronBridge();
  current = bridge
    ? createElectronPlatform(bridge)
    : createWebPlatform({ baseUrl: globalThis.location.origin, token: takeToken() });
  return current;
}

/** Use this Platform from now on (tests, the Electron preload's API). */
export function setPlatform(p: PlatformApi): void {
  current = p;
}

const PlatformContext = createContext<PlatformApi | null>(null);

/** Hands `platform` (default: getPlatform()) to the components below; also makes it getPlatform()'s answer. */
export function PlatformProvider(props: { platform?: PlatformApi; children?: ReactNode }): ReactNode {
  const platform = props.platform ?? getPlatform();
  if (platform !== current) setPlatform(platform);
  return createElement(PlatformContext.Provider, { value: platform }, props.children);
}

/** The Platform of the surrounding PlatformProvider (or the page's one when there is none). */
export function usePlatform(): PlatformApi {
  return useContext(PlatformContext) ?? getPlatform();
}

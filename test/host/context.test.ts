// renderer/platform/context.ts: the token is taken from the address once, kept for reloads, and stripped from the
// address bar; components and plain modules get the same Platform instance.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { PlatformApi } from '../../engine/contracts/platform';
import {
  PlatformProvider,
  TOKEN_KEY,
  getPlatform,
  takeToken,
  usePlatform,
  type TokenEnv,
} from '../../renderer/platform/context';

function fakeEnv(href: string): TokenEnv & { store: Map<string, string>; replaced: string[] } {
  const store = new Map<string, string>();
  const replaced: string[] = [];
  const env = {
    store,
    replaced,
    location: { href },
    history: {
      state: { keep: 1 },
      replaceState: (_d: unknown, _u: string, url?: string | URL | null) => {
        replaced.push(String(url));
        env.location.href = new URL(String(url), env.location.href).href;
      },
    },
    sessionStorage: {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => store.set(k, v),
    },
  };
  return env;
}

describe('takeToken', () => {
  it('reads ?token= once, stores it, and strips it from the address (other parameters and the hash stay)', () => {
    const env = fakeEnv('http://127.0.0.1:5178/notebooks/a?x=1&token=abc-DEF_123#cell');
    expect(takeToken(env)).toBe('abc-DEF_123');
    expect(env.replaced).toEqual(['/notebooks/a?x=1#cell']);
    expect(env.store.get(TOKEN_KEY)).toBe('abc-DEF_123');
    expect(takeToken(env)).toBe('abc-DEF_123'); // a reload: from sessionStorage
    expect(env.replaced).toHaveLength(1);
  });

  it('is null when neither the address nor the session has one', () => {
    const env = fakeEnv('http://127.0.0.1:5178/');
    expect(takeToken(env)).toBeNull();
    expect(env.replaced).toEqual([]);
  });
});

describe('PlatformProvider', () => {
  it('hands its Platform to components (usePlatform) and to plain modules (getPlatform)', () => {
    const fake = { watch: () => () => {} } as unknown as PlatformApi;
    let seen: PlatformApi | null = null;
    const Probe = () => {
      seen = usePlatform();
      return null;
    };
    renderToString(createElement(PlatformProvider, { platform: fake }, createElement(Probe)));
    expect(seen).toBe(fake);
    expect(getPlatform()).toBe(fake);
  });
});

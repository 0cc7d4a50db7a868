// A tiny external store for what the pointer or the keyboard points at (a hovered token): heatmaps draw their hover
// bands from it, and only those bands re-render when it changes (not the heatmaps' images, not their parents;
// UI-ANCHORS §6: nivo repaints everything on hover, we do not).
import { useSyncExternalStore } from 'react';

export interface PointerStore<T> {
  get(): T;
  set(v: T): void;
  subscribe(listener: () => void): () => void;
}

export function createPointerStore<T>(initial: T, equal: (a: T, b: T) => boolean = Object.is): PointerStore<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(v) {
      if (equal(v, value)) return;
      value = v;
      for (const l of [...listeners]) l();
    },
    subscribe(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
  };
}

/** The store's value, re-rendering the caller when `select` of it changes. */
export function usePointer<T, S>(store: PointerStore<T>, select: (v: T) => S): S {
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.get()),
    () => select(store.get()),
  );
}

// The object the preload hands the page (`window.workbench`): one function per Platform operation, each an
// `ipcRenderer.invoke` on the channel of the same name, answering the main process's envelope
// (`{ok: true, result}` or `{ok: false, error: {name, message}}`), plus `watch(handler)` for workspace events.
// Never ipcRenderer itself and never an IpcRendererEvent: the page gets the event's data and nothing else.
// The renderer's electron Platform (renderer/platform/electron.ts) unwraps the envelopes into a PlatformApi; the
// type below is derived from the contract, so the compiler checks both against PlatformApi.
import {
  PLATFORM_OPS,
  type PlatformApi,
  type PlatformArgs,
  type PlatformErrorName,
  type PlatformOp,
  type PlatformResults,
  type WorkspaceEvent,
} from '../../engine/contracts/platform';

/** Main -> renderer channel of WorkspaceEvents (electron/main/ipc.ts EVENT_CHANNEL). */
export const EVENT_CHANNEL = 'workbench:event';

/** The name the page finds the bridge under. */
export const BRIDGE_KEY = 'workbench';

export type IpcReply<T> = { ok: true; result: T } | { ok: false; error: { name: PlatformErrorName; message: string } };

export type WorkbenchBridge = {
  readonly [K in PlatformOp]: (...args: PlatformArgs<K>) => Promise<IpcReply<PlatformResults[K]>>;
} & {
  /** Subscribe to workspace events; returns the unsubscribe function. */
  readonly watch: (handler: (ev: WorkspaceEvent) => void) => () => void;
};

// The compiler's check that the bridge is PlatformApi with each result wrapped in an envelope: same operations,
// same arguments, same results.
type Unwrapped<F> = F extends (...args: infer A) => Promise<IpcReply<infer R>> ? (...args: A) => Promise<R> : F;
type BridgeAsPlatform = { [K in keyof WorkbenchBridge]: Unwrapped<WorkbenchBridge[K]> };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const BRIDGE_MATCHES_PLATFORM: Same<BridgeAsPlatform, PlatformApi> = true;

/** The part of ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/** Build the bridge over `ipc`. */
export function createBridge(ipc: IpcRendererLike): WorkbenchBridge {
  const handlers = new Set<(ev: WorkspaceEvent) => void>();
  // The newest listings, replayed to each new subscriber (the main process sends them when the page has loaded,
  // possibly before the page subscribes), as the web host's event stream starts with them.
  const latest = new Map<string, WorkspaceEvent>();
  ipc.on(EVENT_CHANNEL, (_event, ev) => {
    const e = ev as WorkspaceEvent;
    if (e.type === 'runs' || e.type === 'notebooks') latest.set(e.type, e);
    for (const h of [...handlers]) {
      try {
        h(e);
      } catch (err) {
        console.error('workspace event handler failed', err);
      }
    }
  });

  const bridge: Record<string, unknown> = {};
  for (const op of Object.keys(PLATFORM_OPS)) bridge[op] = (...args: unknown[]) => ipc.invoke(op, ...args);
  bridge.watch = (handler: (ev: WorkspaceEvent) => void) => {
    if (typeof handler !== 'function') throw new TypeError('watch(handler): handler must be a function');
    handlers.add(handler);
    queueMicrotask(() => {
      if (handlers.has(handler)) for (const ev of latest.values()) handler(ev);
    });
    return () => void handlers.delete(handler);
  };
  return Object.freeze(bridge) as WorkbenchBridge;
}

// The electron Platform: the renderer's PlatformApi (engine/contracts/platform.ts) over the preload's bridge
// (`window.workbench`, electron/preload/bridge.ts). Each operation is an IPC call to the main process, which checks
// the sender, the size and the schema and answers with an envelope; failures are rethrown here as PlatformError with
// the main process's name and message, as the web Platform does with the host's. Exports go through a native save
// dialog in the main process; `{saved: false}` means the user cancelled.
import {
  PlatformError,
  type PlatformApi,
  type PlatformArgs,
  type PlatformErrorName,
  type PlatformOp,
  type PlatformResults,
  type WorkspaceEvent,
} from '../../engine/contracts/platform';

/** The main process's answer to one call (electron/main/ipc.ts IpcReply). */
export type IpcReply<T> = { ok: true; result: T } | { ok: false; error: { name: PlatformErrorName; message: string } };

/** What the preload exposes (the same type as electron/preload/bridge.ts WorkbenchBridge; a test checks it). */
export type ElectronBridge = {
  readonly [K in PlatformOp]: (...args: PlatformArgs<K>) => Promise<IpcReply<PlatformResults[K]>>;
} & {
  readonly watch: (handler: (ev: WorkspaceEvent) => void) => () => void;
};

const ERROR_NAMES: ReadonlySet<string> = new Set<PlatformErrorName>([
  'InvalidRequest',
  'OutsideWorkspace',
  'NotFound',
  'Conflict',
  'TooLarge',
  'Unauthorized',
  'HostError',
]);

/** The preload's bridge when this page runs in the desktop app, else null. */
export function findElectronBridge(g: object = globalThis): ElectronBridge | null {
  const b = (g as { workbench?: unknown }).workbench;
  if (!b || typeof b !== 'object') return null;
  const f = b as Record<string, unknown>;
  return typeof f.watch === 'function' && typeof f.workspaceInfo === 'function' ? (b as ElectronBridge) : null;
}

export function createElectronPlatform(bridge: ElectronBridge): PlatformApi {
  async function unwrap<T>(op: PlatformOp, reply: Promise<IpcReply<T>>): Promise<T> {
    let r: IpcReply<T>;
    try {
      r = await reply;
    } catch (e) {
      throw new PlatformError('HostError', `${op}: the desktop app did not answer (${(e as Error)?.message ?? e})`);
    }
    if (r && r.ok === true) return r.result;
    const name = r && r.ok === false && ERROR_NAMES.has(r.error?.name) ? r.error.name : 'HostError';
    const message = r && r.ok === false ? String(r.error?.message ?? '') : `${op}: malformed answer`;
    throw new PlatformError(name, message || `${op} failed`);
  }

  return {
    workspaceInfo: () => unwrap('workspaceInfo', bridge.workspaceInfo()),
    listNotebooks: () => unwrap('listNotebooks', bridge.listNotebooks()),
    readNotebook: (name) => unwrap('readNotebook', bridge.readNotebook(name)),
    writeNotebook: (name, text, baseVersion) => unwrap('writeNotebook', bridge.writeNotebook(name, text, baseVersion)),
    createNotebook: (name, text) => unwrap('createNotebook', bridge.createNotebook(name, text)),
    renameNotebook: (from, to) => unwrap('renameNotebook', bridge.renameNotebook(from, to)),
    trashNotebook: (name) => unwrap('trashNotebook', bridge.trashNotebook(name)),
    listRuns: () => unwrap('listRuns', bridge.listRuns()),
    readRun: (id, offsets) => unwrap('readRun', bridge.readRun(id, offsets)),
    readProbe: (id, step) => unwrap('readProbe', bridge.readProbe(id, step)),
    readCheckpoint: (id, step) => unwrap('readCheckpoint', bridge.readCheckpoint(id, step)),
    createRun: (name, specFile) => unwrap('createRun', bridge.createRun(name, specFile)),
    claimRun: (id) => unwrap('claimRun', bridge.claimRun(id)),
    writeRun: (id, write) => unwrap('writeRun', bridge.writeRun(id, write)),
    writeCheckpoint: (id, step, bytes) => unwrap('writeCheckpoint', bridge.writeCheckpoint(id, step, bytes)),
    trashRun: (id) => unwrap('trashRun', bridge.trashRun(id)),
    loadDataSources: (spec) => unwrap('loadDataSources', bridge.loadDataSources(spec)),
    saveExport: (fileName, data, mime) => unwrap('saveExport', bridge.saveExport(fileName, data, mime)),
    exportPyTorch: (target, name) => unwrap('exportPyTorch', bridge.exportPyTorch(target, name)),
    watch: (handler) => bridge.watch(handler),
  };
}

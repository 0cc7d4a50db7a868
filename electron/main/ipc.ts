// The IPC side of the Platform contract: one `ipcMain.handle` per operation, the channel named after it, the set
// taken from PLATFORM_OPS (no list of names here to fall out of step). Each call is checked in this order, and
// nothing is read or written before all of it passes:
//   sender (our window's main frame at app://workbench) -> size (ipc-guard.ts) -> shape (the contract's zod schemas,
//   inside Workspace.call: the very store and validation the web host uses) -> paths inside the workspace (the
//   store's WorkspacePaths).
// Replies are envelopes, `{ok: true, result}` or `{ok: false, error: {name, message}}` with a PlatformErrorName:
// Electron turns a thrown error into a bare message, and the renderer needs the name.
// saveExport is the one operation the store does not answer: a native save dialog, then the file where the user
// chose (export-dialog.ts). Workspace events go the other way on EVENT_CHANNEL (webContents.send).
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import {
  PLATFORM_OPS,
  parsePlatformArgs,
  type PlatformErrorName,
  type PlatformOp,
  type PlatformResults,
} from '../../engine/contracts/platform';
import { toPlatformError } from '../host/errors';
import type { OpContext, Workspace } from '../host/workspace';
import { checkPayloadSize, checkSender, type TrustedContents } from './ipc-guard';

/** Main -> renderer: WorkspaceEvents (electron/preload listens on it). */
export const EVENT_CHANNEL = 'workbench:event';

export type IpcReply<T> = { ok: true; result: T } | { ok: false; error: { name: PlatformErrorName; message: string } };

/** The channels: exactly the Platform operations. */
export const PLATFORM_CHANNELS = Object.keys(PLATFORM_OPS) as PlatformOp[];

export interface IpcDeps {
  /** The workspace store (it changes when the user picks another folder). */
  workspace(): Workspace;
  /** The window whose main frame may call. */
  trusted: TrustedContents;
  /** The page calling (runs it writes are tied to it, electron/host/app-claims.ts). */
  clientId(event: IpcMainInvokeEvent): string;
  /** File > Export: a native save dialog and the write (export-dialog.ts). */
  saveExport(fileName: string, data: string | Uint8Array, mime: string): Promise<PlatformResults['saveExport']>;
  /** Told after each operation that succeeded (recent notebooks follow readNotebook, renames and trash). */
  onDone?(op: PlatformOp, args: readonly unknown[]): void;
  /** Unexpected failures (HostError). Default: stderr. */
  log?(message: string): void;
}

/** Run one call through every check; never throws (failures come back as `{ok: false}`). */
export async function answer<K extends PlatformOp>(
  op: K,
  event: IpcMainInvokeEvent,
  args: unknown[],
  deps: IpcDeps,
): Promise<IpcReply<PlatformResults[K]>> {
  try {
    checkSender(op, event, deps.trusted);
    checkPayloadSize(op, args);
    let result: PlatformResults[K];
    if (op === 'saveExport') {
      const [name, data, mime] = parsePlatformArgs('saveExport', args);
      result = (await deps.saveExport(name, data, mime)) as PlatformResults[K];
    } else {
      const ctx: OpContext = { clientId: deps.clientId(event) };
      result = await deps.workspace().call(op, args, ctx);
    }
    deps.onDone?.(op, args);
    return { ok: true, result };
  } catch (e) {
    const err = toPlatformError(e, op);
    if (err.code === 'HostError') (deps.log ?? defaultLog)(`${op}: ${(e as Error)?.stack ?? String(e)}`);
    return { ok: false, error: { name: err.code, message: err.message } };
  }
}

/** Register one handler per Platform operation; returns the channel names. */
export function registerPlatformIpc(ipcMain: Pick<IpcMain, 'handle'>, deps: IpcDeps): PlatformOp[] {
  for (const op of PLATFORM_CHANNELS) ipcMain.handle(op, (event, ...args: unknown[]) => answer(op, event, args, deps));
  return PLATFORM_CHANNELS;
}

function defaultLog(message: string): void {
  process.stderr.write(message + '\n');
}

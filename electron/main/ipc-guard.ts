// What every IPC call is checked for before any work (Electron security checklist 17 and PRODUCT §3.2):
//   1. its sender: the main frame of our window, showing an app://workbench page (never a subframe, another
//      window, devtools, or a page that navigated elsewhere);
//   2. its size: the payload is measured (strings, bytes, and every value inside objects and arrays) and refused
//      past the operation's limit, the same limits the web host puts on request bodies.
// The payload's shape is checked next, by Workspace.call with the contract's zod schemas.
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import { PlatformError, type PlatformOp } from '../../engine/contracts/platform';
import { formatBytes } from '../host/http-io';
import { isAppUrl } from './app-protocol';

export const MiB = 1 << 20;

/** Largest payload per operation (the web host: 32 MiB JSON bodies, 1 GiB checkpoint uploads). */
export const DEFAULT_LIMIT = 32 * MiB;
export const IPC_LIMITS: Partial<Record<PlatformOp, number>> = {
  writeCheckpoint: 1024 * MiB,
  saveExport: 512 * MiB, // a zip of runs with their checkpoints
};

export const limitOf = (op: PlatformOp): number => IPC_LIMITS[op] ?? DEFAULT_LIMIT;

/**
 * The payload's size in bytes, roughly as it would be as JSON: string lengths, byte lengths of binary data, 8 per
 * number, plus 1 per value. Stops counting (returns a number above `limit`) as soon as `limit` is passed, so a huge
 * payload is refused after looking at no more of it than the limit allows. Iterative: no recursion to overflow.
 */
export function payloadBytes(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0 && total <= limit) {
    const v = stack.pop();
    total += 1;
    if (typeof v === 'string') total += v.length;
    else if (typeof v === 'number' || typeof v === 'bigint') total += 8;
    else if (ArrayBuffer.isView(v)) total += v.byteLength;
    else if (v instanceof ArrayBuffer) total += v.byteLength;
    else if (v && typeof v === 'object') {
      if (seen.has(v)) continue;
      seen.add(v);
      if (Array.isArray(v)) for (const item of v) stack.push(item);
      else if (v instanceof Map) for (const [k, item] of v) stack.push(k, item);
      else
        for (const [k, item] of Object.entries(v)) {
          total += k.length;
          stack.push(item);
        }
    }
  }
  return total;
}

/** Refuse a payload larger than its operation's limit (PlatformError 'TooLarge'). */
export function checkPayloadSize(op: PlatformOp, args: unknown): void {
  const limit = limitOf(op);
  if (payloadBytes(args, limit) > limit)
    throw new PlatformError('TooLarge', `${op}: the payload is larger than the ${formatBytes(limit)} limit`);
}

/** The frame an IPC call came from, as much of WebFrameMain as the check reads. */
interface FrameLike {
  url: string;
  processId: number;
  routingId: number;
}

/** The window's web contents whose main frame may call (null while there is no window). */
export type TrustedContents = () => WebContents | null;

/** Did `event` come from the main frame of our window, showing one of our app:// pages? Throws 'Unauthorized'. */
export function checkSender(op: PlatformOp, event: IpcMainInvokeEvent, trusted: TrustedContents): void {
  const contents = trusted();
  const frame = event.senderFrame as FrameLike | null;
  const why =
    !contents || contents.isDestroyed()
      ? 'there is no workbench window'
      : event.sender !== contents
        ? 'it came from another web contents than the workbench window'
        : !frame
          ? 'its frame is gone (navigated or closed)'
          : !isMainFrame(frame, contents.mainFrame)
            ? 'it came from a subframe, not the workbench page'
            : !isAppUrl(frame.url)
              ? `the frame shows ${describeUrl(frame.url)}, not the workbench (app://workbench)`
              : null;
  if (why) throw new PlatformError('Unauthorized', `${op}: refused: ${why}`);
}

function isMainFrame(frame: FrameLike, main: FrameLike): boolean {
  return frame === main || (frame.processId === main.processId && frame.routingId === main.routingId);
}

function describeUrl(url: string): string {
  try {
    return new URL(url).origin === 'null' ? url.split(/[?#]/)[0] : new URL(url).origin;
  } catch {
    return JSON.stringify(url.slice(0, 80));
  }
}

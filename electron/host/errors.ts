// How the host's failures cross the boundary: every error becomes a PlatformError (engine/contracts/platform.ts)
// with one of its names, and each name has one HTTP status. Node's own errors (ENOENT, ...) and the run-file
// errors of engine/node are mapped here, once, so every route and the Electron IPC handlers answer alike.
import { PlatformError, type PlatformErrorName } from '../../engine/contracts/platform';
import { RunFileError } from '../../engine/node/atomic';
import { RunDirError } from '../../engine/node/rundir';
import { SpecError } from '../../engine/spec';

export const HTTP_STATUS: Record<PlatformErrorName, number> = {
  InvalidRequest: 400,
  OutsideWorkspace: 400,
  Unauthorized: 401,
  NotFound: 404,
  Conflict: 409,
  TooLarge: 413,
  HostError: 500,
};

export const notFound = (what: string) => new PlatformError('NotFound', `${what} does not exist`);
export const conflict = (message: string) => new PlatformError('Conflict', message);
export const invalid = (message: string) => new PlatformError('InvalidRequest', message);

/** Any thrown value as a PlatformError; `what` names the thing being worked on (for Node's terse errors). */
export function toPlatformError(e: unknown, what = 'request'): PlatformError {
  if (e instanceof PlatformError) return e;
  if (e instanceof SpecError) return new PlatformError('InvalidRequest', e.message);
  if (e instanceof RunDirError) {
    const code = /already exists|being written by/.test(e.message)
      ? 'Conflict'
      : /does not exist/.test(e.message)
        ? 'NotFound'
        : 'InvalidRequest';
    return new PlatformError(code, e.message);
  }
  if (e instanceof RunFileError) return new PlatformError('HostError', e.message);
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return notFound(what);
  if (code === 'EEXIST') return conflict(`${what} already exists`);
  if (code === 'ENOSPC') return new PlatformError('HostError', `${what}: the disk is full`);
  if (code === 'EACCES' || code === 'EPERM') return new PlatformError('HostError', `${what}: permission denied`);
  const message = e instanceof Error ? e.message : String(e);
  return new PlatformError('HostError', `${what}: ${message}`);
}

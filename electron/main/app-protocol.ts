// The app:// protocol: the renderer bundle (dist/renderer/) served to the window from a privileged custom scheme,
// never file:// (Electron security checklist 18). `app://workbench/` is a standard, secure origin, so the page gets
// fetch, module workers, WebGPU (secure contexts only) and, with the COOP/COEP headers, cross-origin isolation for
// threaded wasm. Every response carries the CSP (csp.ts). Paths are the web host's rules: decoded segments, no `..`,
// nothing outside the bundle folder (symlinks included), index.html for the app's own page paths.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PlatformError } from '../../engine/contracts/platform';
import { pathSegments } from '../host/http-io';
import { mimeType } from '../host/static-files';
import { isWithin } from '../host/workspace-paths';
import { appHeaders } from './csp';

export const APP_SCHEME = 'app';
export const APP_HOST = 'workbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** protocol.registerSchemesAsPrivileged's privileges for app:// (before the app is ready). */
export const APP_SCHEME_PRIVILEGES = {
  standard: true, // a real origin (app://workbench), relative URLs, 'self' in the CSP
  secure: true, // a secure context: WebGPU, crypto.subtle, SharedArrayBuffer with isolation
  supportFetchAPI: true, // fetch('/wasm/...') from the page and the worker
  stream: true, // large responses (the wasm binaries) streamed
  codeCache: true, // V8 code cache for the bundle
} as const;

/** Is `url` a page of ours (app://workbench/...)? Parsed, never compared by prefix. */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

function textResponse(status: number, text: string): Response {
  return new Response(text + '\n', { status, headers: appHeaders('text/plain; charset=utf-8') });
}

/** `file` when it is a regular file whose real path lies inside `root`; null otherwise. */
function existingFile(root: string, file: string): string | null {
  try {
    const real = fs.realpathSync(file);
    return isWithin(fs.realpathSync(root), real) && fs.statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The protocol handler for app:// over the bundle folder `distDir`. */
export function createAppHandler(distDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(distDir);
  return async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return textResponse(404, `unknown app host ${url.host}`);
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return textResponse(405, `${request.method} is not allowed here`);
    let rel: string[];
    try {
      rel = pathSegments(url.pathname).filter((s) => s !== '');
    } catch (e) {
      return textResponse(400, (e as PlatformError).message);
    }
    const wanted = path.join(root, ...rel);
    if (!isWithin(root, wanted)) return textResponse(400, 'path outside the app');
    const last = rel[rel.length - 1] ?? '';
    const file =
      existingFile(root, wanted) ??
      (rel.length === 0 || path.extname(last) === '' ? existingFile(root, path.join(root, 'index.html')) : null);
    if (!file) {
      if (rel.length > 0 && path.extname(last) !== '') return textResponse(404, `not found: /${rel.join('/')}`);
      return textResponse(503, `The workbench UI is not built (${path.join(root, 'index.html')} is missing).`);
    }
    const headers = appHeaders(mimeType(file));
    if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
    return new Response(await fs.promises.readFile(file), { status: 200, headers });
  };
}

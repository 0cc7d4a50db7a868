// The renderer bundle (dist/renderer/), served as files: correct MIME types (.wasm application/wasm, .js
// text/javascript), index.html for any other page path (the app routes itself), never a directory listing, never a
// file outside the folder. index.html is never cached; Vite's hashed assets are cached for good.
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { PlatformError } from '../../engine/contracts/platform';
import { pathSegments, sendError } from './http-io';
import { isWithin } from './workspace-paths';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Answer a GET/HEAD for the bundle in `distDir`. */
export function serveStatic(req: IncomingMessage, res: ServerResponse, distDir: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, new PlatformError('InvalidRequest', `${req.method} is not allowed here`), { Allow: 'GET, HEAD' });
    return;
  }
  let segments: string[];
  try {
    segments = pathSegments(req.url ?? '/');
  } catch (e) {
    sendError(res, e);
    return;
  }
  const root = path.resolve(distDir);
  const rel = segments.filter((s) => s !== '');
  const file = path.join(root, ...rel);
  if (!isWithin(root, file)) return sendError(res, new PlatformError('OutsideWorkspace', 'path outside the app'));
  const found = existingFile(root, file);
  if (found) return sendFile(req, res, found, rel[0] === 'assets');
  const last = rel[rel.length - 1] ?? '';
  if (rel.length > 0 && path.extname(last) !== '') return sendText(res, 404, `not found: /${rel.join('/')}`);
  const index = existingFile(root, path.join(root, 'index.html')); // the app's own page paths
  if (index) return sendFile(req, res, index, false);
  sendText(
    res,
    503,
    'The workbench UI is not built (dist/renderer/index.html is missing): start it with `npm run web`.',
  );
}

/** `file` if it is a regular file whose real path is inside `root`; null otherwise (directories included). */
function existingFile(root: string, file: string): string | null {
  try {
    const real = fs.realpathSync(file);
    if (!isWithin(fs.realpathSync(root), real) || !fs.statSync(real).isFile()) return null;
    return real;
  } catch {
    return null;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, hashed: boolean): void {
  const st = fs.statSync(file);
  const isIndex = path.basename(file) === 'index.html';
  res.writeHead(200, {
    'Content-Type': mimeType(file),
    'Content-Length': st.size,
    'Cache-Control': isIndex ? 'no-store' : hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'Last-Modified': st.mtime.toUTCString(),
  });
  if (req.method === 'HEAD') return void res.end();
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text + '\n');
}

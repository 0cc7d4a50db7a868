// Small HTTP helpers of the web host: the headers every response carries, JSON answers and errors in the shape of
// the app brief ({"result": ...} / {"error": {"name", "message"}}), request bodies read with a size limit (reading
// stops at the limit: 413), and the request path split into decoded segments with traversal refused.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PlatformError } from '../../engine/contracts/platform';
import { HTTP_STATUS, toPlatformError } from './errors';

/** Headers on every response: cross-origin isolation (threaded wasm needs it) and no MIME sniffing. */
export function setCommonHeaders(res: ServerResponse): void {
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, e: unknown, extra: Record<string, string> = {}): void {
  const err = toPlatformError(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  sendJson(res, HTTP_STATUS[err.code], { error: { name: err.code, message: err.message } });
}

export const tooLarge = (limit: number) =>
  new PlatformError('TooLarge', `the request body is larger than the ${formatBytes(limit)} limit`);

/** The whole body, refused (TooLarge) as soon as it passes `limit` bytes (by Content-Length, or while reading). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (c: Buffer) => {
      total += c.length;
      if (total > limit) {
        req.off('data', onData);
        chunks.length = 0;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks, total)));
    req.on('error', reject);
    req.on('aborted', () => reject(new PlatformError('InvalidRequest', 'the request was aborted')));
  });
}

/**
 * After a refused upload: answer, then stop reading it. The rest of the body is discarded for a moment (so the
 * client sees the answer rather than a reset connection), then the connection is closed.
 */
export function refuseBody(req: IncomingMessage, res: ServerResponse, e: unknown): void {
  sendError(res, e, { Connection: 'close' });
  req.resume();
  const t = setTimeout(() => req.socket.destroy(), 2000);
  t.unref();
  req.once('end', () => clearTimeout(t));
}

/** The path of a request URL as decoded segments; `..`, `.`, empty, NUL, slashes or backslashes inside: refused. */
export function pathSegments(url: string): string[] {
  const pathname = url.split(/[?#]/, 1)[0];
  if (!pathname.startsWith('/')) throw new PlatformError('InvalidRequest', `bad request path ${JSON.stringify(url)}`);
  const raw = pathname.slice(1).split('/');
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop(); // a trailing slash
  return raw.map((s) => {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      throw new PlatformError('InvalidRequest', `bad percent-encoding in the request path: ${s}`);
    }
    if (d === '..' || d === '.' || /[/\\\0]/.test(d) || (d === '' && raw.length > 1))
      throw new PlatformError('OutsideWorkspace', `path segment ${JSON.stringify(d)} is not allowed`);
    return d;
  });
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return `${n / (1 << 30)} GiB`;
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}

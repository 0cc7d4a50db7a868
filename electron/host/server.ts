// The local web host: serves the renderer bundle and the HTTP API on 127.0.0.1 only (never 0.0.0.0 or ::), behind
// a fresh random token per launch. Every response carries COOP/COEP (cross-origin isolation, for threaded wasm).
// `startHost` is what `npm run web` (cli.ts) and the end-to-end tests start.
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApi } from './api-routes';
import { toPlatformError } from './errors';
import { sendError, setCommonHeaders } from './http-io';
import { serveStatic } from './static-files';
import { WorkspaceWatcher } from './watcher';
import { Workspace } from './workspace';

export const HOST_ADDRESS = '127.0.0.1';

export interface HostOptions {
  /** The workspace folder (created if missing), or a Workspace to serve. */
  workspace: string | Workspace;
  /** The built renderer (index.html + assets), usually dist/renderer. */
  distDir: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** Largest JSON request body. Default 32 MiB. */
  jsonLimit?: number;
  /** Largest checkpoint upload. Default 1 GiB. */
  checkpointLimit?: number;
  /** Workspace polling interval for events (ms). Default 400. */
  pollMs?: number;
  /** How long an app run stays running after its page went away (ms). Default 3000. */
  graceMs?: number;
  /** Keep-alive comments on event streams (ms). Default 15000. */
  keepAliveMs?: number;
  /** Unexpected errors (500s, watcher failures). Default: stderr. */
  log?: (message: string) => void;
}

export interface RunningHost {
  /** The page's address with the token: http://127.0.0.1:N/?token=T */
  url: string;
  origin: string;
  port: number;
  token: string;
  workspace: Workspace;
  close(): Promise<void>;
}

export const newToken = (): string => randomBytes(32).toString('base64url');

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const log = opts.log ?? ((m: string) => process.stderr.write(m + '\n'));
  const workspace =
    typeof opts.workspace === 'string'
      ? new Workspace({ root: opts.workspace, graceMs: opts.graceMs })
      : opts.workspace;
  const token = opts.token ?? newToken();
  const watcher = new WorkspaceWatcher(workspace, opts.pollMs ?? 400, (e) => log(`workspace watcher: ${String(e)}`));
  const streams = new Set<http.ServerResponse>();
  const api = {
    workspace,
    watcher,
    token,
    jsonLimit: opts.jsonLimit ?? 32 << 20,
    checkpointLimit: opts.checkpointLimit ?? 2 ** 30,
    keepAliveMs: opts.keepAliveMs ?? 15_000,
    streams,
  };

  const server = http.createServer((req, res) => {
    setCommonHeaders(res);
    const url = req.url ?? '/';
    if (url === '/api' || url.startsWith('/api/') || url.startsWith('/api?')) {
      handleApi(req, res, api).catch((e) => {
        req.resume();
        if (toPlatformError(e).code === 'HostError')
          log(`${req.method} ${url.split('?')[0]}: ${(e as Error)?.stack ?? String(e)}`);
        sendError(res, e);
      });
    } else {
      serveStatic(req, res, opts.distDir);
    }
  });
  server.headersTimeout = 30_000;
  server.requestTimeout = 0; // checkpoint uploads and event streams may take long

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, HOST_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${HOST_ADDRESS}:${port}`;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      watcher.close();
      for (const res of streams) res.end();
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1000).unref();
    });
    return closing;
  };
  return { url: `${origin}/?token=${token}`, origin, port, token, workspace, close };
}

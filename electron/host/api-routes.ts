// The web host's HTTP API (the app brief): every /api/ request carries the per-launch token in `x-workbench-token`
// (401 otherwise) and the page's id in `x-workbench-client`.
//   POST /api/op/<op>                        {"args": [...]} -> {"result": ...}   (every JSON Platform operation)
//   GET  /api/runs/<id>/checkpoints/<step>   the checkpoint's bytes              (readCheckpoint)
//   PUT  /api/runs/<id>/checkpoints/<step>   application/octet-stream body       (writeCheckpoint)
//   GET  /api/events                         server-sent events: `data: <WorkspaceEvent JSON>`
import { timingSafeEqual, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  PlatformError,
  isPlatformOp,
  parsePlatformArgs,
  type PlatformOp,
  type WorkspaceEvent,
} from '../../engine/contracts/platform';
import { invalid, notFound } from './errors';
import { pathSegments, readBody, refuseBody, sendError, sendJson } from './http-io';
import type { WorkspaceWatcher } from './watcher';
import type { OpContext, Workspace } from './workspace';

export interface ApiOptions {
  workspace: Workspace;
  watcher: WorkspaceWatcher;
  token: string;
  /** Largest JSON body (bytes). */
  jsonLimit: number;
  /** Largest checkpoint upload (bytes). */
  checkpointLimit: number;
  /** Interval of the keep-alive comment on event streams (ms). */
  keepAliveMs: number;
  /** Open event streams, so the server can end them when it stops. */
  streams: Set<ServerResponse>;
}

/** Operations that do not travel as JSON over POST /api/op (bytes, or done by the page itself). */
const NOT_JSON: Partial<Record<PlatformOp, string>> = {
  readCheckpoint: 'GET /api/runs/<id>/checkpoints/<step>',
  writeCheckpoint: 'PUT /api/runs/<id>/checkpoints/<step>',
  saveExport: 'a download in the page (the web host saves nothing)',
};

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Constant-time token check (both sides hashed first, so lengths never differ). */
export function tokenMatches(given: unknown, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

/** Answer a request whose path starts with /api/ (errors are thrown as PlatformErrors for the caller to send). */
export async function handleApi(req: IncomingMessage, res: ServerResponse, o: ApiOptions): Promise<void> {
  if (!tokenMatches(req.headers['x-workbench-token'], o.token)) {
    req.resume();
    throw new PlatformError(
      'Unauthorized',
      'missing or wrong token: open the address `npm run web` printed (it ends in ?token=...)',
    );
  }
  const segments = pathSegments(req.url ?? '/');
  const client = req.headers['x-workbench-client'];
  const ctx: OpContext = { clientId: typeof client === 'string' && CLIENT_ID.test(client) ? client : 'anonymous' };
  o.workspace.claims.seen(ctx.clientId);
  const [, route, ...rest] = segments; // segments[0] === 'api'
  if (route === 'op' && rest.length === 1) return op(req, res, rest[0], ctx, o);
  if (route === 'runs' && rest.length === 3 && rest[1] === 'checkpoints') return checkpoint(req, res, rest, ctx, o);
  if (route === 'events' && rest.length === 0) return events(req, res, ctx, o);
  req.resume();
  throw notFound(`API path /${segments.join('/')}`);
}

async function op(req: IncomingMessage, res: ServerResponse, name: string, ctx: OpContext, o: ApiOptions) {
  if (!isPlatformOp(name)) {
    req.resume();
    throw notFound(`operation "${name}"`);
  }
  if (req.method !== 'POST') {
    req.resume();
    return sendError(res, invalid(`${name}: use POST`), { Allow: 'POST' });
  }
  if (NOT_JSON[name]) {
    req.resume();
    throw invalid(`${name} is not a JSON operation here: use ${NOT_JSON[name]}`);
  }
  let body: Buffer;
  try {
    body = await readBody(req, o.jsonLimit);
  } catch (e) {
    return refuseBody(req, res, e);
  }
  let args: unknown;
  try {
    args = (JSON.parse(body.toString('utf8')) as { args?: unknown }).args;
  } catch (e) {
    throw invalid(`${name}: the body is not JSON (${(e as Error).message})`);
  }
  const result = await o.workspace.call(name, args, ctx);
  sendJson(res, 200, { result: result ?? null });
}

async function checkpoint(req: IncomingMessage, res: ServerResponse, rest: string[], ctx: OpContext, o: ApiOptions) {
  const [id, , stepText] = rest;
  const step = /^\d{1,15}$/.test(stepText) ? Number(stepText) : stepText;
  if (req.method === 'GET' || req.method === 'HEAD') {
    req.resume();
    const file = o.workspace.runs.checkpointFile(...checkArgs('readCheckpoint', [id, step]));
    const size = fs.statSync(file).size;
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return void res.end();
    await new Promise<void>((resolve) => {
      fs.createReadStream(file)
        .on('error', () => (res.destroy(), resolve()))
        .on('end', resolve)
        .pipe(res);
    });
    return;
  }
  if (req.method !== 'PUT') {
    req.resume();
    return sendError(res, invalid(`checkpoints: use GET or PUT`), { Allow: 'GET, HEAD, PUT' });
  }
  try {
    checkArgs('writeCheckpoint', [id, step, new Uint8Array(0)]); // names and step, before reading the body
  } catch (e) {
    return refuseBody(req, res, e);
  }
  let body: Buffer;
  try {
    body = await readBody(req, o.checkpointLimit);
  } catch (e) {
    return refuseBody(req, res, e);
  }
  const bytes = new Uint8Array(body.buffer, body.byteOffset, body.length);
  await o.workspace.call('writeCheckpoint', [id, step, bytes], ctx);
  sendJson(res, 200, { result: null });
}

/** Validate a binary route's arguments with the contract's schema; returns the run id and step. */
function checkArgs(op: 'readCheckpoint' | 'writeCheckpoint', args: unknown[]): [string, number] {
  const parsed = parsePlatformArgs(op, args);
  return [parsed[0], parsed[1]];
}

function events(req: IncomingMessage, res: ServerResponse, ctx: OpContext, o: ApiOptions): void {
  if (req.method !== 'GET') {
    req.resume();
    return sendError(res, invalid('events: use GET'), { Allow: 'GET' });
  }
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  const send = (ev: WorkspaceEvent) => res.write(`data: ${JSON.stringify(ev)}\n\n`);
  res.write(': workspace events\n\n');
  for (const ev of o.watcher.snapshot()) send(ev);
  const unsubscribe = o.watcher.subscribe(send);
  o.workspace.claims.streamOpened(ctx.clientId);
  o.streams.add(res);
  const ping = setInterval(() => res.write(': ping\n\n'), o.keepAliveMs);
  ping.unref();
  const close = () => {
    clearInterval(ping);
    unsubscribe();
    if (o.streams.delete(res)) o.workspace.claims.streamClosed(ctx.clientId);
  };
  req.on('close', close);
  res.on('close', close);
}

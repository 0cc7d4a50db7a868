// Shared bits of the web host tests: a host on a temporary workspace with a small fake renderer bundle, raw API
// calls (to test the wire: tokens, status codes, error bodies), and a valid run spec file.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSpec, type ExperimentSpecInput } from '../../engine/spec';
import { startHost, type HostOptions, type RunningHost } from '../../electron/host/server';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function tmpDir(prefix: string): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `sh-${prefix}-`)));
}

/** A stand-in for dist/renderer: index.html, a hashed asset, a wasm file. */
export function fakeDist(dir: string): string {
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'wasm'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Workbench</title>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("app");');
  fs.writeFileSync(path.join(dir, 'wasm', 'tfjs-backend-wasm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  return dir;
}

export interface TestHost extends RunningHost {
  root: string; // the temporary folder holding workspace/ and dist/
  wsDir: string;
  distDir: string;
}

export async function startTestHost(opts: Partial<HostOptions> = {}): Promise<TestHost> {
  const root = tmpDir('host');
  const wsDir = path.join(root, 'workspace');
  const distDir = fakeDist(path.join(root, 'dist'));
  const host = await startHost({ workspace: wsDir, distDir, pollMs: 100, log: () => {}, ...opts });
  return {
    ...host,
    root,
    wsDir,
    distDir,
    close: async () => {
      await host.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface ApiAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

/** POST /api/op/<op> with {"args": args}; token: the host's unless given (null: none). */
export async function op(
  host: RunningHost,
  name: string,
  args: unknown,
  o: { token?: string | null; client?: string; body?: string } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = o.token === undefined ? host.token : o.token;
  if (token !== null) headers['x-workbench-token'] = token;
  if (o.client) headers['x-workbench-client'] = o.client;
  const res = await fetch(`${host.origin}/api/op/${name}`, {
    method: 'POST',
    headers,
    body: o.body ?? JSON.stringify({ args }),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

/** A tiny valid experiment (the copy task, 3 steps). */
export function tinySpecInput(steps = 3): ExperimentSpecInput {
  return {
    name: 'tiny copy',
    model: {
      dModel: 16,
      nLayers: 1,
      dFF: 32,
      attention: { kind: 'switchhead', nHeads: 2, dHead: 8, nExperts: 3, k: 2 },
    },
    data: { source: { kind: 'synthetic', task: 'copy', length: 4, symbols: 8 }, seqLen: 16, batchSize: 2 },
    train: { steps, lr: 3e-3, warmupSteps: 0 },
    log: { evalInterval: 2, evalBatches: 1, routingInterval: 2, probeInterval: 2, checkpointInterval: 2 },
  };
}

/** A spec.json as the app writes it (engine/contracts RunSpecFile). */
export function specFile(steps = 3): Record<string, unknown> {
  return {
    spec: parseSpec(tinySpecInput(steps)),
    engineVersion: '0.1.0',
    backend: { name: 'cpu', adapter: '' },
    dataset: 'copy task',
    vocabSize: 12,
    createdAt: new Date().toISOString(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `f` until it returns a truthy value (or throw after `ms`). */
export async function until<T>(f: () => T | Promise<T>, ms = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v as NonNullable<T>;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** A request sent byte for byte (fetch would normalise `..` and `%2e%2e` in the path before sending). */
export function raw(
  host: RunningHost,
  method: string,
  urlPath: string,
  headers: Record<string, string | number> = {},
  body?: Uint8Array | string,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, method, path: urlPath, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

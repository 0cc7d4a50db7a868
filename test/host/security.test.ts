// The web host's guards: the token on every /api/ path, paths that would leave the workspace (or the bundle),
// body size limits, the listening address, and the headers every response carries.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_OPS } from '../../engine/contracts/platform';
import { op, raw, startTestHost, type TestHost } from './helpers';

let host: TestHost;
let outside: string; // a folder outside the workspace
beforeAll(async () => {
  host = await startTestHost({ jsonLimit: 1 << 20, checkpointLimit: 64 << 10 });
  outside = path.join(host.root, 'outside');
  fs.mkdirSync(outside);
});
afterAll(() => host.close());

const API_ROUTES: [string, string][] = [
  ...Object.keys(PLATFORM_OPS).map((name): [string, string] => ['POST', `/api/op/${name}`]),
  ['GET', '/api/runs/some-run/checkpoints/1'],
  ['PUT', '/api/runs/some-run/checkpoints/1'],
  ['GET', '/api/events'],
  ['GET', '/api/no-such-route'],
  ['GET', '/api/runs/%2e%2e/checkpoints/1'],
];

describe('the token', () => {
  it('is required on every /api/ route: 401 without it, with a wrong one, or with a prefix of it', async () => {
    const wrong = [undefined, 'x'.repeat(host.token.length), host.token.slice(0, -1), host.token + 'a', ''];
    for (const [method, p] of API_ROUTES) {
      for (const token of wrong) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (token !== undefined) headers['x-workbench-token'] = token;
        const r = await raw(host, method, p, headers, method === 'GET' ? undefined : '{"args":[]}');
        expect(r.status, `${method} ${p} token=${token}`).toBe(401);
        expect(JSON.parse(r.body).error.name).toBe('Unauthorized');
        expect(JSON.parse(r.body).error.message).toMatch(/token/);
      }
    }
  });

  it('is not taken from the query string', async () => {
    const r = await raw(host, 'POST', `/api/op/listRuns?token=${host.token}`, {}, '{"args":[]}');
    expect(r.status).toBe(401);
  });

  it('is a fresh random string per launch', async () => {
    const other = await startTestHost();
    try {
      expect(other.token).not.toBe(host.token);
      expect(other.token.length).toBeGreaterThanOrEqual(40);
      expect(other.url).toBe(`http://127.0.0.1:${other.port}/?token=${other.token}`);
    } finally {
      await other.close();
    }
  });
});

describe('paths outside the workspace', () => {
  const auth = () => ({ 'x-workbench-token': host.token });

  it('refuses `..`, absolute and odd names in notebook and run arguments (400 InvalidRequest)', async () => {
    const bad: [string, unknown[]][] = [
      ['readNotebook', ['../secret']],
      ['readNotebook', ['/etc/passwd']],
      ['readNotebook', ['..']],
      ['writeNotebook', ['../../evil', '{}', null]],
      ['createNotebook', ['a/b', '{}']],
      ['renameNotebook', ['ok', '../moved']],
      ['trashNotebook', ['C:\\Windows']],
      ['readRun', ['../other', { metricsOffset: 0, routingOffset: 0 }]],
      ['readRun', ['/tmp', { metricsOffset: 0, routingOffset: 0 }]],
      ['readProbe', ['..%2F..', 0]],
      ['claimRun', ['.hidden']],
      ['trashRun', ['a/../../b']],
      ['writeRun', ['../x', { kind: 'release' }]],
    ];
    for (const [name, args] of bad) {
      const r = await op(host, name, args);
      expect(r.status, `${name} ${JSON.stringify(args)}`).toBe(400);
      expect(r.body.error.name).toBe('InvalidRequest');
      expect(r.body.error.message).toMatch(new RegExp(`^${name}: argument \\d`));
    }
  });

  it('refuses encoded traversal in URL paths (400) for the API and the static files', async () => {
    const paths = [
      '/api/runs/%2e%2e/checkpoints/1',
      '/api/runs/..%2F..%2Fetc/checkpoints/1',
      '/api/runs/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd/checkpoints/1',
      '/api/runs/x/checkpoints/..',
      '/api/op/..%2Fop%2FlistRuns',
    ];
    for (const p of paths) {
      const r = await raw(host, 'GET', p, auth());
      expect(r.status, p).toBe(400);
      expect(JSON.parse(r.body).error.name).toMatch(/OutsideWorkspace|InvalidRequest/);
    }
    for (const p of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2F..%2Fworkspace', '/a/%5c..%5c']) {
      const r = await raw(host, 'GET', p);
      expect(r.status, p).toBe(400);
      expect(r.body).not.toMatch(/root:/);
    }
  });

  it('refuses a notebook that is a symlink out of the workspace (400 OutsideWorkspace), and never writes through it', async () => {
    const target = path.join(outside, 'secret.txt');
    fs.writeFileSync(target, 'outside content');
    fs.symlinkSync(target, path.join(host.wsDir, 'notebooks', 'evil.swhnb.json'));
    for (const [name, args] of [
      ['readNotebook', ['evil']],
      ['writeNotebook', ['evil', '{"x":1}', null]],
      ['renameNotebook', ['evil', 'good']],
      ['trashNotebook', ['evil']],
    ] as [string, unknown[]][]) {
      const r = await op(host, name, args);
      expect(r.status, name).toBe(400);
      expect(r.body.error.name).toBe('OutsideWorkspace');
    }
    expect(fs.readFileSync(target, 'utf8')).toBe('outside content');
    expect((await op(host, 'listNotebooks', [])).body.result).toEqual([]);
  });

  it('refuses a run folder that is a symlink out of the workspace, and leaves it out of the listing', async () => {
    const run = path.join(outside, 'run');
    fs.mkdirSync(path.join(run, 'checkpoints'), { recursive: true });
    fs.writeFileSync(path.join(run, 'spec.json'), '{"spec":{"name":"x"}}');
    fs.writeFileSync(path.join(run, 'checkpoints', '1.safetensors'), 'secret');
    fs.symlinkSync(run, path.join(host.wsDir, 'runs', 'evil-run'));
    for (const [name, args] of [
      ['readRun', ['evil-run', { metricsOffset: 0, routingOffset: 0 }]],
      ['readProbe', ['evil-run', 1]],
      ['claimRun', ['evil-run']],
      ['trashRun', ['evil-run']],
    ] as [string, unknown[]][]) {
      const r = await op(host, name, args);
      expect(r.status, name).toBe(400);
      expect(r.body.error.name).toBe('OutsideWorkspace');
    }
    const r = await raw(host, 'GET', '/api/runs/evil-run/checkpoints/1', auth());
    expect(r.status).toBe(400);
    expect(r.body).not.toMatch(/secret/);
    expect((await op(host, 'listRuns', [])).body.result).toEqual([]);
    expect(fs.existsSync(run)).toBe(true);
  });

  it('refuses a data file outside data/ (.., absolute, symlink out)', async () => {
    fs.writeFileSync(path.join(outside, 'book.txt'), 'outside text '.repeat(50));
    fs.symlinkSync(path.join(outside, 'book.txt'), path.join(host.wsDir, 'data', 'linked.txt'));
    const spec = (p: string) => ({ name: 'f', data: { source: { kind: 'file', path: p } } });
    for (const p of ['../outside/book.txt', path.join(outside, 'book.txt'), 'linked.txt', '../notebooks/x']) {
      const r = await op(host, 'loadDataSources', [spec(p)]);
      expect(r.status, p).toBe(400);
      expect(r.body.error.name).toBe('OutsideWorkspace');
    }
  });
});

describe('body limits', () => {
  it('answers 413 for a JSON body over the limit, by Content-Length or while reading', async () => {
    const big = JSON.stringify({ args: ['big', 'x'.repeat((1 << 20) + 10), null] });
    const r = await op(host, 'writeNotebook', null, { body: big });
    expect(r.status).toBe(413);
    expect(r.body.error).toEqual({ name: 'TooLarge', message: expect.stringMatching(/1 MiB/) });
    // chunked: no Content-Length, the limit is hit while reading
    const chunked = await raw(
      host,
      'POST',
      '/api/op/writeNotebook',
      { 'x-workbench-token': host.token, 'transfer-encoding': 'chunked' },
      big,
    );
    expect(chunked.status).toBe(413);
    expect(fs.existsSync(path.join(host.wsDir, 'notebooks', 'big.swhnb.json'))).toBe(false);
  });

  it('answers 413 for a checkpoint over the limit, without reading it all', async () => {
    const body = new Uint8Array((64 << 10) + 1);
    const r = await raw(host, 'PUT', '/api/runs/some-run/checkpoints/5', { 'x-workbench-token': host.token }, body);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body).error.name).toBe('TooLarge');
  });

  it('has 32 MiB (JSON) and 1 GiB (checkpoint) limits by default, checked before reading', async () => {
    const dflt = await startTestHost();
    try {
      const h = { 'x-workbench-token': dflt.token };
      const json = await raw(dflt, 'POST', '/api/op/listRuns', { ...h, 'content-length': (32 << 20) + 1 }, '');
      expect(json.status).toBe(413);
      expect(JSON.parse(json.body).error.message).toMatch(/32 MiB/);
      const ck = await raw(dflt, 'PUT', '/api/runs/r/checkpoints/1', { ...h, 'content-length': 2 ** 30 + 1 }, '');
      expect(ck.status).toBe(413);
      expect(JSON.parse(ck.body).error.message).toMatch(/1 GiB/);
      const ok = await raw(dflt, 'POST', '/api/op/listRuns', h, JSON.stringify({ args: [] }));
      expect(ok.status).toBe(200);
    } finally {
      await dflt.close();
    }
  });
});

describe('network', () => {
  it('listens on 127.0.0.1 only: other interfaces of this machine refuse the connection', async () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`);
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && !(i.family === 'IPv4' && i.address.startsWith('127.')))
      .filter((i) => i && !i.address.startsWith('fe80'))
      .map((i) => i!.address);
    const results = await Promise.all(others.map((a) => connects(a, host.port)));
    expect(results).toEqual(others.map(() => false));
    expect(await connects('127.0.0.1', host.port)).toBe(true);
  });
});

describe('responses', () => {
  it('carry COOP/COEP on pages, API answers and errors', async () => {
    const answers = [
      await raw(host, 'GET', '/'),
      await raw(host, 'GET', '/missing.js'),
      await raw(host, 'POST', '/api/op/listRuns', {}, '{}'),
      await raw(host, 'POST', '/api/op/listRuns', { 'x-workbench-token': host.token }, '{"args":[]}'),
    ];
    for (const a of answers) {
      expect(a.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(a.headers['cross-origin-embedder-policy']).toBe('require-corp');
    }
    expect(answers.map((a) => a.status)).toEqual([200, 404, 401, 200]);
  });

  it('serve the bundle with the right MIME types, index.html uncached, page paths falling back to it', async () => {
    const index = await raw(host, 'GET', '/');
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(index.headers['cache-control']).toBe('no-store');
    expect(index.body).toMatch(/<title>Workbench/);
    const js = await raw(host, 'GET', '/assets/index-abc123.js');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toMatch(/immutable/);
    const wasm = await raw(host, 'GET', '/wasm/tfjs-backend-wasm.wasm');
    expect(wasm.headers['content-type']).toBe('application/wasm');
    const page = await raw(host, 'GET', '/notebooks/my-notebook?x=1');
    expect(page.status).toBe(200);
    expect(page.body).toBe(index.body);
    expect((await raw(host, 'GET', '/assets/nope.js')).status).toBe(404);
    const dir = await raw(host, 'GET', '/assets/');
    expect(dir.body).not.toMatch(/index-abc123/); // no directory listing
    expect((await raw(host, 'POST', '/')).status).toBe(400);
  });

  it('answer an unknown API route or operation with 404 JSON', async () => {
    const r = await raw(host, 'GET', '/api/nothing', { 'x-workbench-token': host.token });
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body).error.name).toBe('NotFound');
    const u = await op(host, 'deleteEverything', []);
    expect(u.status).toBe(404);
    expect(u.body.error.message).toMatch(/deleteEverything/);
  });

  it('answer 400 for a body that is not JSON, naming the operation', async () => {
    const r = await op(host, 'listRuns', null, { body: '{nope' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^listRuns: the body is not JSON/);
  });
});

function connects(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: address, port, timeout: 2000 });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

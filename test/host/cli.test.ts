// `npm run web` / `npm start`: arguments, the one line it prints, the build check, and a clean stop on SIGINT/SIGTERM.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BuildError, buildReason, ensureRendererBuilt } from '../../electron/host/build';
import { parseWebArgs } from '../../electron/host/cli';
import { fakeDist, ROOT, tmpDir } from './helpers';

const tmp = tmpDir('cli');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('arguments', () => {
  it('parse --port, --workspace and --no-open, with ./workspace of the repository by default', () => {
    expect(parseWebArgs([])).toEqual({ port: null, workspace: path.join(ROOT, 'workspace'), open: true });
    expect(parseWebArgs(['--port', '0', '--workspace', 'ws', '--no-open'], '/home/me')).toEqual({
      port: 0,
      workspace: '/home/me/ws',
      open: false,
    });
    expect(() => parseWebArgs(['--port', 'x'])).toThrow(/--port must be 0-65535/);
    expect(() => parseWebArgs(['--port', '70000'])).toThrow(/--port/);
    expect(() => parseWebArgs(['--workspace'])).toThrow(/--workspace needs a value/);
    expect(() => parseWebArgs(['--bogus'])).toThrow(/unknown argument --bogus/);
  });

  it('are what `npm run web` and `npm start` run', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.web).toBe('node --import tsx electron/host/cli.ts');
    // npm start: the desktop launcher, which falls back to this web host without Electron (test/electron/launcher.test.ts)
    expect(scripts.start).toBe('node --import tsx electron/main/launcher.ts');
  });
});

describe('the build check', () => {
  it('builds only when dist/renderer is missing or older than the sources, and says clearly when it cannot', () => {
    const repo = path.join(tmp, 'repo');
    const dist = path.join(repo, 'dist', 'renderer');
    fs.mkdirSync(path.join(repo, 'renderer'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'engine', 'node'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'renderer', 'main.tsx'), 'x');
    expect(buildReason(repo, dist)).toBe('dist/renderer/index.html is missing');
    const err = (() => {
      try {
        ensureRendererBuilt(repo, dist, () => {});
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(BuildError);
    expect(err!.message).toBe(
      'cannot build the workbench UI: renderer/vite.config.ts does not exist yet (dist/renderer/index.html is missing)',
    );
    fakeDist(dist);
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    fs.utimesSync(path.join(repo, 'renderer', 'main.tsx'), ago(120), ago(120));
    fs.utimesSync(path.join(dist, 'index.html'), ago(60), ago(60)); // built after the last source change
    expect(buildReason(repo, dist)).toBeNull();
    ensureRendererBuilt(repo, dist, () => {}); // up to date: nothing to do, no config needed
    fs.writeFileSync(path.join(repo, 'engine', 'node', 'cli.ts'), 'not bundled'); // engine/node is not in the bundle
    expect(buildReason(repo, dist)).toBeNull();
    fs.writeFileSync(path.join(repo, 'engine', 'model.ts'), 'bundled');
    expect(buildReason(repo, dist)).toBe('the renderer sources changed since the last build');
  });
});

describe('the command', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`prints exactly the address, serves on it, and stops cleanly on ${signal}`, async () => {
      const dist = fakeDist(path.join(tmp, `dist-${signal}`));
      const ws = path.join(tmp, `ws-${signal}`);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'electron/host/cli.ts', '--port', '0', '--workspace', ws, '--no-open'],
        { cwd: ROOT, env: { ...process.env, WORKBENCH_DIST_DIR: dist }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d) => {
          stdout += d;
          if (stdout.includes('\n')) resolve();
        });
        child.once('exit', () => reject(new Error(`exited early: ${stderr}`)));
      });
      const m = /^Workbench at http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{40,})\n$/.exec(stdout);
      expect(m, stdout).not.toBeNull();
      const origin = `http://127.0.0.1:${m![1]}`;
      const page = await fetch(`${origin}/`);
      expect(page.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(await page.text()).toMatch(/Workbench/);
      const api = await fetch(`${origin}/api/op/workspaceInfo`, {
        method: 'POST',
        headers: { 'x-workbench-token': m![2] },
        body: '{"args":[]}',
      });
      expect((await api.json()).result.root).toBe(ws);
      expect(fs.existsSync(path.join(ws, 'notebooks'))).toBe(true);
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stderr).toMatch(new RegExp(`${signal}: stopping`));
      await expect(fetch(`${origin}/`)).rejects.toThrow();
    });
  }

  it('fails with one line when the port is taken', async () => {
    const net = await import('node:net');
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'electron/host/cli.ts',
          '--port',
          String(port),
          '--workspace',
          path.join(tmp, 'w'),
          '--no-open',
        ],
        { cwd: ROOT, env: { ...process.env, WORKBENCH_DIST_DIR: fakeDist(path.join(tmp, 'd')) }, stdio: 'pipe' },
      );
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      expect(await new Promise((r) => child.once('exit', r))).toBe(1);
      expect(stderr.trim()).toBe(`error: port ${port} is in use; pick another with --port N (0: any free)`);
    } finally {
      blocker.close();
    }
  });
});

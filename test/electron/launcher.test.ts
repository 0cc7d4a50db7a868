// `npm start` where Electron cannot be had: ONE line saying so, with the reason, then the web workbench (its address
// on stdout, as `npm run web` prints it). The binary is made unavailable on purpose (ELECTRON_OVERRIDE_DIST_PATH to
// an empty folder, which the electron package honours), so this runs the same on every machine. Also: the reason
// read from a real failed download, and electron-builder's own schema accepting the packaging configuration.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { failureReason } from '../../electron/main/launcher';
import { fakeDist, tmpDir } from '../host/helpers';
import { ROOT } from './build';

/** `npm start`'s command (package.json scripts.start), run with `args` until it prints the address. */
async function npmStart(args: string[], env: Record<string, string>) {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [cmd, ...rest] = pkg.scripts.start.split(/\s+/);
  expect(cmd).toBe('node');
  const child = spawn(process.execPath, [...rest, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no address in 60 s:\n${err}`)), 60_000);
    child.stdout.on('data', () => {
      const m = /Workbench at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => (clearTimeout(t), reject(new Error(`exited ${code}:\n${err}`))));
  });
  const res = await fetch(url);
  const page = await res.text();
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { url, page, out, err };
}

describe('npm start without an Electron binary', () => {
  it('says so in one line with the reason, then serves the web workbench', async () => {
    const dir = tmpDir('launcher');
    const empty = path.join(dir, 'no-electron');
    fs.mkdirSync(empty);
    const r = await npmStart(['--port', '0', '--no-open', '--workspace', path.join(dir, 'ws')], {
      ELECTRON_OVERRIDE_DIST_PATH: empty,
      WORKBENCH_DIST_DIR: fakeDist(path.join(dir, 'dist')),
    });
    const lines = r.err.split('\n').filter(Boolean);
    const notice = lines.filter((l) => /Electron/.test(l));
    expect(notice).toEqual([
      `Electron is not available here (the Electron binary is missing (${path.join(empty, 'electron')})); ` +
        'starting the web workbench instead.',
    ]);
    expect(lines[0]).toBe(notice[0]); // the first thing said
    expect(r.page).toContain('<title>Workbench</title>');
    expect(fs.existsSync(path.join(dir, 'ws', 'notebooks'))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('names the download error of a failed first start', () => {
    const stderr = [
      'TypeError: fetch failed',
      '    at node:internal/deps/undici/undici:14976:13',
      'Error: Electron failed to install correctly. Please delete `node_modules/electron` and run ...',
    ].join('\n');
    expect(failureReason(stderr)).toBe('the Electron binary could not be downloaded: fetch failed');
    expect(failureReason('')).toBe('the Electron binary could not be installed');
  });
});

describe('packaging', () => {
  it("passes electron-builder's own schema, with the targets and the fuses flipped off", async () => {
    const req = createRequire(path.join(ROOT, 'node_modules/app-builder-lib/package.json'));
    const yaml = req('js-yaml') as { load(s: string): Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const { validateConfiguration } = req('./out/util/config/config.js');
    const { DebugLogger } = req('builder-util');
    const config = yaml.load(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8'));
    await validateConfiguration(config, new DebugLogger(false));
    await expect(validateConfiguration({ ...config, notAnOption: 1 }, new DebugLogger(false))).rejects.toThrow();
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
    expect(config.extraMetadata.main).toBe('dist/electron/main/index.cjs');
  });
});

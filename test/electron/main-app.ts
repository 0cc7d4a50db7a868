// Starting the BUILT main process (dist/electron/main/index.cjs) against the fake `electron` module, in a temporary
// folder laid out like an installed app: app/dist/electron/main/ (where the bundle believes it lives, so
// app/dist/renderer is the bundle it serves), app/package.json, app/node_modules (the repo's, for the corpus
// packages); appData/ (userData goes under it) and documents/ (the first start's suggested workspace).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fakeDist, tmpDir, until } from '../host/helpers';
import { MAIN_BUNDLE, ROOT, ensureElectronBuilt } from './build';
import { FakeElectron, loadBundle } from './fake-electron';

export interface MainApp {
  fake: FakeElectron;
  dir: string;
  appDir: string;
  userData: string;
  documents: string;
  /** The workspace folder the app opened (from workspaceInfo). */
  workspace: string;
  /** What a trusted page call answers (the IPC envelope). */
  call(
    op: string,
    ...args: unknown[]
  ): Promise<{ ok: boolean; result?: any; error?: { name: string; message: string } }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stop(): void;
}

/**
 * A temporary folder with the app's layout (reuse it to start the app again, as after a quit or a crash).
 * `distDir`: serve this renderer bundle (linked) instead of a small fake one; `workspace`: remembered in
 * settings.json as if an earlier start had chosen it (no first-start dialog).
 */
export function appFolder(o: { distDir?: string; workspace?: string } = {}): string {
  const dir = tmpDir('electron');
  const appDir = path.join(dir, 'app');
  fs.mkdirSync(path.join(appDir, 'dist/electron/main'), { recursive: true });
  if (o.distDir) fs.symlinkSync(o.distDir, path.join(appDir, 'dist/renderer'));
  else fakeDist(path.join(appDir, 'dist/renderer'));
  fs.writeFileSync(
    path.join(appDir, 'package.json'),
    JSON.stringify({ name: 'switchhead-workbench', version: '9.8.7' }),
  );
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(appDir, 'node_modules'));
  // the PyTorch export's Python sources ship next to the main bundle (electron.vite.config.ts)
  fs.symlinkSync(path.join(path.dirname(MAIN_BUNDLE), 'python'), path.join(appDir, 'dist/electron/main/python'));
  fs.mkdirSync(path.join(dir, 'appData'));
  fs.mkdirSync(path.join(dir, 'documents'));
  if (o.workspace) {
    const userData = path.join(dir, 'appData', 'SwitchHead Workbench');
    fs.mkdirSync(userData);
    fs.writeFileSync(path.join(userData, 'settings.json'), JSON.stringify({ workspace: path.resolve(o.workspace) }));
  }
  return dir;
}

export async function startMain(
  o: { dir?: string; singleInstance?: boolean; setup?: (fake: FakeElectron) => void } = {},
): Promise<MainApp> {
  await ensureElectronBuilt();
  const dir = o.dir ?? appFolder();
  const appDir = path.join(dir, 'app');
  const fake = new FakeElectron({ appData: path.join(dir, 'appData'), documents: path.join(dir, 'documents') });
  fake.singleInstance = o.singleInstance ?? true;
  o.setup?.(fake);
  loadBundle(MAIN_BUNDLE, fake.module(), path.join(appDir, 'dist/electron/main/index.cjs'));
  fake.makeReady();
  const app: MainApp = {
    fake,
    dir,
    appDir,
    userData: path.join(dir, 'appData', 'SwitchHead Workbench'),
    documents: path.join(dir, 'documents'),
    workspace: '',
    call: (op, ...args) => fake.call(op, args),
    stop: () => fake.events.emit('before-quit'),
  };
  if (!fake.singleInstance) return app;
  await until(() => fake.windows.length > 0 || fake.exitCode !== null, 20_000, 'the main window');
  const info = await app.call('workspaceInfo');
  app.workspace = info.ok ? info.result.root : '';
  return app;
}

/** Every file under `dir` with its size and modification time (to show that nothing was written). */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else {
        const st = fs.statSync(p);
        out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

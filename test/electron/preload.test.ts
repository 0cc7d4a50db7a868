// The built preload (dist/electron/preload/index.cjs) with a fake `electron`: it exposes ONE object, with one
// function per Platform operation plus watch, and never ipcRenderer or an IpcRendererEvent. Then the whole path a
// page call takes in the app: renderer/platform/electron.ts -> the preload's bridge -> (IPC, structured clone) ->
// the built main process's handler -> the workspace store, and events back.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { PLATFORM_OPS, PlatformError, type PlatformApi, type WorkspaceEvent } from '../../engine/contracts/platform';
import type { WorkbenchBridge } from '../../electron/preload/bridge';
import { encodeSafetensors } from '../../engine/safetensors';
import { createElectronPlatform, findElectronBridge, type ElectronBridge } from '../../renderer/platform/electron';
import { specFile, until } from '../host/helpers';
import { PRELOAD_BUNDLE } from './build';
import { FakeElectron, loadBundle } from './fake-electron';
import { startMain, type MainApp } from './main-app';

let m: MainApp;
let preload: FakeElectron;
let platform: PlatformApi;

/** Load the preload with its ipcRenderer wired to the main process of `m` (as the window's page). */
function loadPreload(main: MainApp): FakeElectron {
  const f = new FakeElectron({ appData: main.dir, documents: main.dir });
  f.invoke = (channel, args) => main.fake.call(channel, args);
  main.fake.window.webContents.onSend = (channel, args) => {
    for (const listener of f.rendererListeners.get(channel) ?? []) listener({ sender: 'IpcRendererEvent' }, ...args);
  };
  loadBundle(PRELOAD_BUNDLE, f.module());
  return f;
}

beforeAll(async () => {
  m = await startMain();
  preload = loadPreload(m);
  platform = createElectronPlatform(preload.exposed[0][1] as ElectronBridge);
}, 180_000);
afterAll(() => m?.stop());

describe('the preload', () => {
  it('exposes one object, window.workbench, with one function per operation plus watch', () => {
    expect(preload.exposed.length).toBe(1);
    const [key, api] = preload.exposed[0];
    expect(key).toBe('workbench');
    expect(Object.keys(api as object).sort()).toEqual([...Object.keys(PLATFORM_OPS), 'watch'].sort());
    for (const [name, value] of Object.entries(api as object)) expect(typeof value, name).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
    expect(findElectronBridge({ workbench: api })).toBe(api);
    expect(findElectronBridge({})).toBeNull();
  });

  it('never hands out ipcRenderer, and events carry their data only', async () => {
    const api = preload.exposed[0][1] as Record<string, unknown>;
    const ipc = preload.module().ipcRenderer;
    expect(Object.values(api)).not.toContain(ipc);
    const seen: unknown[][] = [];
    const stop = (api.watch as ElectronBridge['watch'])((...args: unknown[]) => void seen.push(args));
    m.fake.window.webContents.send('workbench:event', { type: 'menu', command: 'new-notebook' });
    await until(() => seen.some(([ev]) => (ev as WorkspaceEvent).type === 'menu'));
    for (const args of seen) {
      expect(args.length).toBe(1);
      expect(JSON.stringify(args)).not.toContain('IpcRendererEvent');
    }
    stop();
  });

  it('has the type the renderer expects (checked by the compiler)', () => {
    expectTypeOf<WorkbenchBridge>().toEqualTypeOf<ElectronBridge>();
    expectTypeOf(createElectronPlatform).returns.toEqualTypeOf<PlatformApi>();
  });
});

describe('a page call through preload, IPC and the main process', () => {
  it('reads and writes notebooks, with errors as PlatformErrors by name', async () => {
    const created = await platform.createNotebook('Round trip', '{"cells":[]}');
    const file = await platform.readNotebook('Round trip');
    expect(file).toEqual({ name: 'Round trip', text: '{"cells":[]}', version: created.version });
    const w = await platform.writeNotebook('Round trip', '{"cells":[1]}', created.version);
    expect(w.overwroteNewer).toBe(false);
    expect((await platform.listNotebooks()).map((n) => n.name)).toContain('Round trip');
    const missing = await platform.readNotebook('Nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PlatformError);
    expect((missing as PlatformError).code).toBe('NotFound');
    const conflict = await platform.createNotebook('Round trip', '{}').catch((e: unknown) => e);
    expect((conflict as PlatformError).code).toBe('Conflict');
    const bad = await platform.readNotebook('../../etc/passwd').catch((e: unknown) => e);
    expect((bad as PlatformError).code).toBe('InvalidRequest');
  });

  it('writes a run and its checkpoint bytes, and reads them back', async () => {
    const { id } = await platform.createRun('bytes', specFile());
    await platform.writeRun(id, { kind: 'metrics', rows: [{ step: 1, loss: 2.5 }] });
    const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: new Float32Array([1, 2, 3]) } });
    await platform.writeCheckpoint(id, 1, bytes);
    const back = await platform.readCheckpoint(id, 1);
    expect(back).toBeInstanceOf(Uint8Array);
    expect([...back]).toEqual([...bytes]);
    const junk = await platform.writeCheckpoint(id, 2, new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect((junk as PlatformError).code).toBe('InvalidRequest'); // not safetensors: refused, nothing written
    expect(fs.existsSync(path.join(m.workspace, 'runs', id, 'checkpoints', '2.safetensors'))).toBe(false);
    const read = await platform.readRun(id, { metricsOffset: 0, routingOffset: 0 });
    expect(read.metrics).toEqual([{ step: 1, loss: 2.5 }]);
    expect(fs.existsSync(path.join(m.workspace, 'runs', id, 'metrics.jsonl'))).toBe(true);
    await platform.writeRun(id, { kind: 'release' });
  });

  it('delivers workspace events to watch(), starting with the current listings', async () => {
    const events: WorkspaceEvent[] = [];
    const stop = platform.watch((ev) => events.push(ev));
    await until(() => events.some((e) => e.type === 'notebooks') && events.some((e) => e.type === 'runs'));
    fs.writeFileSync(path.join(m.workspace, 'notebooks', 'Dropped in.swhnb.json'), '{}');
    await until(() => events.some((e) => e.type === 'notebooks' && e.notebooks.some((n) => n.name === 'Dropped in')));
    stop();
    const count = events.length;
    fs.writeFileSync(path.join(m.workspace, 'notebooks', 'After stop.swhnb.json'), '{}');
    await new Promise((r) => setTimeout(r, 900));
    expect(events.length).toBe(count);
  });
});

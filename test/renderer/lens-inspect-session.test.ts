// renderer/runs/inspect-session.ts with the real engine in-process (wasm): a run's checkpoints answer probes in a
// worker of their own, with the numbers of the model that wrote them; views share one worker per run, another step
// reloads it, the last release disposes it; a run this page trains is asked through its own worker; a run without
// the checkpoint asked for is refused naming what is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlatformApi, RunListing } from '../../engine/contracts/platform';
import type { WorkbenchClient } from '../../engine/client';
import { inlineEngineWorker } from '../../engine/node/worker-host';
import { PROTOCOL_VERSION } from '../../engine/protocol';
import { parseSpec } from '../../engine/spec';
import { InspectSessions } from '../../renderer/runs/inspect-session';
import { tinySpecInput } from '../host/helpers';

const spec = parseSpec(tinySpecInput(4));
const TEXT = 'A B C D <sep> A B';
let trainer: WorkbenchClient;
const checkpoints = new Map<number, Uint8Array>();
const probes = new Map<number, number>(); // step -> loss of the training worker's own probe

beforeAll(async () => {
  trainer = inlineEngineWorker();
  await trainer.request('init', { protocol: PROTOCOL_VERSION, spec, backend: ['wasm'] });
  for (let s = 1; s <= 4; s++) {
    await trainer.request('step', {});
    if (s % 2 === 0) {
      checkpoints.set(s, (await trainer.request('saveCheckpoint', {})).bytes.slice());
      probes.set(s, (await trainer.request('probe', { text: TEXT })).report.outputs!.loss);
    }
  }
}, 120_000);
afterAll(() => trainer?.dispose());

function listing(id: string, ckpts: number[]): RunListing {
  return {
    id,
    name: 'tiny',
    status: 'complete',
    writer: 'cli',
    createdAt: null,
    updatedMs: 0,
    lastStep: 4,
    totalSteps: 4,
    metricsBytes: 0,
    routingBytes: 0,
    probes: [],
    checkpoints: ckpts,
  };
}

function fakePlatform(): PlatformApi {
  const runs = [listing('run-a', [2, 4]), listing('run-empty', [])];
  return {
    listRuns: async () => runs,
    readRun: async (id: string) => ({
      listing: runs.find((r) => r.id === id)!,
      specFile: {
        spec,
        engineVersion: '0',
        backend: { name: 'wasm', adapter: '' },
        dataset: '',
        vocabSize: 0,
        createdAt: '',
      },
      summary: null,
      metrics: [],
      routing: [],
      metricsOffset: 0,
      routingOffset: 0,
    }),
    readCheckpoint: async (_id: string, step: number) => checkpoints.get(step)!.slice(),
    loadDataSources: async () => ({}),
  } as unknown as PlatformApi;
}

function sessions(live: Record<string, WorkbenchClient> = {}) {
  const made: WorkbenchClient[] = [];
  const s = new InspectSessions({
    platform: fakePlatform,
    createClient: () => {
      const c = inlineEngineWorker();
      made.push(c);
      return c;
    },
    liveClient: (id) => live[id] ?? null,
    backends: ['wasm'],
    idleMs: 50,
  });
  return { s, made };
}

describe('inspect sessions', () => {
  it('answers probes from the newest checkpoint with the numbers of the model that saved it', async () => {
    const { s, made } = sessions();
    const c = await s.acquire('run-a');
    expect([c.source, c.step]).toEqual(['checkpoint', 4]);
    const tok = (await c.request('tokenize', { text: TEXT })).report;
    expect([tok.length, tok.problem]).toEqual([7, null]);
    const r = (await c.request('probe', { text: TEXT })).report;
    expect(r.step).toBe(4);
    expect(r.outputs!.loss).toBeCloseTo(probes.get(4)!, 5);
    c.release();
    expect(made).toHaveLength(1);
  }, 60_000);

  it('shares one worker per run, reloads it for another step, and disposes it after the last release', async () => {
    const { s, made } = sessions();
    const a = await s.acquire('run-a', { step: 2 });
    const b = await s.acquire('run-a', { step: 4 });
    const [ra, rb] = await Promise.all([a.request('probe', { text: TEXT }), b.request('probe', { text: TEXT })]);
    expect([ra.report.step, rb.report.step]).toEqual([2, 4]);
    expect(ra.report.outputs!.loss).toBeCloseTo(probes.get(2)!, 5);
    expect(made).toHaveLength(1);
    a.release();
    a.release(); // idempotent
    await new Promise((ok) => setTimeout(ok, 120));
    expect(made[0].alive).toBe(true); // b still holds it
    b.release();
    await new Promise((ok) => setTimeout(ok, 120));
    expect(made[0].alive).toBe(false);
    expect(s.size).toBe(0);
    await expect(a.request('tokenize', { text: TEXT })).rejects.toThrow(/released/);
  }, 60_000);

  it('asks a run this page trains through its own worker', async () => {
    const { s, made } = sessions({ 'run-a': trainer });
    const c = await s.acquire('run-a', { live: true });
    expect([c.source, c.step]).toEqual(['live', null]);
    expect((await c.request('probe', { text: TEXT })).report.step).toBe(4);
    expect(made).toHaveLength(0);
    const pinned = await s.acquire('run-a', { step: 2 }); // an explicit step still loads the checkpoint
    expect(pinned.source).toBe('checkpoint');
    pinned.release();
    s.disposeAll();
  }, 60_000);

  it('refuses a run without the checkpoint asked for, naming it', async () => {
    const { s } = sessions();
    await expect(s.acquire('run-empty')).rejects.toThrow(/run run-empty has no checkpoint/);
    await expect(s.acquire('run-a', { step: 3 })).rejects.toThrow(/no checkpoint at step 3 \(checkpoints: 2, 4\)/);
    await expect(s.acquire('run-gone')).rejects.toThrow(/not in the workspace/);
  });

  it('passes the engine’s refusal of an intervention on an expert that does not exist', async () => {
    const { s } = sessions();
    const c = await s.acquire('run-a');
    await expect(
      c.request('probe', {
        text: TEXT,
        interventions: [{ kind: 'ablate', layer: 0, side: 'src', head: 0, expert: 7 }],
      }),
    ).rejects.toThrow(/expert 7 does not exist/);
    c.release();
    s.disposeAll();
  }, 60_000);
});

// The routing-lens reads on WebGPU (Dawn on SwiftShader), through the asynchronous readback a browser needs: a
// probe with interventions, the atlas and the walkthrough trace agree with the same weights on wasm.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ProbeIntervention } from '../../engine/contracts/reports';
import { initBackend } from '../../engine/backend';
import { atlas, atlasAsync } from '../../engine/train/atlas';
import { probe, probeAsync } from '../../engine/train/probe';
import { trace, traceAsync } from '../../engine/train/probe-trace';
import { makeTrainer, SWITCHALL } from '../engine/probe-fixtures';
import { useWebGPU } from './setup';

const TEXT = 'Some years ago, never';
const LIST: ProbeIntervention[] = [
  { kind: 'ablate', layer: 1, side: 'dst', head: 0, expert: 1 },
  { kind: 'force', layer: 0, side: 'src', head: 1, expert: 2, position: 4 },
  { kind: 'uniform', layer: 1, side: 'mlp' },
];

beforeAll(async () => {
  await useWebGPU();
}, 120_000);

describe('probe, atlas and trace on webgpu', () => {
  it('agree with wasm on the same weights', async () => {
    await initBackend(['wasm']);
    const ref = makeTrainer(SWITCHALL, 6);
    const weights = Object.fromEntries(Object.entries(ref.params).map(([n, p]) => [n, p.dataSync().slice()]));
    const want = {
      probe: probe(ref, TEXT, { interventions: LIST }),
      atlas: atlas(ref, { maxTokens: 48 }),
      trace: trace(ref, TEXT, 9, 1),
    };
    ref.dispose();

    await tf.setBackend('webgpu');
    const tr = makeTrainer(SWITCHALL);
    for (const [n, p] of Object.entries(tr.params)) p.assign(tf.tensor(weights[n]!, p.shape));
    const got = await probeAsync(tr, TEXT, { interventions: LIST });
    expect(got.layers.map((l) => [l.src!.idx, l.dst!.idx, l.mlp!.idx])).toEqual(
      want.probe.layers.map((l) => [l.src!.idx, l.dst!.idx, l.mlp!.idx]),
    );
    expect(Math.abs(got.outputs!.loss - want.probe.outputs!.loss)).toBeLessThan(1e-4);
    expect(Math.abs(got.baseline!.loss - want.probe.baseline!.loss)).toBeLessThan(1e-4);
    expect(got.outputs!.top.map((r) => r[0]!.id)).toEqual(want.probe.outputs!.top.map((r) => r[0]!.id));
    const at = await atlasAsync(tr, { maxTokens: 48 });
    expect(at.groups.map((g) => g.counts)).toEqual(want.atlas.groups.map((g) => g.counts));
    const t = await traceAsync(tr, TEXT, 9, 1);
    expect(Math.max(...t.output.map((x, i) => Math.abs(x - want.trace.output[i]!)))).toBeLessThan(1e-4);
    tr.dispose();
  }, 120_000);
});

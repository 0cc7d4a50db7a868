// The oracle's golden files (the 9 shipped, the extra-size fixtures, the MoA/E=1 references, whole training steps) on the webgpu backend (Dawn on SwiftShader
// in Node), with our kernels installed: cvmm by engine/webgpu's WGSL, every other op by tfjs-webgpu.
import { shippedGoldenDir } from '../fixtures/shared';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGolden } from '../../engine/node/golden';
import { useWebGPU } from './setup';

const shipped = shippedGoldenDir();
const extra = ['golden-extra', 'golden-refs', 'golden-train'].map((d) => join(__dirname, '../fixtures', d));
const files = [shipped, ...extra].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    // whole training steps on SwiftShader are slow: the MoA "moa"-mode file (a WGSL regression) and the
    // SwitchHead QKVO file (every cvmm kernel, forward and backward) cover what the wasm and cpu runs do not
    .filter((f) => !f.startsWith('train_') || f === 'train_moa_xl.json' || f === 'train_switchhead_rope_qkvo.json')
    .map((f) => join(dir, f)),
);

beforeAll(async () => {
  await useWebGPU();
}, 120_000);

describe('golden files on webgpu', () => {
  it('finds the 9 shipped files', () => expect(files.filter((f) => f.startsWith(shipped))).toHaveLength(9));
  for (const file of files) {
    it(file.split('/').slice(-2).join('/'), () => {
      const r = checkGolden(JSON.parse(readFileSync(file, 'utf8')), 1e-4);
      expect(r.failed, r.failed.map((c) => `${c.name} err=${c.err}${c.note ? ` (${c.note})` : ''}`).join('; ')).toEqual(
        [],
      );
      expect(r.comparisons.length).toBeGreaterThan(5);
    });
  }
});

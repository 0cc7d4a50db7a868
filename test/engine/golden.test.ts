// DESIGN 2.3: our implementation against the float64 oracle, shipped files and files of other sizes, plus the
// references the oracle lacks (MoA, the E=1 gated head) and whole training steps with the real Trainer.
import { shippedGoldenDir } from '../fixtures/shared';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGolden } from '../../engine/node/golden';
import { useBackend } from './helpers';

const shipped = shippedGoldenDir();
const extra = join(__dirname, '../fixtures/golden-extra');
const refs = join(__dirname, '../fixtures/golden-refs');
const training = join(__dirname, '../fixtures/golden-train');
const files = [shipped, extra, refs, training].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f)),
);

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`golden on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    it('finds the 9 shipped, the extra-size, the reference and the training files', () => {
      expect(files.filter((f) => f.startsWith(shipped))).toHaveLength(9);
      expect(files.filter((f) => f.startsWith(extra)).length).toBeGreaterThanOrEqual(9);
      expect(files.filter((f) => f.startsWith(refs))).toHaveLength(4);
      expect(files.filter((f) => f.startsWith(training))).toHaveLength(3);
    });
    for (const file of files) {
      it(file.split('/').slice(-2).join('/'), () => {
        const r = checkGolden(JSON.parse(readFileSync(file, 'utf8')));
        expect(r.failed).toEqual([]);
        expect(r.comparisons.length).toBeGreaterThan(5);
        expect(r.maxErr).toBeLessThanOrEqual(1e-4);
      });
    }
  });
}

describe('golden check on bad input', () => {
  beforeAll(() => useBackend('wasm'));
  it('reports an unknown component as a failure, not a crash', () => {
    const r = checkGolden({ component: 'flash_attention', config: {} });
    expect(r.failed[0].note).toMatch(/unknown component "flash_attention"/);
  });
  it('fails when a weight is perturbed (the check can fail)', () => {
    const g = JSON.parse(readFileSync(join(shipped, 'switchhead_attention.json'), 'utf8'));
    g.weights.W_v.data[0][0][0] += 0.05;
    expect(checkGolden(g).failed.map((c) => c.name)).toContain('out');
  });
  it('CLI prints PASS/FAIL lines and the summary, exit code 1 on a failure', () => {
    let out = '';
    let code = 0;
    try {
      out = execFileSync(
        'npx',
        ['tsx', 'engine/node/cli/golden.ts', join(shipped, 'dense_attention.json'), join(__dirname, 'helpers.ts')],
        { encoding: 'utf8', cwd: join(__dirname, '../..') },
      );
    } catch (e) {
      code = (e as { status: number }).status;
      out = (e as { stdout: string }).stdout;
    }
    expect(out).toMatch(/^PASS .*dense_attention\.json max_err=/m);
    expect(out).toMatch(/^FAIL .*helpers\.ts file err=Infinity/m);
    expect(out).toMatch(/^1 passed, 1 failed$/m);
    expect(code).toBe(1);
  });
});

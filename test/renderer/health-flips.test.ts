// Flip rates over saved probes: equal to the engine's flipRate per head; each probe file read once however many
// layers, sides and redraws ask; forgotten (and read again) when the run's listing drops a step (a rollback);
// probes of different texts are named, not compared; a failed read is retried.
import { describe, expect, it } from 'vitest';
import type { ProbeReport, ProbeSelection } from '../../engine/contracts/reports';
import { flipRate } from '../../engine/run/routing-health';
import { FlipCache, stripProbe } from '../../renderer/panels/routing-health-flips';

const TOKENS = ['a', 'b', 'c', 'd'];

/** A selection of 4 tokens, 2 heads, k = 2, from a per-(token, head) list of expert pairs. */
function sel(idx: number[][][]): ProbeSelection {
  return {
    idx,
    scores: idx.map((h) => h.map(() => [0.1, 0.2, 0.3, 0.4])),
    gates: idx.map((h) => h.map(() => [0.5, 0.4])),
  };
}

function probe(step: number, src: number[][][], dst: number[][][], tokens = TOKENS): ProbeReport {
  return {
    step,
    text: tokens.join(' '),
    tokens,
    layers: [{ layer: 0, attention: [[[1]]], src: sel(src), dst: sel(dst) }],
  };
}

const same = [
  [
    [0, 1],
    [2, 3],
  ],
  [
    [0, 1],
    [2, 3],
  ],
  [
    [1, 2],
    [0, 3],
  ],
  [
    [3, 0],
    [1, 2],
  ],
];
// head 0 changes at token 1 (0,1 -> 0,2); order changes only (1,2 -> 2,1) is no flip; head 1 changes at tokens 2, 3
const later = [
  [
    [1, 0],
    [2, 3],
  ],
  [
    [0, 2],
    [2, 3],
  ],
  [
    [2, 1],
    [0, 1],
  ],
  [
    [3, 0],
    [1, 3],
  ],
];

function disk(): { files: Map<number, ProbeReport>; read: (run: string, step: number) => Promise<unknown> } {
  const files = new Map<number, ProbeReport>([
    [100, probe(100, same, same)],
    [200, probe(200, later, same)],
    [300, probe(300, later, later)],
  ]);
  return {
    files,
    read: async (_run, step) => {
      const f = files.get(step);
      if (!f) throw new Error(`probes/${step}.json: not found`);
      return JSON.parse(JSON.stringify(f));
    },
  };
}

describe('flip rate over saved probes', () => {
  it('equals the engine’s flipRate per head for each pair of consecutive probes', async () => {
    const d = disk();
    const cache = new FlipCache(d.read);
    const f = await cache.flips('run', [300, 100, 200], 0, 'src');
    expect(f.step).toEqual([200, 300]);
    expect(f.from).toEqual([100, 200]);
    expect(f.heads).toHaveLength(2);
    const [p1, p2, p3] = [100, 200, 300].map((s) => d.files.get(s)!);
    expect(f.heads[0]).toEqual([flipRate(p1!, p2!, 0, 'src', 0), flipRate(p2!, p3!, 0, 'src', 0)]);
    expect(f.heads[0]).toEqual([0.25, 0]);
    expect(f.heads[1]).toEqual([0.5, 0]);
    const dst = await cache.flips('run', [100, 200, 300], 0, 'dst');
    expect(dst.heads).toEqual([
      [0, 0.25],
      [0, 0.5],
    ]);
  });

  it('reads each probe once across layers, sides and repeated calls; re-reads after a rollback', async () => {
    const d = disk();
    const cache = new FlipCache(d.read);
    await cache.flips('run', [100, 200, 300], 0, 'src');
    await cache.flips('run', [100, 200, 300], 0, 'dst');
    await cache.flips('run', [100, 200, 300], 0, 'src');
    expect(cache.reads).toBe(3);
    await cache.flips('other', [100, 200], 0, 'src'); // another run has its own probes
    expect(cache.reads).toBe(5);
    // the run rolls back to step 150 and trains again: step 200 leaves the listing, then a new 200 appears
    cache.retain('run', [100]);
    d.files.set(200, probe(200, same, later));
    const f = await cache.flips('run', [100, 200], 0, 'src');
    expect(cache.reads).toBe(6); // only the re-trained step is read again
    expect(f.heads[0]).toEqual([0]); // the new step-200 probe routes like step 100 on the source side
  });

  it('names pairs of different texts and failed reads instead of comparing them, and retries a failed read', async () => {
    const d = disk();
    d.files.set(200, probe(200, later, same, ['w', 'x', 'y', 'z']));
    const cache = new FlipCache(d.read);
    const f = await cache.flips('run', [100, 200, 400], 0, 'src');
    expect(f.step).toEqual([]);
    expect(f.notes).toEqual([
      'steps 100→200: the probes are of different texts',
      expect.stringMatching(/200→400.*not found/),
    ]);
    d.files.set(400, probe(400, later, same, ['w', 'x', 'y', 'z']));
    const again = await cache.flips('run', [100, 200, 400], 0, 'src');
    expect(again.step).toEqual([400]);
    expect(again.heads[0]).toEqual([0]);
  });

  it('keeps only the selections of a probe, and refuses what is not one', () => {
    const s = stripProbe(probe(100, same, same), 100);
    expect(s.layers[0]!.attention).toEqual([]);
    expect(s.layers[0]!.src!.idx).toEqual(same);
    expect(s.layers[0]!.src!.scores).toEqual([]);
    expect(() => stripProbe({ step: 3 }, 3)).toThrow(/probes\/3\.json is not a probe report/);
  });
});

// LmBatcher: targets shifted by one, rows continue across batches (Transformer-XL), determinism,
// JSON state/restore, fixed evaluation batches, wrap-around, clear errors.
import { describe, expect, it } from 'vitest';
import { LmBatcher } from '../../engine/data/batcher';

const stream = Int32Array.from({ length: 1000 }, (_, i) => i); // token = its position, so offsets are visible
const opts = { batchSize: 4, seqLen: 16, seed: 7 };
const row = (x: Int32Array, b: number, T: number) => Array.from(x.subarray(b * T, (b + 1) * T));

describe('LmBatcher', () => {
  it('targets are the inputs shifted by one, modulo the stream length', () => {
    const batch = new LmBatcher(stream, opts).next();
    expect(batch.input.length).toBe(4 * 16);
    for (let i = 0; i < batch.input.length; i++) expect(batch.target[i]).toBe((batch.input[i] + 1) % 1000);
    expect(batch.mask).toBeUndefined();
  });

  it('row b of batch n+1 continues row b of batch n, and rows start len/B apart', () => {
    const batcher = new LmBatcher(stream, opts);
    const a = batcher.next();
    const b = batcher.next();
    for (let r = 0; r < 4; r++) {
      const last = a.target[r * 16 + 15];
      expect(b.input[r * 16]).toBe(last);
      expect(row(b.input, r, 16)).toEqual(row(a.input, r, 16).map((t) => (t + 16) % 1000));
    }
    const starts = [0, 1, 2, 3].map((r) => a.input[r * 16]);
    for (let r = 1; r < 4; r++) expect((starts[r] - starts[r - 1] + 1000) % 1000).toBe(250);
  });

  it('is deterministic for a seed, and the seed shifts the rows', () => {
    const take = (seed: number) => {
      const bt = new LmBatcher(stream, { ...opts, seed });
      return [bt.next(), bt.next(), bt.next()].map((x) => Array.from(x.input));
    };
    expect(take(7)).toEqual(take(7));
    expect(take(7)).not.toEqual(take(8));
  });

  it('state() is JSON and restore() continues with exactly the same batches', () => {
    const a = new LmBatcher(stream, opts);
    for (let i = 0; i < 5; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const expected = [a.next(), a.next()];
    const b = new LmBatcher(stream, opts);
    b.restore(saved);
    expect([b.next(), b.next()]).toEqual(expected);
    expect(() => new LmBatcher(stream, { ...opts, seed: 8 }).restore(saved)).toThrow(/seed 7/);
    expect(() => new LmBatcher(stream.subarray(1), opts).restore(saved)).toThrow(/different data/);
    expect(() => new LmBatcher(stream, { ...opts, seqLen: 8 }).restore(saved)).toThrow(/different data/);
  });

  it('wraps around the end of the stream, also for streams shorter than a row', () => {
    const short = Int32Array.of(10, 11, 12);
    const batch = new LmBatcher(short, { batchSize: 2, seqLen: 5, seed: 0 }).evalBatches(1)[0];
    expect(row(batch.input, 0, 5)).toEqual([10, 11, 12, 10, 11]);
    expect(row(batch.target, 0, 5)).toEqual([11, 12, 10, 11, 12]);
    const far = new LmBatcher(stream, opts);
    far.restore({ ...far.state(), step: 10_000_000 });
    const x = far.next();
    for (let i = 0; i < x.input.length; i++) expect(x.target[i]).toBe((x.input[i] + 1) % 1000);
  });

  it('evalBatches are fixed, continue row by row, and do not move the training position', () => {
    const bt = new LmBatcher(stream, opts);
    const first = bt.next();
    const ev = bt.evalBatches(3);
    expect(bt.evalBatches(3)).toEqual(ev);
    expect(row(ev[0].input, 1, 16)[0]).toBe(250);
    expect(ev[1].input[16]).toBe(ev[0].target[31]);
    const fresh = new LmBatcher(stream, opts);
    fresh.next();
    expect(bt.next()).toEqual(fresh.next());
    expect(first.input.length).toBe(64);
  });

  it('rejects bad options', () => {
    expect(() => new LmBatcher(Int32Array.of(1), opts)).toThrow(/at least 2 tokens/);
    expect(() => new LmBatcher(stream, { ...opts, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => new LmBatcher(stream, { ...opts, seqLen: 2.5 })).toThrow(/seqLen/);
  });
});

// Autosave: debounced, one write in flight, each write based on the previous version, failures kept for a retry.
import { describe, expect, it } from 'vitest';
import { Autosaver, type SaveState, type WriteOutcome } from '../../renderer/state/notebook-autosave';

function harness(opts: { fail?: boolean; overwrote?: boolean } = {}) {
  const timers: (() => void)[] = [];
  const writes: { text: string; base: string | null }[] = [];
  const states: SaveState[] = [];
  let overwrote = 0;
  let release: (() => void) | null = null;
  let hold = false;
  const saver = new Autosaver(
    {
      delayMs: 500,
      write: async (text, base): Promise<WriteOutcome> => {
        writes.push({ text, base });
        if (hold) await new Promise<void>((r) => (release = r));
        if (opts.fail) throw new Error('disk full');
        return { version: `v${writes.length}`, overwroteNewer: !!opts.overwrote };
      },
      onState: (s) => states.push(s),
      onOverwrote: () => overwrote++,
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => timers.splice(0),
    },
    'v0',
    'initial',
  );
  return {
    saver,
    writes,
    states,
    fire: () => timers.splice(0).forEach((f) => f()),
    hold: (h: boolean) => (hold = h),
    release: () => release?.(),
    overwrote: () => overwrote,
    timers,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Autosaver', () => {
  it('writes only the latest text after the delay, based on the last version', async () => {
    const h = harness();
    h.saver.schedule('a');
    h.saver.schedule('ab');
    h.saver.schedule('abc');
    expect(h.timers.length).toBe(1); // each change restarts the one timer
    h.fire();
    await tick();
    expect(h.writes).toEqual([{ text: 'abc', base: 'v0' }]);
    h.saver.schedule('abcd');
    await h.saver.flush();
    expect(h.writes[1]).toEqual({ text: 'abcd', base: 'v1' });
    expect(h.states.at(-1)).toBe('saved');
    expect(h.saver.version).toBe('v2');
  });

  it('skips a write when the text is back to what is on disk, and says it is saved', async () => {
    const h = harness();
    h.saver.schedule('edit');
    h.saver.schedule('initial'); // undone before the delay ran out
    expect(h.states.at(-1)).toBe('saved');
    await h.saver.flush();
    expect(h.writes).toEqual([]);
  });

  it('knows the versions it read and wrote (events about its own writes are not news)', async () => {
    const h = harness();
    h.saver.schedule('a');
    await h.saver.flush();
    h.saver.schedule('b');
    await h.saver.flush();
    expect(['v0', 'v1', 'v2'].map((v) => h.saver.knows(v))).toEqual([true, true, true]);
    expect(h.saver.knows('v9')).toBe(false);
  });

  it('never has two writes in flight; a change during a write is written after it', async () => {
    const h = harness();
    h.hold(true);
    h.saver.schedule('one');
    const f1 = h.saver.flush();
    await tick();
    h.saver.schedule('two');
    const f2 = h.saver.flush();
    await tick();
    expect(h.writes.length).toBe(1);
    h.hold(false);
    h.release();
    await Promise.all([f1, f2]);
    expect(h.writes).toEqual([
      { text: 'one', base: 'v0' },
      { text: 'two', base: 'v1' },
    ]);
  });

  it('tells when a write replaced someone else’s newer file', async () => {
    const h = harness({ overwrote: true });
    h.saver.schedule('mine');
    await h.saver.flush();
    expect(h.overwrote()).toBe(1);
  });

  it('reports a failed write and keeps the text for the next try', async () => {
    const h = harness({ fail: true });
    h.saver.schedule('x');
    await h.saver.flush();
    expect(h.states.at(-1)).toBe('error');
    expect(h.saver.dirty).toBe(true);
    await h.saver.flush();
    expect(h.writes.map((w) => w.text)).toEqual(['x', 'x']);
  });
});

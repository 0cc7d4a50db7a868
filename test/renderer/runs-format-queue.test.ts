// Pure parts of renderer/runs: the run bar's numbers (durations, rates, bytes, progress and ETA from columns) and
// the run queue (one job at a time on a CPU backend; WebGPU jobs do not hold the slot; front of the line), and the
// live pace (how often a training run's rows reach the panels).
import { afterEach, describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate, progressOf } from '../../renderer/runs/format';
import { LivePace, MAX_MS, MIN_MS } from '../../renderer/runs/live-pace';
import { enqueue, finishJob, queuePosition, setCpuSlots, updateJob, useQueue } from '../../renderer/runs/queue';

describe('run bar numbers', () => {
  it('writes durations as 45s, 1m32s, 2h05m', () => {
    expect(formatDuration(0.4)).toBe('0s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(92)).toBe('1m32s');
    expect(formatDuration(60)).toBe('1m00s');
    expect(formatDuration(2 * 3600 + 5 * 60 + 10)).toBe('2h05m');
    expect(formatDuration(NaN)).toBe('–');
  });

  it('writes rates and bytes', () => {
    expect(formatRate(1840.4)).toBe('1,840 tok/s');
    expect(formatRate(12_500)).toBe('12.5k tok/s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3.2 * 1024 * 1024)).toBe('3.2 MB');
    expect(formatBytes(150 * 1024)).toBe('150 KB');
  });

  it('measures the pace over the recent rows and the time left from it', () => {
    // 10 steps of 0.5 s and 100 tokens each, then 10 of 0.25 s: the recent pace wins
    const step = Array.from({ length: 41 }, (_, i) => i);
    const time_s = step.map((s) => (s <= 20 ? s * 0.5 : 10 + (s - 20) * 0.25));
    const tokens = step.map((s) => s * 100);
    const p = progressOf({ step, tokens, time_s }, 100);
    expect(p.step).toBe(40);
    expect(p.tokensPerS).toBeCloseTo(400, 6); // 20 steps x 100 tokens in 5 s
    expect(p.etaS).toBeCloseTo(60 * 0.25, 6);
    expect(progressOf({ step: [], tokens: [], time_s: [] }, 10)).toEqual({
      step: 0,
      total: 10,
      tokensPerS: null,
      etaS: null,
    });
    expect(progressOf({ step: [3], tokens: [30], time_s: [1] }, 10).etaS).toBeNull();
  });
});

describe('the run queue', () => {
  afterEach(() => {
    for (const id of Object.keys(useQueue.getState().jobs)) finishJob(Number(id));
    setCpuSlots(1);
  });

  const job = (label: string) => ({ cellId: 'c', runId: null, kind: 'new' as const, label });

  it('starts one job at a time on the CPU, the next when it ends', () => {
    const started: string[] = [];
    const a = enqueue(job('a'), () => started.push('a'));
    const b = enqueue(job('b'), () => started.push('b'));
    const c = enqueue(job('c'), () => started.push('c'));
    expect(started).toEqual(['a']);
    const s = useQueue.getState();
    expect([s.jobs[a].state, s.jobs[b].state, s.jobs[c].state]).toEqual(['starting', 'queued', 'queued']);
    expect([queuePosition(s, b), queuePosition(s, c), queuePosition(s, a)]).toEqual([1, 2, 0]);
    finishJob(a);
    expect(started).toEqual(['a', 'b']);
    finishJob(c); // cancelled while waiting: never starts
    finishJob(b);
    expect(started).toEqual(['a', 'b']);
  });

  it('lets a job start beside one that turned out to run on WebGPU; puts a restart first in line', () => {
    const started: string[] = [];
    const a = enqueue(job('a'), () => started.push('a'));
    enqueue(job('b'), () => started.push('b'));
    enqueue(job('r'), () => started.push('r'), { front: true });
    expect(started).toEqual(['a']);
    updateJob(a, { backend: 'webgpu', state: 'running' });
    expect(started).toEqual(['a', 'r']);
    setCpuSlots(2);
    expect(started).toEqual(['a', 'r', 'b']);
  });
});

describe('the live pace', () => {
  it('waits ten times the last update’s cost, between half a second and three seconds', () => {
    const frames: (() => void)[] = [];
    let t = 0;
    const pace = new LivePace(
      (cb) => void frames.push(cb),
      () => t,
    );
    expect(pace.intervalMs).toBe(MIN_MS);
    pace.measure();
    t = 120; // the update took 120 ms to reach the screen (two frames later)
    frames.shift()!();
    expect(pace.intervalMs).toBe(MIN_MS); // not yet: one frame only
    frames.shift()!();
    expect(pace.intervalMs).toBe(1200);
    pace.record(20);
    expect(pace.intervalMs).toBe(MIN_MS);
    pace.record(900);
    expect(pace.intervalMs).toBe(MAX_MS);
    expect(new LivePace(null).intervalMs).toBe(MIN_MS); // no frames (Node): the minimum
  });
});

// Number formatting and nice ticks for chart axes and readouts.
import { describe, expect, it } from 'vitest';
import {
  decimalsFor,
  formatCount,
  formatDuration,
  formatSI,
  formatSignificant,
  formatValue,
  tickFormatter,
} from '../../renderer/charts/format';
import { axisTicks, linearTicks, logTicks, niceStep } from '../../renderer/charts/ticks';

describe('format', () => {
  it('writes numbers the way the sketch shows them', () => {
    expect(formatSI(1_060_000)).toBe('1.06M');
    expect(formatSI(9.8e9)).toBe('9.8G');
    expect(formatSI(1500)).toBe('1.5k');
    expect(formatSI(999_600)).toBe('1M');
    expect(formatSI(-2.5e6)).toBe('-2.5M');
    expect(formatSI(950)).toBe('950');
    expect(formatCount(2015.4)).toBe('2,015');
    expect(`${formatCount(2015)} tok/s`).toBe('2,015 tok/s');
    expect(formatDuration(92)).toBe('1m32s');
    expect(formatDuration(4.54)).toBe('4.5s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(3900)).toBe('1h05m');
    expect(formatDuration(0.25)).toBe('0.25s');
    expect(formatSignificant(0.000123456)).toBe('1.23e-4');
    expect(formatSignificant(1.8391)).toBe('1.84');
    expect(formatSignificant(0.0025)).toBe('2.5e-3');
    expect(tickFormatter('plain', 0.00025)(0.00075)).toBe('7.5e-4');
    expect(tickFormatter('plain', 0.00025)(0)).toBe('0');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(null)).toBe('–');
    expect(formatValue(0.731, 'percent')).toBe('73.1%');
  });

  it('gives tick labels just the decimals their spacing needs', () => {
    expect(decimalsFor(0.25)).toBe(2);
    expect(decimalsFor(0.5)).toBe(1);
    expect(decimalsFor(5)).toBe(0);
    expect(decimalsFor(0.0002)).toBe(4);
    const f = tickFormatter('plain', 0.5);
    expect([1, 1.5, 2].map(f)).toEqual(['1.0', '1.5', '2.0']);
    expect(tickFormatter('count', 2000)(4000)).toBe('4,000');
    expect(tickFormatter('count', 20000)(40000)).toBe('40k');
    expect(tickFormatter('si', 5e8)(1.5e9)).toBe('1.5G');
    expect(tickFormatter('duration', 60)(120)).toBe('2m00s');
    expect(tickFormatter('percent', 0.25)(0.5)).toBe('50%');
  });
});

describe('ticks', () => {
  it('chooses 1-2-2.5-5 steps and ticks inside the domain', () => {
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(1, 4)).toBe(0.25);
    expect(niceStep(730, 5)).toBe(200);
    for (const [lo, hi] of [
      [0, 1],
      [1.83, 5.61],
      [-3, 17],
      [1e-5, 3e-5],
      [1, 100_000],
    ]) {
      const { ticks, step } = linearTicks(lo, hi, 5);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(11);
      for (const t of ticks) {
        expect(t).toBeGreaterThanOrEqual(lo - 1e-12);
        expect(t).toBeLessThanOrEqual(hi + 1e-12);
        expect(Math.abs(t / step - Math.round(t / step))).toBeLessThan(1e-6);
      }
    }
  });

  it('puts decades on a log axis, with 2 and 5 when the range is short', () => {
    expect(logTicks(1, 1e6, 6).ticks).toEqual([1, 10, 100, 1000, 1e4, 1e5, 1e6]);
    expect(logTicks(1, 1e12, 4).ticks).toEqual([1, 1000, 1e6, 1e9, 1e12]);
    expect(logTicks(0.8, 60, 5).ticks).toEqual([1, 2, 5, 10, 20, 50]);
    const narrow = logTicks(1.8, 5.6, 5).ticks; // within one decade: linear ticks, all positive
    expect(narrow.length).toBeGreaterThanOrEqual(2);
    expect(narrow.every((t) => t >= 1.8 && t <= 5.6)).toBe(true);
  });

  it('pads the domain and widens a single value', () => {
    const a = axisTicks([2, 2], {});
    expect(a.domain[0]).toBeLessThan(2);
    expect(a.domain[1]).toBeGreaterThan(2);
    const b = axisTicks([1, 3], { pad: 0.05 });
    expect(b.domain).toEqual([0.9, 3.1]);
    const l = axisTicks([1, 100], { log: true, pad: 0 });
    expect(l.domain[0]).toBeCloseTo(1, 12);
    expect(l.domain[1]).toBeCloseTo(100, 12);
    expect(axisTicks(null, {}).domain).toEqual([0, 1]);
    const one = axisTicks([1, 1], { integer: true, count: 4 }); // a run's first step
    expect(one.domain).toEqual([0, 2]);
    expect(one.ticks).toEqual([0, 1, 2]);
    expect(axisTicks([1, 3], { integer: true, count: 8 }).ticks).toEqual([1, 2, 3]);
  });
});

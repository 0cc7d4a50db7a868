// The lens's pure parts, display: tokens as readable text (whitespace visible), cutting an over-long text to its
// first tokens, colour tables and the data image (NaN transparent), hit-testing and keyboard steps, and the geometry
// that lines the heatmaps up with the attention matrix.
import { describe, expect, it } from 'vitest';
import { cellAt, stepIndex } from '../../renderer/canvas/hit-test';
import { buildLut, lutHex, parseColor } from '../../renderer/canvas/color-lut';
import { fillMatrixPixels, lutIndex } from '../../renderer/canvas/matrix-image';
import { labelStride } from '../../renderer/canvas/axis-labels';
import { CELL_MAX, CELL_MIN, GAP, lensGeometry } from '../../renderer/cells/inspect/lens-layout';
import { cutToTokens, displayToken, displayTokens, tokenTitle } from '../../renderer/cells/inspect/token-display';

describe('token display', () => {
  it('makes whitespace visible and keeps other text as it is', () => {
    expect(displayTokens([' ', '\n', '\t', '\r', 'a', ' the', 'x\ny'])).toEqual([
      '·',
      '↵',
      '→',
      '␍',
      'a',
      '·the',
      'x↵y',
    ]);
  });
  it("shows the byte tokenizer's names for whitespace as symbols, other bytes as they are named", () => {
    expect(displayToken('<0x0a>')).toBe('↵');
    expect(displayToken('<0x09>')).toBe('→');
    expect(displayToken('<0xe2>')).toBe('<0xe2>');
  });
  it('names control characters and the empty token', () => {
    expect(displayToken('\u0000')).toBe('<0x00>');
    expect(displayToken('\u007f')).toBe('<0x7f>');
    expect(displayToken('')).toBe('∅');
    expect(tokenTitle(['a', ' '], 1)).toBe('“·” (#1)');
  });
  it('cuts a text to its first tokens when the tokens rebuild it (bytes, characters, task words)', () => {
    expect(cutToTokens('hello', ['h', 'e', 'l', 'l', 'o'], 3)).toBe('hel');
    expect(cutToTokens('A B C D', ['A', 'B', 'C', 'D'], 2)).toBe('A B');
    expect(cutToTokens('A B C D ', ['A', 'B', 'C', 'D'], 3)).toBe('A B C');
    expect(cutToTokens('héllo', ['h', '<0xc3>', '<0xa9>', 'l', 'l', 'o'], 3)).toBeNull(); // names are not the text
  });
});

describe('colour tables and the data image', () => {
  it('parses hex and rgb() colours', () => {
    expect(parseColor('#fff')).toEqual([255, 255, 255, 255]);
    expect(parseColor('#0a0b0c')).toEqual([10, 11, 12, 255]);
    expect(parseColor('rgb(1, 2, 3)')).toEqual([1, 2, 3, 255]);
    expect(parseColor('rgba(1,2,3,0.5)')).toEqual([1, 2, 3, 128]);
    expect(parseColor('blue')).toBeNull();
  });
  it('samples a scale into 256 entries', () => {
    const lut = buildLut((t) => `rgb(${Math.round(t * 255)}, 0, 0)`);
    expect(lut.length).toBe(1024);
    expect(lutHex(lut, 0)).toBe('#000000');
    expect(lutHex(lut, 255)).toBe('#ff0000');
    expect(() => buildLut(() => 'nope')).toThrow(/not a colour/);
  });
  it('maps values through the transfer, clamps them, and leaves NaN transparent', () => {
    const lut = buildLut((t) => `rgb(${Math.round(t * 255)}, 0, 0)`);
    const px = fillMatrixPixels(Float32Array.from([0, 0.25, 1, 2, -1, NaN]), lut, 'linear');
    expect(Array.from(px.filter((_, i) => i % 4 === 0))).toEqual([0, 64, 255, 255, 0, 0]);
    expect(px[5 * 4 + 3]).toBe(0);
    expect(px[0 * 4 + 3]).toBe(255);
    const sq = fillMatrixPixels(Float32Array.from([0.25]), lut, 'sqrt');
    expect(sq[0]).toBe(128); // sqrt(0.25) = 0.5
    expect(lutIndex(0.25, 'sqrt')).toBe(128);
    expect(() => fillMatrixPixels(new Float32Array(2), lut, 'linear', new Uint8ClampedArray(4))).toThrow(
      /holds 1 cells/,
    );
  });
});

describe('hit-testing', () => {
  it('finds the cell under a point arithmetically, null outside', () => {
    expect(cellAt(0, 0, 100, 50, 5, 10)).toEqual({ row: 0, col: 0 });
    expect(cellAt(99.9, 49.9, 100, 50, 5, 10)).toEqual({ row: 4, col: 9 });
    expect(cellAt(35, 21, 100, 50, 5, 10)).toEqual({ row: 2, col: 3 });
    expect(cellAt(100, 10, 100, 50, 5, 10)).toBeNull();
    expect(cellAt(-1, 10, 100, 50, 5, 10)).toBeNull();
    expect(cellAt(5, 5, 0, 50, 5, 10)).toBeNull();
  });
  it('steps a keyboard index inside 0..n-1', () => {
    expect(stepIndex(null, 1, 5)).toBe(0);
    expect(stepIndex(null, -1, 5)).toBe(4);
    expect(stepIndex(3, 1, 5)).toBe(4);
    expect(stepIndex(4, 1, 5)).toBe(4);
    expect(stepIndex(0, -1, 5)).toBe(0);
  });
  it('draws every n-th label when cells are smaller than the text', () => {
    expect(labelStride(20, 12)).toBe(1);
    expect(labelStride(3, 8)).toBe(3);
  });
});

describe('lens geometry', () => {
  it('gives the token axes one cell size so the heatmaps line up, and fits the width', () => {
    for (const [width, T, right, bottom] of [
      [1000, 12, [4], 4],
      [1000, 256, [8], 8],
      [700, 64, [4, 8], 4],
      [1000, 40, [], null],
    ] as const) {
      const g = lensGeometry(width, T, [...right], bottom, 3);
      expect(g.cell).toBeGreaterThanOrEqual(CELL_MIN);
      expect(g.cell).toBeLessThanOrEqual(CELL_MAX);
      expect(g.width).toBe(
        g.labelDepth + T * g.cell + right.length * GAP + right.reduce((a, b) => a + b, 0) * g.expertCell,
      );
      if (g.cell > CELL_MIN) expect(g.width).toBeLessThanOrEqual(width);
      expect(g.height).toBe(g.labelDepth + T * g.cell + (bottom ? GAP + bottom * g.expertCell : 0));
    }
  });
  it('uses big cells for short probes and small ones for long probes', () => {
    expect(lensGeometry(1000, 12, [4], 4, 3).cell).toBe(CELL_MAX);
    expect(lensGeometry(1000, 256, [8], 8, 1).cell).toBe(3);
  });
  it('leaves room for longer token labels', () => {
    expect(lensGeometry(1000, 12, [4], 4, 12).labelDepth).toBeGreaterThan(lensGeometry(1000, 12, [4], 4, 1).labelDepth);
  });
});

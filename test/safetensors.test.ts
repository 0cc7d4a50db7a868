import { describe, expect, it } from 'vitest';
import {
  CheckpointError,
  checkCompatible,
  compatibilityProblems,
  decodeSafetensors,
  encodeSafetensors,
  type TensorEntry,
} from '../engine/safetensors';

const FILE = 'checkpoint runs/x/checkpoints/200.safetensors';

/** Build a file by hand (as another writer might: no padding, any order), independent of encodeSafetensors. */
function rawFile(header: unknown, data: Uint8Array, headerText?: string): Uint8Array {
  const h = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

function expectCheckpointError(fn: () => unknown, ...parts: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CheckpointError);
  for (const p of parts) expect((err as Error).message).toContain(p);
}

function sample(): Record<string, TensorEntry> {
  const w = new Float32Array(6).map((_, i) => Math.sin(i + 1) * 1e3);
  w[1] = NaN;
  w[2] = -0;
  w[3] = -Infinity;
  return {
    'layers.0.att.W_v': { dtype: 'F32', shape: [2, 3], data: w },
    'opt.m': { dtype: 'F64', shape: [3], data: new Float64Array([Math.PI, -1e-300, 5e300]) },
    'data.pos': { dtype: 'I64', shape: [2], data: new BigInt64Array([-(2n ** 62n) - 3n, 2n ** 53n + 1n]) },
    'rng.state': { dtype: 'I32', shape: [1, 2], data: new Int32Array([-2147483648, 2147483647]) },
    mask: { dtype: 'U8', shape: [5], data: new Uint8Array([0, 1, 255, 7, 9]) },
    empty: { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) },
    scalar: { dtype: 'F64', shape: [], data: new Float64Array([2.5]) },
  };
}

describe('safetensors round trip', () => {
  it('keeps every dtype bit-exactly, plus shapes and metadata', () => {
    const t = sample();
    const bytes = encodeSafetensors(t, { step: '200', spec: '{"a":1}' });
    const { tensors, metadata } = decodeSafetensors(bytes, FILE);
    expect(metadata).toEqual({ step: '200', spec: '{"a":1}' });
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(t).sort());
    for (const [name, e] of Object.entries(t)) {
      const got = tensors[name];
      expect(got.dtype).toBe(e.dtype);
      expect(got.shape).toEqual(e.shape);
      expect(got.data.constructor).toBe(e.data.constructor);
      // compare raw bytes so NaN and -0 count too
      const raw = (a: TensorEntry['data']) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      expect(raw(got.data)).toEqual(raw(e.data));
    }
  });

  it('writes a spec-conformant layout: space-padded 8-aligned header, aligned data, exact tiling', () => {
    const bytes = encodeSafetensors(sample(), { note: 'x' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.startsWith('{')).toBe(true);
    expect(/^[^ ]*\}( *)$/.test(text.replace(/"[^"]*"/g, '""'))).toBe(true); // only trailing spaces as padding
    const header = JSON.parse(text);
    expect(header.__metadata__).toEqual({ note: 'x' });
    type Entry = { dtype: string; data_offsets: [number, number] };
    const entries = Object.entries(header as Record<string, Entry>).filter(([k]) => k !== '__metadata__');
    let pos = 0;
    for (const [, e] of entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0])) {
      expect(e.data_offsets[0]).toBe(pos);
      const item = { F64: 8, I64: 8, F32: 4, I32: 4, U8: 1 }[e.dtype as string]!;
      expect(e.data_offsets[0] % item).toBe(0);
      pos = e.data_offsets[1];
    }
    expect(8 + n + pos).toBe(bytes.length);
  });

  it('decodes a Node Buffer that is a view into a larger pool (as readFileSync returns)', () => {
    const bytes = encodeSafetensors(sample());
    const pool = new Uint8Array(bytes.length + 13).fill(47);
    pool.set(bytes, 5);
    const view = Buffer.from(pool.buffer, 5, bytes.length);
    expect(view.byteOffset).toBe(5);
    const { tensors } = decodeSafetensors(view);
    expect(Array.from(tensors['opt.m'].data as Float64Array)).toEqual([Math.PI, -1e-300, 5e300]);
    expect(Array.from(tensors.mask.data as Uint8Array)).toEqual([0, 1, 255, 7, 9]);
  });

  it('omits __metadata__ when none is given and accepts views into larger buffers', () => {
    const big = new Float32Array([9, 1, 2, 3, 9]);
    const bytes = encodeSafetensors({ w: { dtype: 'F32', shape: [3], data: big.subarray(1, 4) } });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(new TextDecoder().decode(bytes.subarray(8, 8 + n))).not.toContain('__metadata__');
    expect(Array.from(decodeSafetensors(bytes).tensors.w.data as Float32Array)).toEqual([1, 2, 3]);
  });

  it('reads a file written by another writer (unpadded header, tensors out of order, unaligned data)', () => {
    const a = f32Bytes([1.5, -2]);
    const b = new Uint8Array([3]);
    const header = {
      b: { dtype: 'U8', shape: [1], data_offsets: [0, 1] },
      a: { dtype: 'F32', shape: [2], data_offsets: [1, 9] },
    };
    const data = new Uint8Array(9);
    data.set(b, 0);
    data.set(a, 1);
    const { tensors, metadata } = decodeSafetensors(rawFile(header, data));
    expect(metadata).toEqual({});
    expect(Array.from(tensors.a.data as Float32Array)).toEqual([1.5, -2]);
    expect(Array.from(tensors.b.data as Uint8Array)).toEqual([3]);
  });

  it('refuses to encode inconsistent tensors', () => {
    expect(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } })).toThrow(
      /shape \[2, 2\].*3 values/,
    );
    expect(() => encodeSafetensors({ w: { dtype: 'F64', shape: [1], data: new Float32Array(1) } })).toThrow(
      /F64.*Float32Array/,
    );
    expect(() => encodeSafetensors({ __metadata__: { dtype: 'U8', shape: [0], data: new Uint8Array(0) } })).toThrow(
      /cannot be a tensor name/,
    );
  });
});

describe('safetensors validation', () => {
  const good = () => encodeSafetensors(sample(), { step: '200' });

  it('names a truncated file', () => {
    const b = good();
    expectCheckpointError(
      () => decodeSafetensors(b.subarray(0, b.length - 1), FILE),
      FILE,
      'ends past the data section',
      'truncated',
    );
    expectCheckpointError(() => decodeSafetensors(b.subarray(0, 5), FILE), FILE, 'too short');
    expectCheckpointError(() => decodeSafetensors(b.subarray(0, 20), FILE), FILE, 'header length', 'exceeds');
    expectCheckpointError(() => decodeSafetensors(new Uint8Array(0), FILE), '0 bytes');
  });

  it('names a corrupted header', () => {
    const b = good().slice();
    b[8 + 1] = 0x7d; // '{}__metadata__":...' is not JSON
    expectCheckpointError(() => decodeSafetensors(b, FILE), FILE, 'not valid JSON');
    const c = good().slice();
    c[8] = 0x5b; // '[' instead of '{'
    expectCheckpointError(() => decodeSafetensors(c, FILE), "does not start with '{'");
    const d = rawFile(null, new Uint8Array(0), '{"a": "xx"}');
    d[8 + 7] = 0xff; // not UTF-8
    expectCheckpointError(() => decodeSafetensors(d, FILE), 'not valid UTF-8');
    const e = rawFile({ a: 'text' }, new Uint8Array(0));
    expectCheckpointError(() => decodeSafetensors(e, FILE), "tensor 'a': header entry is not an object");
  });

  it('checks sizes against dtype x shape', () => {
    const f = rawFile(
      { 'layers.0.att.W_v': { dtype: 'F32', shape: [32, 32], data_offsets: [0, 2048] } },
      new Uint8Array(2048),
    );
    expectCheckpointError(
      () => decodeSafetensors(f, FILE),
      `${FILE}: tensor 'layers.0.att.W_v' needs 4096 bytes but offsets give 2048`,
    );
  });

  it('rejects overlap, gaps and trailing bytes', () => {
    const overlap = rawFile(
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } },
      new Uint8Array(12),
    );
    expectCheckpointError(() => decodeSafetensors(overlap, FILE), "tensor 'b' [4, 12) overlaps tensor 'a' [0, 8)");
    const gap = rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8));
    expectCheckpointError(() => decodeSafetensors(gap, FILE), 'gap of 4 unused bytes');
    const trailing = rawFile({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(6));
    expectCheckpointError(
      () => decodeSafetensors(trailing, FILE),
      'data section has 6 bytes but the tensors cover only 4',
    );
  });

  it('rejects bad dtypes, shapes, offsets and metadata', () => {
    const one = (entry: unknown, data = new Uint8Array(4)) => rawFile({ t: entry }, data);
    expectCheckpointError(
      () => decodeSafetensors(one({ dtype: 'F16', shape: [2], data_offsets: [0, 4] })),
      "dtype 'F16' is not supported",
    );
    expectCheckpointError(
      () => decodeSafetensors(one({ dtype: 'Q4', shape: [2], data_offsets: [0, 4] })),
      "dtype 'Q4' is unknown",
    );
    expectCheckpointError(
      () => decodeSafetensors(one({ dtype: 'U8', shape: [2, -2], data_offsets: [0, 4] })),
      'shape [2,-2]',
    );
    expectCheckpointError(
      () => decodeSafetensors(one({ dtype: 'U8', shape: [4], data_offsets: [0] })),
      'data_offsets [0]',
    );
    expectCheckpointError(
      () => decodeSafetensors(one({ dtype: 'U8', shape: [0], data_offsets: [4, 0] })),
      'end before they begin',
    );
    const meta = rawFile({ __metadata__: { step: 200 } }, new Uint8Array(0));
    expectCheckpointError(() => decodeSafetensors(meta, FILE), "'__metadata__' entry 'step' is not a string");
  });

  it('handles a tensor named __proto__ as an ordinary name', () => {
    const f = rawFile(null, new Uint8Array([1, 2]), '{"__proto__":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}');
    const { tensors } = decodeSafetensors(f);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Array.from(tensors['__proto__'].data as Uint8Array)).toEqual([1, 2]);
  });
});

describe('checkCompatible', () => {
  const model = {
    emb: { dtype: 'F32', shape: [11, 16] },
    'layers.0.att.W_v': { dtype: 'F32', shape: [8, 16, 8] },
    'layers.0.att.W_o': { dtype: 'F32', shape: [8, 8, 16] },
    step: { dtype: 'I64', shape: [] as number[] },
  };

  it('accepts a checkpoint of the same model', () => {
    const file = decodeSafetensors(
      encodeSafetensors({
        emb: { dtype: 'F32', shape: [11, 16], data: new Float32Array(176) },
        'layers.0.att.W_v': { dtype: 'F32', shape: [8, 16, 8], data: new Float32Array(1024) },
        'layers.0.att.W_o': { dtype: 'F32', shape: [8, 8, 16], data: new Float32Array(1024) },
        step: { dtype: 'I64', shape: [], data: new BigInt64Array(1) },
      }),
    );
    expect(compatibilityProblems(model, file.tensors)).toEqual([]);
    expect(() => checkCompatible(model, file.tensors, FILE)).not.toThrow();
  });

  it('names missing, unexpected and mismatched parameters', () => {
    const got = {
      emb: { dtype: 'F32', shape: [11, 16] },
      'layers.0.att.W_v': { dtype: 'F32', shape: [8, 8, 16] },
      step: { dtype: 'I32', shape: [] },
      'layers.0.att.W_q': { dtype: 'F32', shape: [16, 16] },
      toString: { dtype: 'F32', shape: [1] },
    };
    expect(compatibilityProblems(model, got)).toHaveLength(4);
    expectCheckpointError(
      () => checkCompatible(model, got, FILE),
      `${FILE} does not fit the model`,
      'missing parameters: layers.0.att.W_o',
      'unexpected parameters: layers.0.att.W_q, toString',
      "'layers.0.att.W_v' has shape [8, 8, 16] in the file but the model expects [8, 16, 8]",
      "'step' has dtype I32 in the file but the model expects I64",
    );
  });
});

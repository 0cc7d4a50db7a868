// The safetensors file format (https://huggingface.co/docs/safetensors), for checkpoints.
// Layout: 8-byte little-endian u64 N, then N bytes of UTF-8 JSON header
//   {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}
// padded with spaces, then the data section. Offsets are relative to the start of the data section, the
// tensors tile it exactly (no gaps, no overlap, nothing left over), and the data is little-endian, row-major.
// Engine core: no Node APIs, so it runs in a Web Worker too.

export type Dtype = 'F32' | 'I32' | 'F64' | 'I64' | 'U8';
export type TensorData = Float32Array | Int32Array | Float64Array | BigInt64Array | Uint8Array;

export interface TensorEntry {
  dtype: Dtype;
  shape: number[];
  data: TensorData;
}

export interface TensorInfo {
  dtype: string;
  shape: readonly number[];
}

/** A checkpoint file that cannot be read or does not fit the model. The message names the file and the problem. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const ITEM_BYTES: Record<Dtype, number> = { F64: 8, I64: 8, F32: 4, I32: 4, U8: 1 };
const ARRAY_TYPE = {
  F32: Float32Array,
  I32: Int32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  U8: Uint8Array,
} as const;
// dtypes of the spec that we do not read, so the error can say "not supported" rather than "unknown"
const OTHER_SPEC_DTYPES = ['BOOL', 'I8', 'I16', 'U16', 'U32', 'U64', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2'];
const METADATA_KEY = '__metadata__';
const MAX_HEADER_BYTES = 100 * 1024 * 1024; // the reference implementation refuses larger headers too

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function assertLittleEndianHost(): void {
  if (!LITTLE_ENDIAN_HOST) throw new Error('safetensors: big-endian hosts are not supported');
}

function isDtype(s: unknown): s is Dtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(ITEM_BYTES, s);
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

// ---------------------------------------------------------------------------------------------------------
// encode
// ---------------------------------------------------------------------------------------------------------

function checkEntry(name: string, t: TensorEntry): void {
  if (name === METADATA_KEY) throw new Error(`safetensors: '${METADATA_KEY}' cannot be a tensor name`);
  if (!isDtype(t.dtype))
    throw new Error(
      `safetensors: tensor '${name}' has unknown dtype '${String(t.dtype)}' (supported: ${Object.keys(ITEM_BYTES).join(', ')})`,
    );
  if (!t.shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    throw new Error(`safetensors: tensor '${name}' has an invalid shape [${t.shape.join(', ')}]`);
  }
  if (!(t.data instanceof ARRAY_TYPE[t.dtype])) {
    throw new Error(
      `safetensors: tensor '${name}' is ${t.dtype} but its data is a ${t.data.constructor.name}, not a ${ARRAY_TYPE[t.dtype].name}`,
    );
  }
  if (t.data.length !== numel(t.shape)) {
    throw new Error(
      `safetensors: tensor '${name}' has shape [${t.shape.join(', ')}] (${numel(t.shape)} elements) but ${t.data.length} values`,
    );
  }
}

/**
 * Serialise tensors (and optional string metadata) to safetensors bytes. Like the reference implementation,
 * tensors are laid out by decreasing item size, then by name, so every tensor is aligned to its item size.
 */
export function encodeSafetensors(tensors: Record<string, TensorEntry>, metadata?: Record<string, string>): Uint8Array {
  assertLittleEndianHost();
  const names = Object.keys(tensors);
  for (const name of names) checkEntry(name, tensors[name]);
  names.sort((a, b) => ITEM_BYTES[tensors[b].dtype] - ITEM_BYTES[tensors[a].dtype] || (a < b ? -1 : a > b ? 1 : 0));

  const header: Record<string, unknown> = Object.create(null); // a tensor may be called '__proto__'
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new Error(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const n = t.data.byteLength;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }

  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // pad with spaces so the data section starts 8-aligned
  const headerBytes = new Uint8Array(padded).fill(0x20);
  headerBytes.set(json);
  json = headerBytes;

  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const name of names) {
    const d = tensors[name].data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    pos += d.byteLength;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// decode
// ---------------------------------------------------------------------------------------------------------

interface RawEntry {
  name: string;
  dtype: Dtype;
  shape: number[];
  begin: number;
  end: number;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseEntry(name: string, v: unknown, fail: (msg: string) => never): RawEntry {
  if (!isPlainObject(v)) fail(`tensor '${name}': header entry is not an object`);
  const { dtype, shape, data_offsets: offs } = v;
  if (typeof dtype !== 'string') fail(`tensor '${name}': missing dtype`);
  if (!isDtype(dtype)) {
    const why = OTHER_SPEC_DTYPES.includes(dtype) ? 'is not supported' : 'is unknown';
    fail(`tensor '${name}': dtype '${dtype}' ${why} (supported: ${Object.keys(ITEM_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
    fail(`tensor '${name}': shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
  }
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor '${name}': data_offsets ${JSON.stringify(offs)} is not a pair of non-negative integers`);
  }
  const [begin, end] = offs as number[];
  if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
  const need = numel(shape) * ITEM_BYTES[dtype];
  if (!Number.isSafeInteger(need)) fail(`tensor '${name}': shape [${shape.join(', ')}] is too large`);
  if (need !== end - begin) {
    fail(`tensor '${name}' needs ${need} bytes but offsets give ${end - begin} (${dtype} [${shape.join(', ')}])`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

function parseMetadata(v: unknown, fail: (msg: string) => never): Record<string, string> {
  if (!isPlainObject(v)) fail(`'${METADATA_KEY}' is not an object`);
  for (const [k, s] of Object.entries(v)) {
    if (typeof s !== 'string') fail(`'${METADATA_KEY}' entry '${k}' is not a string (${JSON.stringify(s)})`);
  }
  return v as Record<string, string>;
}

/** The tensors must tile the data section exactly: sorted by begin, each starts where the previous ended. */
function checkTiling(entries: RawEntry[], dataBytes: number, fail: (msg: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: RawEntry | undefined;
  for (const e of sorted) {
    const where = `tensor '${e.name}' [${e.begin}, ${e.end})`;
    if (e.begin < pos) fail(`${where} overlaps tensor '${prev!.name}' [${prev!.begin}, ${prev!.end})`);
    if (e.begin > pos) fail(`${where} leaves a gap of ${e.begin - pos} unused bytes before it (after byte ${pos})`);
    if (e.end > dataBytes)
      fail(`${where} ends past the data section, which has only ${dataBytes} bytes (file truncated?)`);
    pos = e.end;
    prev = e;
  }
  if (pos !== dataBytes) fail(`data section has ${dataBytes} bytes but the tensors cover only ${pos} (trailing bytes)`);
}

/**
 * Parse and fully validate safetensors bytes. `what` names the file in error messages, e.g.
 * "checkpoint runs/x/checkpoints/200.safetensors". Throws CheckpointError naming the exact problem.
 * The returned arrays are copies (aligned), not views into `bytes`.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  what = 'checkpoint',
): { tensors: Record<string, TensorEntry>; metadata: Record<string, string> } {
  assertLittleEndianHost();
  const fail = (msg: string): never => {
    throw new CheckpointError(`${what}: ${msg}`);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length (truncated?)`);
  const n64 = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) {
    fail(
      `header length ${n64} exceeds the ${bytes.length - 8} bytes after the length field (truncated or not a safetensors file)`,
    );
  }
  const n = Number(n64);
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} is larger than the ${MAX_HEADER_BYTES}-byte limit`);
  if (n < 2 || bytes[8] !== 0x7b) fail(`header does not start with '{' (not a safetensors file?)`);

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(header)) fail('header is not a JSON object');

  let metadata: Record<string, string> = {};
  const entries: RawEntry[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) metadata = parseMetadata(v, fail);
    else entries.push(parseEntry(name, v, fail));
  }
  const dataStart = 8 + n;
  checkTiling(entries, bytes.length - dataStart, fail);

  const tensors: Record<string, TensorEntry> = Object.create(null); // names come from the file
  for (const e of entries) {
    // a fresh buffer, aligned for any dtype (not bytes.slice: Node's Buffer.slice returns a view)
    const copy = new Uint8Array(e.end - e.begin);
    copy.set(bytes.subarray(dataStart + e.begin, dataStart + e.end));
    const Ctor = ARRAY_TYPE[e.dtype];
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data: new Ctor(copy.buffer, 0, numel(e.shape)) };
  }
  return { tensors, metadata };
}

// ---------------------------------------------------------------------------------------------------------
// compatibility with a model
// ---------------------------------------------------------------------------------------------------------

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

/** Every way `got` differs from `expected`, one human-readable line each; empty if compatible. */
export function compatibilityProblems(expected: Record<string, TensorInfo>, got: Record<string, TensorInfo>): string[] {
  const problems: string[] = [];
  const missing = Object.keys(expected).filter((k) => !Object.hasOwn(got, k));
  const unexpected = Object.keys(got).filter((k) => !Object.hasOwn(expected, k));
  if (missing.length) problems.push(`missing parameters: ${missing.join(', ')}`);
  if (unexpected.length) problems.push(`unexpected parameters: ${unexpected.join(', ')}`);
  for (const [name, e] of Object.entries(expected)) {
    if (!Object.hasOwn(got, name)) continue;
    const g = got[name];
    if (e.shape.length !== g.shape.length || e.shape.some((s, i) => s !== g.shape[i])) {
      problems.push(`'${name}' has shape ${fmtShape(g.shape)} in the file but the model expects ${fmtShape(e.shape)}`);
    }
    if (e.dtype !== g.dtype)
      problems.push(`'${name}' has dtype ${g.dtype} in the file but the model expects ${e.dtype}`);
  }
  return problems;
}

/** Throw a CheckpointError listing every missing, unexpected and mismatched parameter. */
export function checkCompatible(
  expected: Record<string, TensorInfo>,
  got: Record<string, TensorInfo>,
  fileLabel: string,
): void {
  const problems = compatibilityProblems(expected, got);
  if (problems.length) throw new CheckpointError(`${fileLabel} does not fit the model: ${problems.join('; ')}`);
}

// Reading a growing JSONL file (metrics.jsonl, routing.jsonl) while another process appends to it: by byte offsets,
// whole lines only. A line without its newline yet (torn, or being written right now) is left for the next read.
// Parsing is engine/node/atomic.ts parseJsonl: one reader of run files for the CLI and the app.
import * as fs from 'node:fs';
import { parseJsonl } from '../../engine/node/atomic';

export interface RowsRead {
  rows: unknown[];
  /** Where the next read starts: just after the last whole line returned. */
  offset: number;
  /** The offset asked for was not a line start of the current file (it was rolled back or rewritten): read from 0. */
  restarted: boolean;
}

const NL = 0x0a;

/** Whole lines of `file` from byte `offset`, at most about `maxBytes` of them (the rest on the next call). */
export function readRowsFrom(file: string, offset: number, maxBytes = 8 << 20): RowsRead {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { rows: [], offset: 0, restarted: offset > 0 };
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    let start = offset;
    if (start > size || (start > 0 && byteAt(fd, start - 1) !== NL)) start = 0;
    const len = Math.min(size - start, maxBytes);
    const buf = Buffer.alloc(len);
    const got = len > 0 ? fs.readSync(fd, buf, 0, len, start) : 0;
    let end = buf.subarray(0, got).lastIndexOf(NL) + 1;
    if (end === 0 && got === maxBytes) end = wholeLineEnd(fd, start, size); // one line longer than maxBytes
    const text = end > 0 ? readText(fd, buf, start, end) : '';
    const { records } = parseJsonl(text, `${file} (from byte ${start})`);
    return { rows: records, offset: start + end, restarted: start !== offset };
  } finally {
    fs.closeSync(fd);
  }
}

/** The step of the last whole line of a JSONL file (0 when there is none): the tail is read, not the whole file. */
export function lastStepOf(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 0;
  }
  try {
    const size = fs.fstatSync(fd).size;
    for (let window = 1 << 16; ; window *= 4) {
      const from = Math.max(0, size - window);
      const buf = Buffer.alloc(size - from);
      fs.readSync(fd, buf, 0, buf.length, from);
      const lines = buf.toString('utf8').split('\n');
      lines.pop(); // after the last newline: empty, or a line still being written
      for (let i = lines.length - 1; i >= (from > 0 ? 1 : 0); i--) {
        const step = stepOf(lines[i]);
        if (step !== null) return step;
      }
      if (from === 0) return 0;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function stepOf(line: string): number | null {
  if (!line.trim()) return null;
  try {
    const s = (JSON.parse(line) as { step?: unknown }).step;
    return typeof s === 'number' && Number.isFinite(s) ? s : null;
  } catch {
    return null;
  }
}

function byteAt(fd: number, pos: number): number {
  const b = Buffer.alloc(1);
  fs.readSync(fd, b, 0, 1, pos);
  return b[0];
}

/** End (relative to `start`) of the first whole line at `start`, reading on past the first buffer; 0 if none yet. */
function wholeLineEnd(fd: number, start: number, size: number): number {
  const chunk = Buffer.alloc(1 << 20);
  for (let pos = start; pos < size; pos += chunk.length) {
    const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, size - pos), pos);
    const i = chunk.subarray(0, n).indexOf(NL);
    if (i >= 0) return pos + i + 1 - start;
  }
  return 0;
}

function readText(fd: number, buf: Buffer, start: number, end: number): string {
  if (end <= buf.length) return buf.subarray(0, end).toString('utf8');
  const all = Buffer.alloc(end);
  fs.readSync(fd, all, 0, end, start);
  return all.toString('utf8');
}

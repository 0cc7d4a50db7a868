// Crash-safe file primitives for the run directory (DESIGN 2.2). Synchronous on purpose: a write has
// either happened or not when the call returns, and a crash (SIGKILL, power loss after fsync) leaves
// either the old or the new content of a file, never a mix.
//   writeFileAtomic: temp file in the same directory, fsync, rename over the target, fsync the directory.
//   appendJsonl:     one JSON object per line, one write() per call; a torn last line is repaired first.
//   readJsonl:       ignores a torn last line, throws on a corrupt line anywhere else.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Prefix of temp files; readers of a directory should ignore names that start with it. */
export const TEMP_PREFIX = '.tmp-';

/** The pid that created a temp file of writeFileAtomic (`.tmp-<name>.<pid>.<random>`), or null. */
export function tempFileWriterPid(file: string): number | null {
  const m = /\.(\d+)\.[a-z0-9]+$/.exec(path.basename(file));
  return path.basename(file).startsWith(TEMP_PREFIX) && m ? Number(m[1]) : null;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch (e) {
    // Windows cannot open or fsync a directory; the rename is still atomic there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EACCES') throw e;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Write `data` to `file` so that readers (and a crash at any moment) see either the old or the new content. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  const tmp = path.join(
    dir,
    `${TEMP_PREFIX}${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}`,
  );
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined = fs.openSync(tmp, 'wx');
  try {
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/** Serialise one JSONL record; refuses values JSON cannot represent faithfully at the top level. */
function jsonLine(obj: unknown, file: string): string {
  const line = JSON.stringify(obj);
  if (line === undefined) throw new Error(`appendJsonl ${file}: cannot serialise ${typeof obj} as JSON`);
  return line + '\n'; // JSON.stringify escapes newlines inside strings, so this is exactly one line
}

/**
 * If the file ends in a torn line (a crash in the middle of a write), drop that fragment so the next
 * append starts on a fresh line. A fragment that is complete JSON and only lacks its newline is kept.
 */
function repairTornTail(fd: number): void {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return;
  // find the start of the last line, reading backwards in chunks
  const chunk = Buffer.alloc(Math.min(size, 65536));
  let start = 0;
  for (let end = size; end > 0 && start === 0;) {
    const from = Math.max(0, end - chunk.length);
    fs.readSync(fd, chunk, 0, end - from, from);
    const nl = chunk.subarray(0, end - from).lastIndexOf(0x0a);
    if (nl >= 0) start = from + nl + 1;
    end = from;
  }
  const frag = Buffer.alloc(size - start);
  fs.readSync(fd, frag, 0, frag.length, start);
  if (isJson(frag.toString('utf8'))) fs.writeSync(fd, '\n');
  else fs.ftruncateSync(fd, start);
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

export interface AppendOptions {
  /** fsync after the write (survives power loss, ~ms per call). Default false: survives a process crash. */
  fsync?: boolean;
}

/** Append one JSON object as one line. Creates the file if needed. */
export function appendJsonl(file: string, obj: unknown, opts: AppendOptions = {}): void {
  appendJsonlRows(file, [obj], opts);
}

/** Append JSON objects, one line each, in one write (a crash tears at most the last line). */
export function appendJsonlRows(file: string, rows: unknown[], opts: AppendOptions = {}): void {
  if (rows.length === 0) return;
  const text = Buffer.from(rows.map((r) => jsonLine(r, file)).join(''), 'utf8');
  const fd = fs.openSync(file, 'a+'); // O_APPEND: every write lands at the current end of the file
  try {
    repairTornTail(fd);
    let written = 0;
    while (written < text.length) written += fs.writeSync(fd, text, written, text.length - written);
    if (opts.fsync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Corrupt data in a run file: names the file and (for JSONL) the 1-based line. */
export class RunFileError extends Error {
  override name = 'RunFileError';
}

/**
 * Parse JSONL text. Blank lines are skipped. An unparseable LAST line (no newline after it, or followed only
 * by blank lines) is a torn write from a crash and is ignored; an unparseable line elsewhere throws.
 */
export function parseJsonl<T = unknown>(text: string, label: string): { records: T[]; tornLastLine: boolean } {
  const lines = text.split('\n');
  let lastNonBlank = lines.length - 1;
  while (lastNonBlank >= 0 && lines[lastNonBlank].trim() === '') lastNonBlank--;
  const records: T[] = [];
  let tornLastLine = false;
  for (let i = 0; i <= lastNonBlank; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch (e) {
      if (i === lastNonBlank) {
        tornLastLine = true;
        break;
      }
      const preview = line.length > 80 ? line.slice(0, 80) + '...' : line;
      throw new RunFileError(`${label}: line ${i + 1} is corrupt (${(e as Error).message}): ${preview}`);
    }
  }
  return { records, tornLastLine };
}

/** Read a JSONL file (see parseJsonl). Throws RunFileError naming the file and line of a corrupt middle line. */
export function readJsonl<T = unknown>(file: string): T[] {
  return parseJsonl<T>(fs.readFileSync(file, 'utf8'), file).records;
}

/** Read and parse a JSON file written by writeFileAtomic; the error names the file. */
export function readJson<T = unknown>(file: string): T {
  const text = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new RunFileError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

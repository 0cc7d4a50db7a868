// Notebook files of the workspace: `notebooks/<name>.swhnb.json`, written atomically (temp file + rename, through
// engine/node/atomic.ts) so a reader never sees half a file. A file's version is a hash of its bytes; a write names
// the version it started from, and a file that changed since then is still overwritten (last write wins) but the
// result says so (`overwroteNewer`) so the page can tell the user. The host never parses a notebook: the renderer
// validates it and never rewrites a file it could not read.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NotebookFile, NotebookInfo, WriteResult } from '../../engine/contracts/platform';
import { writeFileAtomic } from '../../engine/node/atomic';
import { conflict, notFound } from './errors';
import { NOTEBOOK_EXT, type WorkspacePaths } from './workspace-paths';
import { moveToTrash } from './workspace-trash';

/** The version of a file's content: 16 hex digits of its SHA-256. */
export function contentVersion(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}

export class NotebookStore {
  constructor(private readonly paths: WorkspacePaths) {}

  /** Notebooks by name (the files that end in .swhnb.json; symlinks out of the workspace are left out). */
  list(): NotebookInfo[] {
    const dir = this.paths.notebooksDir;
    if (!fs.existsSync(dir)) return [];
    const out: NotebookInfo[] = [];
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith(NOTEBOOK_EXT) || f.startsWith('.')) continue;
      const name = f.slice(0, -NOTEBOOK_EXT.length);
      try {
        const file = this.paths.notebookPath(name);
        const st = fs.statSync(file);
        if (st.isFile()) out.push({ name, updatedMs: st.mtimeMs, bytes: st.size });
      } catch {
        // a dangling or outside symlink, or a file removed meanwhile: not listed
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  read(name: string): NotebookFile {
    const file = this.existing(name);
    const bytes = fs.readFileSync(file);
    return { name, text: bytes.toString('utf8'), version: contentVersion(bytes) };
  }

  /** The current version of a notebook, or null when it does not exist. */
  version(name: string): string | null {
    const file = this.paths.notebookPath(name);
    return fs.existsSync(file) ? contentVersion(fs.readFileSync(file)) : null;
  }

  /** Write (create or overwrite) atomically; overwroteNewer when the file is not at `baseVersion` any more. */
  write(name: string, text: string, baseVersion: string | null): WriteResult {
    const file = this.paths.notebookPath(name);
    const current = fs.existsSync(file) ? contentVersion(fs.readFileSync(file)) : null;
    const bytes = Buffer.from(text, 'utf8');
    writeFileAtomic(file, bytes);
    return { version: contentVersion(bytes), overwroteNewer: current !== null && current !== baseVersion };
  }

  /** A new notebook; Conflict when one of that name exists. */
  create(name: string, text: string): WriteResult {
    const file = this.paths.notebookPath(name);
    if (fs.existsSync(file) || isLink(file)) throw conflict(`a notebook named "${name}" already exists`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return this.write(name, text, null);
  }

  /** Rename; Conflict when the new name is taken (never overwrites), NotFound when the old one is missing. */
  rename(from: string, to: string): void {
    const src = this.existing(from);
    const dst = this.paths.notebookPath(to);
    if (from === to) return;
    if (fs.existsSync(dst) || isLink(dst)) throw conflict(`a notebook named "${to}" already exists`);
    try {
      fs.linkSync(src, dst); // fails with EEXIST rather than replacing a file created meanwhile
      fs.unlinkSync(src);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw conflict(`a notebook named "${to}" already exists`);
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw e;
      fs.renameSync(src, dst); // file systems without hard links
    }
  }

  /** Move to trash/notebooks/ (never deleted); returns where it went. */
  trash(name: string): string {
    return moveToTrash(this.paths, this.existing(name), 'notebooks');
  }

  private existing(name: string): string {
    const file = this.paths.notebookPath(name);
    if (!fs.existsSync(file)) throw notFound(`notebook "${name}"`);
    if (!fs.statSync(file).isFile()) throw notFound(`notebook file "${name}${NOTEBOOK_EXT}"`);
    return file;
  }
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

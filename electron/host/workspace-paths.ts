// The workspace folder and the one rule for every path the host touches: it resolves inside the workspace,
// both as written (no `..`, no absolute paths) and after following symlinks (realpath of the path, or of its
// nearest existing ancestor). Anything else is PlatformError('OutsideWorkspace'), answered with HTTP 400.
//   <workspace>/notebooks/<name>.swhnb.json   <workspace>/runs/<run-id>/   <workspace>/trash/   <workspace>/data/
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PlatformError } from '../../engine/contracts/platform';

export const NOTEBOOK_EXT = '.swhnb.json';

/** True when `p` is `base` or lies below it (both absolute). */
export function isWithin(base: string, p: string): boolean {
  const rel = path.relative(base, p);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

export class WorkspacePaths {
  readonly root: string;
  private real: string | null = null;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  get notebooksDir(): string {
    return path.join(this.root, 'notebooks');
  }
  get runsDir(): string {
    return path.join(this.root, 'runs');
  }
  get trashDir(): string {
    return path.join(this.root, 'trash');
  }
  get dataDir(): string {
    return path.join(this.root, 'data');
  }

  /** Create the workspace and its four folders if missing (an existing workspace is left as it is). */
  ensure(): void {
    for (const d of [this.root, this.notebooksDir, this.runsDir, this.trashDir, this.dataDir])
      fs.mkdirSync(d, { recursive: true });
    this.real = fs.realpathSync(this.root);
  }

  /** The workspace root with symlinks resolved. */
  get realRoot(): string {
    this.real ??= fs.realpathSync(this.root);
    return this.real;
  }

  /** `parts` joined under the workspace root; refused when the result, or where a symlink on it leads, is outside. */
  inside(...parts: string[]): string {
    const full = path.resolve(this.root, ...parts);
    if (!isWithin(this.root, full) || full === this.root)
      throw new PlatformError('OutsideWorkspace', `path '${parts.join('/')}' is outside the workspace`);
    this.checkReal(full, parts.join('/'));
    return full;
  }

  /** Refuse `full` if it, or its nearest existing ancestor, resolves (through symlinks) outside the workspace. */
  checkReal(full: string, label = full): void {
    let probe = full;
    while (!fs.existsSync(probe)) {
      const up = path.dirname(probe);
      if (up === probe) return;
      probe = up;
    }
    const real = fs.realpathSync(probe);
    if (!isWithin(this.realRoot, real))
      throw new PlatformError('OutsideWorkspace', `'${label}' leads outside the workspace (to ${real})`);
  }

  notebookPath(name: string): string {
    return this.inside('notebooks', name + NOTEBOOK_EXT);
  }
  runPath(id: string): string {
    return this.inside('runs', id);
  }
}

// Deleting from the workspace: notebooks and runs are moved to `<workspace>/trash/<kind>/`, never removed, so a
// mistaken delete can be undone by hand. A name already in the trash gets a time stamp (and a counter) appended.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkspacePaths } from './workspace-paths';

/** Move `src` (a file or folder inside the workspace) into trash/<kind>/; returns its new path. */
export function moveToTrash(paths: WorkspacePaths, src: string, kind: 'notebooks' | 'runs'): string {
  const dir = paths.inside('trash', kind);
  fs.mkdirSync(dir, { recursive: true });
  const base = path.basename(src);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let i = 0; ; i++) {
    const name = i === 0 ? base : i === 1 ? `${stamp}-${base}` : `${stamp}-${i}-${base}`;
    const dst = path.join(dir, name);
    if (fs.existsSync(dst)) continue;
    fs.renameSync(src, dst); // same file system: the workspace
    return dst;
  }
}

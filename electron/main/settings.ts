// The app's settings in userData/settings.json: the workspace folder (chosen on first start, changeable), the
// notebooks opened recently (File > Open Recent, per workspace) and the folder of the last export. Unknown or
// malformed fields are dropped on read; every change is written atomically (json-file.ts).
import * as path from 'node:path';
import { readJsonFile, writeJsonFile } from './json-file';

export const RECENT_LIMIT = 10;

export interface AppSettings {
  /** Absolute path of the workspace folder; null until the first start has chosen one. */
  workspace: string | null;
  /** Notebook names, most recent first, in `workspace`. */
  recent: string[];
  /** Where the last export was saved (the save dialog opens there). */
  lastExportDir: string | null;
}

const EMPTY: AppSettings = { workspace: null, recent: [], lastExportDir: null };

const absPath = (v: unknown): string | null => (typeof v === 'string' && path.isAbsolute(v) ? v : null);

/** Whatever was on disk, reduced to valid settings. */
export function parseSettings(raw: unknown): AppSettings {
  if (!raw || typeof raw !== 'object') return { ...EMPTY };
  const r = raw as Record<string, unknown>;
  const recent = Array.isArray(r.recent) ? r.recent.filter((n): n is string => typeof n === 'string' && n !== '') : [];
  return {
    workspace: absPath(r.workspace),
    recent: [...new Set(recent)].slice(0, RECENT_LIMIT),
    lastExportDir: absPath(r.lastExportDir),
  };
}

export class SettingsStore {
  private current: AppSettings;

  constructor(readonly file: string) {
    this.current = parseSettings(readJsonFile(file));
  }

  get(): Readonly<AppSettings> {
    return this.current;
  }

  update(patch: Partial<AppSettings>): void {
    this.current = parseSettings({ ...this.current, ...patch });
    writeJsonFile(this.file, this.current);
  }

  /** A notebook was opened: it moves to the front of the recent list. Returns true when the list changed. */
  noteOpened(name: string): boolean {
    const recent = [name, ...this.current.recent.filter((n) => n !== name)].slice(0, RECENT_LIMIT);
    if (recent.join('\n') === this.current.recent.join('\n')) return false;
    this.update({ recent });
    return true;
  }

  /** A notebook was renamed or moved to the trash: the recent list follows. */
  noteRenamed(from: string, to: string | null): boolean {
    if (!this.current.recent.includes(from)) return false;
    const recent = this.current.recent.flatMap((n) => (n === from ? (to ? [to] : []) : [n]));
    this.update({ recent });
    return true;
  }
}

// The window's size and position, remembered in userData/window-state.json (written atomically on close). A saved
// position is used only when the window would still be mostly on one of the current displays (a monitor may have
// been unplugged since); otherwise the window keeps the saved size and the system places it.
import { readJsonFile, writeJsonFile } from './json-file';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const DEFAULT_STATE: WindowState = { width: 1360, height: 900, maximized: false };
export const MIN_SIZE = { width: 720, height: 480 };

const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);

/** The overlap of two rectangles, in pixels². */
function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/** The saved state, checked against the displays' work areas; the default when there is none or it is malformed. */
export function restoreWindowState(raw: unknown, workAreas: readonly Rect[]): WindowState {
  if (!raw || typeof raw !== 'object') return { ...DEFAULT_STATE };
  const r = raw as Record<string, unknown>;
  const width = int(r.width);
  const height = int(r.height);
  if (width === null || height === null) return { ...DEFAULT_STATE };
  const state: WindowState = {
    width: Math.max(MIN_SIZE.width, Math.min(width, 10_000)),
    height: Math.max(MIN_SIZE.height, Math.min(height, 10_000)),
    maximized: r.maximized === true,
  };
  const x = int(r.x);
  const y = int(r.y);
  if (x !== null && y !== null) {
    const rect = { x, y, width: state.width, height: state.height };
    const visible = workAreas.some(
      (a) => overlap(rect, a) >= 0.5 * Math.min(rect.width * rect.height, a.width * a.height),
    );
    if (visible) Object.assign(state, { x, y });
  }
  return state;
}

export function loadWindowState(file: string, workAreas: readonly Rect[]): WindowState {
  return restoreWindowState(readJsonFile(file), workAreas);
}

/** `bounds`: the window's normal (not maximized) bounds. */
export function saveWindowState(file: string, bounds: Rect, maximized: boolean): void {
  writeJsonFile(file, { ...bounds, maximized });
}

// The notebooks of the workspace and the one that is open: list, open, new, rename, trash, autosave through the
// Platform, last-write-wins notices. A file that is newer or corrupt opens read-only with its problem named, gets
// no autosaver at all (so it is never written), and leaves every other notebook usable.
import { create } from 'zustand';
import { NotebookNameSchema, type NotebookInfo } from '../../engine/contracts/platform';
import { getPlatform } from '../platform/context';
import { Autosaver, type SaveState } from './notebook-autosave';
import { getDoc, notebookActions, useNotebook } from './notebook';
import { emptyDoc, parseNotebook, serializeNotebook, type NotebookExtra } from './notebook-schema';
import { viewActions } from './view';

export const AUTOSAVE_MS = 500;
const LAST_KEY = 'swhwb.lastNotebook';

export interface NotebookProblem {
  kind: 'newer' | 'corrupt' | 'unreadable';
  message: string; // completes "“name” ..."
  cellsInFile: number;
  text: string | null; // the start of the file, to show when no cell can be
}

const RAW_PREVIEW = 20_000;

export interface FilesState {
  list: NotebookInfo[];
  listed: boolean; // the first listing arrived
  current: string | null; // the open notebook's name
  problem: NotebookProblem | null; // why the open notebook is read-only
  save: SaveState | 'read-only';
  saveDetail: string | null;
  busy: boolean; // opening or creating
}

export const useFiles = create<FilesState>(() => ({
  list: [],
  listed: false,
  current: null,
  problem: null,
  save: 'saved',
  saveDetail: null,
  busy: false,
}));

let saver: Autosaver | null = null;
let extra: NotebookExtra = {};

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function remember(name: string | null): void {
  try {
    if (name) localStorage.setItem(LAST_KEY, name);
    else localStorage.removeItem(LAST_KEY);
    const hash = name ? `#notebook=${encodeURIComponent(name)}` : '';
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  } catch {
    // no storage: reloads start from the list
  }
}

/** The notebook to open at start: the one in the address (#notebook=...), else the last one opened here. */
export function preferredNotebook(): string | null {
  const m = /^#notebook=(.+)$/.exec(location.hash);
  if (m) return decodeURIComponent(m[1]);
  try {
    return localStorage.getItem(LAST_KEY);
  } catch {
    return null;
  }
}

export function setNotebookList(list: NotebookInfo[]): void {
  useFiles.setState({ list: [...list].sort((a, b) => a.name.localeCompare(b.name)), listed: true });
}

export async function refreshNotebooks(): Promise<void> {
  setNotebookList(await getPlatform().listNotebooks());
}

function attachSaver(name: string, version: string, text: string): void {
  saver = new Autosaver(
    {
      delayMs: AUTOSAVE_MS,
      write: (t, base) => getPlatform().writeNotebook(name, t, base),
      onState: (save, detail) => useFiles.setState({ save, saveDetail: detail ?? null }),
      onOverwrote: () =>
        viewActions.toast('This notebook was changed in another tab; your last save won.', { tone: 'warning' }),
    },
    version,
    text,
  );
}

/** Write what is pending and drop the autosaver of the open notebook. */
async function closeCurrent(): Promise<void> {
  const s = saver;
  saver = null;
  if (s) {
    await s.flush();
    s.dispose();
  }
}

/** Open a notebook (the open one's pending edits are written first, unless `discardPending`: a reload). */
export async function openNotebook(name: string, opts: { discardPending?: boolean } = {}): Promise<void> {
  useFiles.setState({ busy: true });
  try {
    if (opts.discardPending) {
      saver?.dispose();
      saver = null;
    }
    await closeCurrent();
    viewActions.dismissActionToasts(); // an Undo offered for the previous notebook must not act on this one
    const file = await getPlatform().readNotebook(name);
    const parsed = parseNotebook(file.text);
    if (parsed.ok) {
      extra = parsed.extra;
      notebookActions.load(parsed.doc);
      attachSaver(name, file.version, serializeNotebook(parsed.doc, extra));
      useFiles.setState({ current: name, problem: null, save: 'saved', saveDetail: null });
    } else {
      extra = {};
      notebookActions.load(parsed.doc ?? emptyDoc(name), true);
      const problem: NotebookProblem = {
        kind: parsed.kind,
        message: parsed.problem,
        cellsInFile: parsed.cellsInFile,
        text: parsed.doc ? null : file.text.slice(0, RAW_PREVIEW),
      };
      useFiles.setState({ current: name, problem, save: 'read-only' });
    }
    viewActions.focusCell(null);
    viewActions.edit(null);
    remember(name);
  } catch (e) {
    notebookActions.load(emptyDoc(name), true);
    useFiles.setState({
      current: name,
      problem: { kind: 'unreadable', message: `could not be read: ${errText(e)}`, cellsInFile: 0, text: null },
      save: 'read-only',
    });
  } finally {
    useFiles.setState({ busy: false });
  }
}

/** A free name like "Untitled", "Untitled 2", ... */
export function freeName(base: string, taken: readonly string[]): string {
  const set = new Set(taken.map((n) => n.toLowerCase()));
  if (!set.has(base.toLowerCase())) return base;
  for (let i = 2; ; i++) if (!set.has(`${base} ${i}`.toLowerCase())) return `${base} ${i}`;
}

export async function createNotebook(base = 'Untitled'): Promise<string | null> {
  useFiles.setState({ busy: true });
  try {
    await refreshNotebooks();
    const name = freeName(
      base,
      useFiles.getState().list.map((n) => n.name),
    );
    await getPlatform().createNotebook(name, serializeNotebook(emptyDoc(name)));
    await refreshNotebooks();
    await openNotebook(name);
    return name;
  } catch (e) {
    viewActions.toast(`Could not create a notebook: ${errText(e)}`, { tone: 'error' });
    return null;
  } finally {
    useFiles.setState({ busy: false });
  }
}

/** Why a proposed notebook name is not allowed, or null when it is fine. */
export function nameProblem(name: string, others: readonly string[]): string | null {
  const r = NotebookNameSchema.safeParse(name);
  if (!r.success) return r.error.issues[0].message;
  if (others.some((o) => o.toLowerCase() === name.toLowerCase())) return `a notebook named "${name}" exists already`;
  return null;
}

/** Rename a notebook's file; the open notebook's title follows. Returns an error message, or null. */
export async function renameNotebook(from: string, to: string): Promise<string | null> {
  to = to.trim();
  if (to === from) return null;
  const problem = nameProblem(
    to,
    useFiles
      .getState()
      .list.map((n) => n.name)
      .filter((n) => n !== from),
  );
  if (problem) return problem;
  const isOpen = useFiles.getState().current === from;
  try {
    if (isOpen) await saver?.flush();
    await getPlatform().renameNotebook(from, to);
    if (isOpen) {
      useFiles.setState({ current: to });
      remember(to);
    }
    if (isOpen && saver) {
      saver.dispose();
      saver = null;
      const file = await getPlatform().readNotebook(to); // the renamed file's version is the base of the next write
      attachSaver(to, file.version, file.text);
      notebookActions.setTitle(to);
      notebookActions.endBurst();
    }
    await refreshNotebooks();
    return null;
  } catch (e) {
    return errText(e);
  }
}

/** Move a notebook to the workspace's trash; if it was open, open another one (or none). */
export async function trashNotebook(name: string): Promise<void> {
  const wasOpen = useFiles.getState().current === name;
  try {
    if (wasOpen) await closeCurrent();
    await getPlatform().trashNotebook(name);
    await refreshNotebooks();
    viewActions.toast(`“${name}” moved to the workspace trash.`);
    if (wasOpen) {
      const next = useFiles.getState().list[0]?.name ?? null;
      if (next) await openNotebook(next);
      else {
        notebookActions.load(emptyDoc(''), true);
        useFiles.setState({ current: null, problem: null, save: 'saved' });
        remember(null);
      }
    }
  } catch (e) {
    viewActions.toast(`Could not move “${name}” to the trash: ${errText(e)}`, { tone: 'error' });
  }
}

/** Another tab or window wrote a notebook (a workspace event). */
export async function notebookChangedElsewhere(name: string, version: string): Promise<void> {
  const s = saver;
  if (name !== useFiles.getState().current || !s) return;
  await s.flush(); // a write of ours in flight may be the one this event is about
  if (s !== saver || s.knows(version)) return;
  viewActions.toast('This notebook was changed in another tab or window.', {
    tone: 'warning',
    timeoutMs: 0,
    action: { label: 'Reload', run: () => void openNotebook(name, { discardPending: true }) }, // take their version
  });
}

/** Write pending edits now (page hide, before switching). */
export function flushNotebook(): Promise<void> {
  return saver?.flush() ?? Promise.resolve();
}

// Every document change of a writable notebook is scheduled for saving.
useNotebook.subscribe((s, prev) => {
  if (!saver || s.readOnly) return;
  if (s.title === prev.title && s.cellOrder === prev.cellOrder && s.cells === prev.cells) return;
  saver.schedule(serializeNotebook(getDoc(), extra));
});

// Watching the workspace by polling (fs.watch misses appends by other processes on some Linux file systems and
// fires in bursts elsewhere): every ~400 ms the run listing and the notebook folder are stat'ed, and what changed is
// pushed to subscribers as WorkspaceEvents: the whole run listing when a run appears, grows or changes status
// (CLI runs included), the notebook list when it changes, and `notebook-changed` with the new version when a
// notebook file's content changes on disk (the page ignores the version it wrote itself). Polls only while someone
// listens.
import * as fs from 'node:fs';
import type { NotebookInfo, RunListing, WorkspaceEvent } from '../../engine/contracts/platform';
import type { Workspace } from './workspace';

type Handler = (ev: WorkspaceEvent) => void;

export class WorkspaceWatcher {
  private readonly handlers = new Set<Handler>();
  private timer: NodeJS.Timeout | null = null;
  private runsJson = '';
  private notebooksJson = '';
  private readonly versions = new Map<string, { sig: string; version: string }>();

  constructor(
    private readonly ws: Workspace,
    readonly intervalMs = 400,
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** The current state as events (sent to a new subscriber first). */
  snapshot(): WorkspaceEvent[] {
    return [
      { type: 'runs', runs: this.safe(() => this.ws.runs.list(), [] as RunListing[]) },
      { type: 'notebooks', notebooks: this.safe(() => this.ws.notebooks.list(), [] as NotebookInfo[]) },
    ];
  }

  subscribe(handler: Handler): () => void {
    if (this.handlers.size === 0) this.start();
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
      if (this.handlers.size === 0) this.stop();
    };
  }

  /** Compare the workspace with the last poll and emit what changed (also called by the timer). */
  poll(): void {
    const runs = this.safe(() => this.ws.runs.list(), null);
    if (runs) {
      const json = JSON.stringify(runs);
      if (json !== this.runsJson) {
        this.runsJson = json;
        this.emit({ type: 'runs', runs });
      }
    }
    const notebooks = this.safe(() => this.ws.notebooks.list(), null);
    if (!notebooks) return;
    const json = JSON.stringify(notebooks);
    if (json !== this.notebooksJson) {
      this.notebooksJson = json;
      this.emit({ type: 'notebooks', notebooks });
    }
    for (const nb of notebooks) this.checkVersion(nb.name);
    for (const name of this.versions.keys()) if (!notebooks.some((n) => n.name === name)) this.versions.delete(name);
  }

  close(): void {
    this.handlers.clear();
    this.stop();
  }

  private start(): void {
    this.prime();
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Remember the present state so the first poll reports only changes. */
  private prime(): void {
    this.runsJson = JSON.stringify(this.safe(() => this.ws.runs.list(), []));
    const notebooks = this.safe(() => this.ws.notebooks.list(), []);
    this.notebooksJson = JSON.stringify(notebooks);
    this.versions.clear();
    for (const nb of notebooks) this.checkVersion(nb.name, false);
  }

  /** Hash a notebook whose file changed (mtime, size or inode) and report a new version. */
  private checkVersion(name: string, report = true): void {
    this.safe(() => {
      const file = this.ws.paths.notebookPath(name);
      const st = fs.statSync(file);
      const sig = `${st.mtimeMs}:${st.size}:${st.ino}`;
      const known = this.versions.get(name);
      if (known?.sig === sig) return;
      const version = this.ws.notebooks.version(name);
      if (version === null) return;
      this.versions.set(name, { sig, version });
      if (report && known && known.version !== version) this.emit({ type: 'notebook-changed', name, version });
    }, undefined);
  }

  private emit(ev: WorkspaceEvent): void {
    for (const h of [...this.handlers]) {
      try {
        h(ev);
      } catch (e) {
        this.onError(e);
      }
    }
  }

  private safe<T>(f: () => T, fallback: T): T {
    try {
      return f();
    } catch (e) {
      this.onError(e);
      return fallback;
    }
  }
}

// Autosave for one open notebook: debounced, one write in flight at a time, each write based on the version the
// previous one returned (the host writes atomically and says when it overwrote someone else's newer write).
// No DOM and no Platform import: the caller passes `write`, so this is tested with a fake.

export type SaveState = 'saved' | 'unsaved' | 'saving' | 'error';

export interface WriteOutcome {
  version: string;
  overwroteNewer: boolean;
}

export interface AutosaverOptions {
  delayMs: number;
  /** Write the whole file; `baseVersion` is the version last read or written (null for none). */
  write(text: string, baseVersion: string | null): Promise<WriteOutcome>;
  onState(state: SaveState, detail?: string): void;
  /** The file had been changed by someone else since our base version; our write replaced it. */
  onOverwrote?(): void;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

export class Autosaver {
  private pending: string | null = null; // text waiting to be written
  private written: string; // the text on disk as far as we know
  private inFlight: Promise<void> | null = null;
  private timer: unknown = null;
  private disposed = false;
  private failed = false; // the last write failed: flush stops and keeps the text for the next try
  private readonly seen = new Set<string>(); // versions read or written here (bounded)
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (h: unknown) => void;

  constructor(
    private readonly opts: AutosaverOptions,
    private baseVersion: string | null,
    initialText: string,
  ) {
    this.written = initialText;
    if (baseVersion !== null) this.seen.add(baseVersion);
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  get version(): string | null {
    return this.baseVersion;
  }

  /** Whether this saver read or wrote `version` (a workspace event about it is our own write, not someone else's). */
  knows(version: string): boolean {
    return this.seen.has(version);
  }

  get dirty(): boolean {
    return this.pending !== null || this.inFlight !== null;
  }

  /** The document changed: write `text` after the debounce delay (the latest text wins). */
  schedule(text: string): void {
    if (this.disposed) return;
    if (text === this.written && !this.inFlight) {
      this.pending = null; // back to what is on disk (e.g. an edit undone before it was written)
      this.cancelTimer();
      this.opts.onState('saved');
      return;
    }
    this.pending = text;
    this.opts.onState('unsaved');
    this.cancelTimer();
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.delayMs);
  }

  /** Write any pending text now and wait until everything scheduled so far is on disk (or failed). */
  async flush(): Promise<void> {
    this.cancelTimer();
    while (this.inFlight || this.pending !== null) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      const text = this.pending as string;
      this.pending = null;
      if (text === this.written) continue;
      this.inFlight = this.writeOnce(text);
      await this.inFlight;
      this.inFlight = null;
      if (this.failed) return;
    }
  }

  private async writeOnce(text: string): Promise<void> {
    this.opts.onState('saving');
    this.failed = false;
    try {
      const r = await this.opts.write(text, this.baseVersion);
      this.baseVersion = r.version;
      this.written = text;
      this.remember(r.version);
      if (r.overwroteNewer) this.opts.onOverwrote?.();
      if (this.pending === null) this.opts.onState('saved');
    } catch (e) {
      this.failed = true;
      if (this.pending === null) this.pending = text; // keep it: the next change or retry writes it again
      this.opts.onState('error', (e as Error).message);
    }
  }

  private remember(version: string): void {
    this.seen.add(version);
    if (this.seen.size > 100) this.seen.delete(this.seen.values().next().value as string);
  }

  /** Someone else wrote the file and we took their version as our base (a reload). */
  rebase(version: string, text: string): void {
    this.remember(version);
    this.baseVersion = version;
    this.written = text;
    this.pending = null;
    this.cancelTimer();
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }
}

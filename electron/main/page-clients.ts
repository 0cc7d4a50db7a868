// Which page is calling, for the workspace store's run claims (electron/host/app-claims.ts). The web host knows a
// page by the id it sends and by its open event stream; here each page load of the window is a client
// (`window-<contents id>-<load>`), "connected" from its load until it navigates, reloads, crashes or closes. Runs a
// page was writing then turn "interrupted" after the store's grace period, and the renderer offers to resume them.
import type { WebContents } from 'electron';

export interface ClaimsLike {
  streamOpened(clientId: string): void;
  streamClosed(clientId: string): void;
}

export class PageClients {
  private readonly current = new Map<number, string>(); // contents id -> client id of its page now
  private loads = 0;

  constructor(private readonly claims: () => ClaimsLike) {}

  /** Follow `contents`: a new client per page load, the old one closed. */
  attach(contents: WebContents): void {
    this.open(contents.id);
    contents.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) this.open(contents.id);
    });
    contents.on('render-process-gone', () => this.close(contents.id));
    contents.once('destroyed', () => {
      this.close(contents.id);
      this.current.delete(contents.id);
    });
  }

  /** The client id of the page `contents` shows now. */
  idOf(contents: { id: number }): string {
    return this.current.get(contents.id) ?? `window-${contents.id}-unattached`;
  }

  /** The workspace changed: the pages now connected are connected to the new store's claims. */
  reopenAll(): void {
    for (const id of this.current.values()) this.claims().streamOpened(id);
  }

  private open(contentsId: number): void {
    this.close(contentsId);
    const id = `window-${contentsId}-${++this.loads}`;
    this.current.set(contentsId, id);
    this.claims().streamOpened(id);
  }

  private close(contentsId: number): void {
    const id = this.current.get(contentsId);
    if (id && !id.endsWith('-closed')) {
      this.claims().streamClosed(id);
      this.current.set(contentsId, `${id}-closed`);
    }
  }
}

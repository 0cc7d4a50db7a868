// The pages (browser tabs, or Electron windows) that write app runs through this host, and whether each is still
// there. A page is identified by the client id it sends with every request; it counts as connected while it holds
// an event stream open or has made a request within the grace period. A run claimed by a page that went away
// (tab closed, reloaded, crashed) turns "interrupted" once the grace period is over, and can then be claimed again.
// Every other claim (CLI, export, an app claim of another host process) is judged by engine/node/rundir.ts.
import type { ClaimLiveness } from '../../engine/node/rundir';

export class AppClaims {
  private readonly owners = new Map<string, string>(); // run id -> client id
  private readonly lastSeen = new Map<string, number>(); // client id -> ms
  private readonly streams = new Map<string, number>(); // client id -> open event streams

  constructor(
    readonly graceMs = 3000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A request from this page arrived. */
  seen(clientId: string): void {
    this.lastSeen.set(clientId, this.now());
    if (this.lastSeen.size > 1000) this.forgetOldPages();
  }

  streamOpened(clientId: string): void {
    this.streams.set(clientId, (this.streams.get(clientId) ?? 0) + 1);
    this.seen(clientId);
  }

  streamClosed(clientId: string): void {
    const n = (this.streams.get(clientId) ?? 1) - 1;
    if (n > 0) this.streams.set(clientId, n);
    else this.streams.delete(clientId);
    this.seen(clientId); // the grace period starts now
  }

  isConnected(clientId: string): boolean {
    if (this.streams.has(clientId)) return true;
    const t = this.lastSeen.get(clientId);
    return t !== undefined && this.now() - t <= this.graceMs;
  }

  /** The page that writes this run (claimed through this host process), if any. */
  owner(runId: string): string | undefined {
    return this.owners.get(runId);
  }

  /** Is the run's writing page (of this host process) still there? */
  ownerLive(runId: string): boolean {
    const c = this.owners.get(runId);
    return c !== undefined && this.isConnected(c);
  }

  /** For runStatus: an app claim of this very process is live while its page is connected; other claims are
   *  left to RunDir (undefined). */
  readonly claimLive: ClaimLiveness = (claim, runId) =>
    claim.kind === 'app' && claim.pid === process.pid ? this.ownerLive(runId) : undefined;

  setOwner(runId: string, clientId: string): void {
    this.owners.set(runId, clientId);
  }

  release(runId: string): void {
    this.owners.delete(runId);
  }

  /** Drop pages gone for an hour that hold nothing (a long-running host sees a new page id per page load). */
  private forgetOldPages(): void {
    const owning = new Set(this.owners.values());
    const cutoff = this.now() - 3600_000;
    for (const [c, t] of this.lastSeen)
      if (t < cutoff && !owning.has(c) && !this.streams.has(c)) this.lastSeen.delete(c);
  }
}

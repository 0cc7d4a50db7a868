// How often a training run's new metric rows reach the runs store, i.e. how often its panels redraw. The page and the
// training worker share the machine's cores (two, on the machines this was built on): every redraw of the charts is
// time the worker does not get. So the pace adapts: after each update the page measures how long it took to show it
// (to the frame after the one that drew it), and the next update waits DUTY times that, between MIN_MS and MAX_MS.
// The run files are not paced: the recorder writes every batch (platform-sink.ts).

export const MIN_MS = 500;
export const MAX_MS = 3000;
/** The wait is this many times the last update's cost: the panels take at most about 1/DUTY of a core. */
export const DUTY = 10;

type Frame = (cb: () => void) => void;
const defaultFrame: Frame | null =
  typeof requestAnimationFrame === 'function' ? (cb) => requestAnimationFrame(() => cb()) : null;

export class LivePace {
  private wait = MIN_MS;

  constructor(
    private readonly frame: Frame | null = defaultFrame,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long to collect rows before the next update. */
  get intervalMs(): number {
    return this.wait;
  }

  /** An update was just put into the store: time it to the frame after the one that draws it. */
  measure(): void {
    const frame = this.frame;
    if (!frame) return; // no frames (tests in Node): the minimum pace
    const t0 = this.now();
    frame(() => frame(() => this.record(this.now() - t0)));
  }

  /** The last update took `costMs` to show: the next waits DUTY times that (within bounds). */
  record(costMs: number): void {
    this.wait = Math.min(MAX_MS, Math.max(MIN_MS, DUTY * costMs));
  }
}

// The progress display of a headless run: on a TTY one line rewritten in place (step, loss, tokens/s, ETA);
// otherwise (a pipe, a log file, a test) a plain line every `plainEveryS` seconds and at the end.
export interface ProgressInfo {
  step: number;
  steps: number;
  loss: number;
  tokensPerS: number;
  valLoss?: number | null;
  accuracy?: number | null;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  /** Seconds between plain lines when the stream is not a TTY. Default 10. */
  plainEveryS?: number;
  label?: string;
}

/** "1h02m", "3m05s", "12s" */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const t = Math.round(s);
  const h = Math.floor(t / 3600),
    m = Math.floor((t % 3600) / 60),
    sec = t % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

export class Progress {
  private readonly stream: NonNullable<ProgressOptions['stream']>;
  private readonly tty: boolean;
  private readonly plainEveryMs: number;
  private readonly label: string;
  private lastPlain = 0;
  private lastTty = 0;
  private startMs = Date.now();
  private startStep: number | null = null;
  private lastLine = '';
  private valLoss: number | null = null;

  constructor(opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.plainEveryMs = (opts.plainEveryS ?? 10) * 1000;
    this.label = opts.label ? `${opts.label} ` : '';
  }

  /** The line for the current state; the ETA extrapolates the wall time per step since the first update. */
  line(p: ProgressInfo): string {
    if (this.startStep === null) {
      this.startStep = p.step;
      this.startMs = Date.now();
    }
    if (p.valLoss !== undefined && p.valLoss !== null) this.valLoss = p.valLoss;
    const done = p.step - this.startStep;
    const perStep = done > 0 ? (Date.now() - this.startMs) / 1000 / done : NaN;
    const eta = formatDuration(perStep * (p.steps - p.step));
    const pct = ((100 * p.step) / p.steps).toFixed(0).padStart(3);
    const parts = [
      `${this.label}step ${p.step}/${p.steps} (${pct}%)`,
      `loss ${p.loss.toFixed(4)}`,
      ...(this.valLoss !== null ? [`val ${this.valLoss.toFixed(4)}`] : []),
      ...(p.accuracy !== undefined && p.accuracy !== null ? [`acc ${(100 * p.accuracy).toFixed(1)}%`] : []),
      `${p.tokensPerS.toFixed(0)} tok/s`,
      `ETA ${eta}`,
    ];
    return parts.join('  ');
  }

  update(p: ProgressInfo): void {
    const line = this.line(p);
    this.lastLine = line;
    const now = Date.now();
    if (this.tty) {
      if (now - this.lastTty < 100 && p.step !== p.steps) return; // at most ~10 redraws a second
      this.lastTty = now;
      this.stream.write(`\r\x1b[2K${line}`);
      return;
    }
    if (now - this.lastPlain >= this.plainEveryMs || p.step === p.steps) {
      this.lastPlain = now;
      this.stream.write(line + '\n');
    }
  }

  /** A message on its own line (ends the in-place line first on a TTY). */
  log(msg: string): void {
    if (this.tty && this.lastLine) this.stream.write('\r\x1b[2K');
    this.stream.write(msg + '\n');
    if (this.tty && this.lastLine) this.stream.write(this.lastLine);
  }

  /** Finish the in-place line. */
  done(): void {
    if (this.tty && this.lastLine) this.stream.write('\n');
    this.lastLine = '';
  }
}

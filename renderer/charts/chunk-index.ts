// A summary of a growing series in fixed chunks of CHUNK points (first and last x, min, max and last y), kept up to
// date as points are appended (only new chunks are summarised; a rolled-back or replaced series is re-summarised).
// Downsampling a long series then folds whole chunks that fall inside one pixel column instead of their points, with
// exactly the same result: 100k points cost ~100k / CHUNK chunk steps plus the points of chunks that straddle a
// column boundary or hold a NaN.

export const CHUNK = 16;

export class ChunkIndex {
  private n = 0; // points summarised (whole chunks only)
  private seenX = NaN; // xs[n-1] and ys[n-1] when summarised: tells growth from replacement
  private seenY = NaN;
  xFirst = new Float64Array(0);
  xLast = new Float64Array(0);
  lo = new Float64Array(0);
  hi = new Float64Array(0);
  lastY = new Float64Array(0);
  clean = new Uint8Array(0); // 1: every x and y in the chunk is finite and x ascends

  /** Whole chunks available for `xs`/`ys` (after `update`). */
  get chunks(): number {
    return this.n / CHUNK;
  }

  update(xs: ArrayLike<number>, ys: ArrayLike<number>): void {
    const len = Math.min(xs.length, ys.length);
    const grew =
      len >= this.n &&
      (this.n === 0 || (Object.is(xs[this.n - 1], this.seenX) && Object.is(ys[this.n - 1], this.seenY)));
    if (!grew) this.n = 0;
    const total = Math.floor(len / CHUNK);
    if (this.clean.length < total) this.grow(total);
    for (let c = this.n / CHUNK; c < total; c++) {
      const a = c * CHUNK;
      let lo = Infinity,
        hi = -Infinity,
        ok = 1,
        prev = -Infinity;
      for (let i = a; i < a + CHUNK; i++) {
        const x = xs[i],
          y = ys[i];
        if (!(x >= prev) || x === Infinity || x === -Infinity || y !== y || y === Infinity || y === -Infinity) ok = 0;
        prev = x;
        if (y < lo) lo = y;
        if (y > hi) hi = y;
      }
      this.xFirst[c] = xs[a];
      this.xLast[c] = xs[a + CHUNK - 1];
      this.lo[c] = lo;
      this.hi[c] = hi;
      this.lastY[c] = ys[a + CHUNK - 1];
      this.clean[c] = ok;
    }
    this.n = total * CHUNK;
    if (this.n > 0) {
      this.seenX = xs[this.n - 1];
      this.seenY = ys[this.n - 1];
    }
  }

  private grow(total: number): void {
    const cap = Math.max(total, 2 * this.clean.length, 64);
    const g = <T extends Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.xFirst = g(this.xFirst, (n) => new Float64Array(n));
    this.xLast = g(this.xLast, (n) => new Float64Array(n));
    this.lo = g(this.lo, (n) => new Float64Array(n));
    this.hi = g(this.hi, (n) => new Float64Array(n));
    this.lastY = g(this.lastY, (n) => new Float64Array(n));
    this.clean = g(this.clean, (n) => new Uint8Array(n));
  }
}

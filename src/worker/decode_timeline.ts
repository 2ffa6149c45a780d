/**
 * The decode batch of one engine in closed form. Between changes the batch is
 * constant, so step `j` of a segment lasts `base + kc·(S0 + B·j)` (every running
 * sequence reads its KV once and adds one token) and the end of step `n` is
 * `T(n) = t0 + extra0 + n·base + kc·(n·S0 + B·n(n−1)/2)`. A driver needs events only
 * where the batch changes: a completion, a join, a mixed prefill step, a migration.
 * Running sequences sit in a min-heap on the step that emits their last token.
 *
 * @module
 */

import type { Flight } from "./flight.ts";

/**
 * The running sequences of one decode engine and the timing of its current segment.
 *
 * @example
 * ```ts
 * import { DecodeTimeline } from "./decode_timeline.ts";
 * const t = new DecodeTimeline();
 * t.t0 = 0; t.base = 10; t.batchSize = 2; t.s0 = 100;
 * // kc = 0.01 ms per KV token: step 1 = 10 + 1, step 2 = 10 + 1.02.
 * if (Math.abs(t.endOfStep(2, 0.01) - 22.02) > 1e-9) throw new Error("closed form");
 * if (t.firstBoundaryAtOrAfter(15, 0.01) !== 2) throw new Error("boundary search");
 * ```
 */
export class DecodeTimeline {
  /** Running sequences: a min-heap on `lastStep` (then request id). */
  readonly heap: Flight[] = [];
  /** Running sequences in the current segment. */
  batchSize = 0;
  /** Σ context tokens read by the segment's first step. */
  s0 = 0;
  /** Global index of the segment's first step. */
  stepIdx0 = 0;
  /** Segment start time, ms. */
  t0 = 0;
  /** Extra time of the segment's first step (mixed prefill chunk), ms. */
  extra0 = 0;
  /** Fixed part of one decode step for this batch size, ms. */
  base = 0;

  /** End time of the segment's `n`-th step (`n ≥ 0`). */
  endOfStep(n: number, kc: number): number {
    if (n <= 0) return this.t0;
    return this.t0 + this.extra0 + n * this.base +
      kc * (n * this.s0 + this.batchSize * n * (n - 1) / 2);
  }

  /** Smallest `m ≥ 1` whose step end is at or after `nowMs`. */
  firstBoundaryAtOrAfter(nowMs: number, kc: number): number {
    const a = kc * this.batchSize / 2;
    const b = this.base + kc * this.s0 - a;
    const c = this.t0 + this.extra0 - nowMs;
    let m: number;
    if (a > 0) m = Math.ceil((-b + Math.sqrt(Math.max(0, b * b - 4 * a * c))) / (2 * a));
    else if (b > 0) m = Math.ceil(-c / b);
    else m = 1;
    if (!(m >= 1)) m = 1;
    while (m > 1 && this.endOfStep(m - 1, kc) >= nowMs) m--;
    while (this.endOfStep(m, kc) < nowMs) m++;
    return m;
  }

  /** Adds `f` to the running heap. */
  heapPush(f: Flight): void {
    const h = this.heap;
    h.push(f);
    this.#up(h.length - 1, f);
  }

  /** Removes `f` from the running heap. */
  heapRemove(f: Flight): void {
    const h = this.heap;
    const i = f.heapPos;
    const last = h.pop()!;
    f.heapPos = -1;
    if (i === h.length) return;
    h[i] = last;
    last.heapPos = i;
    this.#down(i, last);
    this.#up(last.heapPos, last);
  }

  #less(a: Flight, b: Flight): boolean {
    return a.lastStep < b.lastStep || (a.lastStep === b.lastStep && a.req.id < b.req.id);
  }

  #up(i: number, f: Flight): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(f, h[p])) break;
      h[i] = h[p];
      h[i].heapPos = i;
      i = p;
    }
    h[i] = f;
    f.heapPos = i;
  }

  #down(i: number, f: Flight): void {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.#less(h[c + 1], h[c])) c++;
      if (!this.#less(h[c], f)) break;
      h[i] = h[c];
      h[i].heapPos = i;
      i = c;
    }
    h[i] = f;
    f.heapPos = i;
  }
}

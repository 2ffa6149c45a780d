/**
 * A periodic tick of the simulator (rebalance, fleet samples) that follows the work,
 * not the clock: a tick that finds the fleet idle is parked instead of rescheduled, and
 * the next arrival puts it back on its grid. An idle stretch of any length then costs
 * a few events instead of one per interval.
 *
 * @module
 */

/** One parked-or-running periodic tick on the grid `start + k·intervalMs`. */
export class ParkedTick {
  readonly #intervalMs: number;
  #parkedMs = NaN;

  /** A tick every `intervalMs` simulated ms. */
  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** Whether the tick is parked. */
  get parked(): boolean {
    return this.#parkedMs === this.#parkedMs;
  }

  /** Parks the tick that fired at `nowMs` (it is not rescheduled). */
  park(nowMs: number): void {
    this.#parkedMs = nowMs;
  }

  /**
   * The last grid time the tick skipped while parked (the grid time just before the
   * answer of the latest {@linkcode ParkedTick.resume}), or `NaN` when it skipped none.
   */
  skippedMs = NaN;

  /**
   * Unparks the tick for an arrival at `atMs` and returns when it fires next: the first
   * time of its grid (`parked + k·interval`, k ≥ 1) at or after `atMs`, where it would
   * have fired had it kept firing.
   */
  resume(atMs: number): number {
    const last = this.#parkedMs, step = this.#intervalMs;
    this.#parkedMs = NaN;
    let k = Math.max(1, Math.ceil((atMs - last) / step));
    if (last + k * step < atMs) k++; // rounding
    this.skippedMs = k > 1 ? last + (k - 1) * step : NaN;
    return last + k * step;
  }
}

/**
 * Clocks, injected: the live path (emulator, proxy, load generator) reads time through a
 * {@linkcode Clock} so that a test can drive it by hand. Real clocks live in the layers
 * that may read the machine's clock (`src/engine/clock.ts`); this module holds only the
 * interface and the manual clock.
 *
 * @module
 */

/** A source of "now" in milliseconds (model time where a time scale applies). */
export interface Clock {
  /** The current time, ms, never decreasing. */
  nowMs(): number;
}

/**
 * A clock that moves only when told to: for tests of code that reads a {@linkcode Clock}.
 *
 * @example
 * ```ts
 * import { ManualClock } from "./clock.ts";
 * const c = new ManualClock(10);
 * c.advance(5);
 * if (c.nowMs() !== 15) throw new Error("manual clock");
 * ```
 */
export class ManualClock implements Clock {
  #t: number;

  /** Starts at `startMs` (default 0). */
  constructor(startMs = 0) {
    this.#t = startMs;
  }

  /** The current time, ms. */
  nowMs(): number {
    return this.#t;
  }

  /**
   * Moves the clock forward by `ms`.
   *
   * @throws {RangeError} When `ms` is negative or not finite.
   */
  advance(ms: number): void {
    if (!(ms >= 0 && Number.isFinite(ms))) {
      throw new RangeError(`Cannot advance the clock: 'ms' must be a finite number ≥ 0, got ${ms}`);
    }
    this.#t += ms;
  }

  /**
   * Sets the clock to `ms`.
   *
   * @throws {RangeError} When `ms` is earlier than now.
   */
  set(ms: number): void {
    if (!(ms >= this.#t)) {
      throw new RangeError(`Cannot set the clock: 'ms' must be at least ${this.#t}, got ${ms}`);
    }
    this.#t = ms;
  }
}

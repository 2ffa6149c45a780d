/**
 * The real clock of the live path, scaled: model time runs `scale` times faster than the
 * machine's monotonic clock (`--time-scale F`), so that emulated engines can be driven
 * faster than real time while every figure stays in model time.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";

/**
 * Model time since construction: `(performance.now() − start) × scale`, ms.
 *
 * @example
 * ```ts
 * import { ScaledClock } from "./clock.ts";
 * const c = new ScaledClock(4);
 * const a = c.nowMs();
 * if (!(c.nowMs() >= a) || c.wallMsAt(a) > performance.now()) throw new Error("clock");
 * ```
 */
export class ScaledClock implements Clock {
  /** Model milliseconds per wall millisecond. */
  readonly scale: number;
  readonly #t0: number;

  /**
   * Starts at model time 0 now.
   *
   * @throws {RangeError} When `scale` is not a positive finite number.
   */
  constructor(scale = 1) {
    if (!(scale > 0 && Number.isFinite(scale))) {
      throw new RangeError(`Cannot create clock: 'scale' must be a positive number, got ${scale}`);
    }
    this.scale = scale;
    this.#t0 = performance.now();
  }

  /** Model time now, ms. */
  nowMs(): number {
    return (performance.now() - this.#t0) * this.scale;
  }

  /** The `performance.now()` reading at which model time reaches `modelMs`. */
  wallMsAt(modelMs: number): number {
    return this.#t0 + modelMs / this.scale;
  }
}

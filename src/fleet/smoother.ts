/**
 * Exponentially weighted moving averages of latencies the router observes per worker
 * (TTFT per prefill worker, TPOT per decode worker): the only writers of a snapshot's
 * `ttftMs` and `tpotMs`.
 *
 * @module
 */

import type { WorkerId } from "../core/types.ts";

/**
 * An EWMA per worker over a caller's array (`0` means "no sample yet": the first
 * sample is taken as is).
 *
 * @example
 * ```ts
 * import { Smoother } from "./smoother.ts";
 * const ttftMs = new Float64Array(2);
 * const s = new Smoother(ttftMs, 0.5);
 * s.observe(1, 100);
 * s.observe(1, 200);
 * if (ttftMs[1] !== 150) throw new Error("EWMA");
 * ```
 */
export class Smoother {
  /** The smoothed values, one per worker. */
  readonly values: Float64Array;
  /** Weight of the newest sample, in `(0, 1]`. */
  readonly alpha: number;

  /**
   * Smooths into `values` with weight `alpha` for the newest sample.
   *
   * @throws {RangeError} When `alpha` is not in `(0, 1]`.
   */
  constructor(values: Float64Array, alpha: number) {
    if (!(alpha > 0 && alpha <= 1)) {
      throw new RangeError(`Cannot create Smoother: 'alpha' must be in (0, 1], got ${alpha}`);
    }
    this.values = values;
    this.alpha = alpha;
  }

  /** Folds `sampleMs` into `worker`'s average. */
  observe(worker: WorkerId, sampleMs: number): void {
    const t = this.values;
    t[worker] = t[worker] === 0 ? sampleMs : t[worker] + this.alpha * (sampleMs - t[worker]);
  }
}

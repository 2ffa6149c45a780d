/**
 * A log-bucketed histogram with 0.1% relative resolution: constant memory however
 * many values it sees, exact count, mean, standard deviation, min and max.
 *
 * @module
 */

const MIN_VALUE = 1e-3; // values at or below land in bucket 0
const GROWTH = 1.001; // bucket i covers (MIN·G^(i-1), MIN·G^i]
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(1e10 / MIN_VALUE) / LOG_GROWTH) + 2; // up to 1e10

/** Summary statistics of a distribution. */
export interface DistributionSummary {
  /** Arithmetic mean. */
  mean: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** Largest value. */
  max: number;
  /** Population standard deviation. */
  std: number;
}

/**
 * Streaming histogram of non-negative values.
 *
 * Percentiles use the nearest-rank definition and report the bucket's geometric
 * midpoint clamped to `[min, max]`, so they are within 0.05% of the exact value.
 *
 * @example
 * ```ts
 * import { LogHistogram } from "./histogram.ts";
 * const h = new LogHistogram();
 * for (let i = 1; i <= 100; i++) h.add(i);
 * const p99 = h.percentile(0.99);
 * if (Math.abs(p99 - 99) > 0.1) throw new Error(`p99 = ${p99}`);
 * ```
 */
export class LogHistogram {
  #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #mean = 0;
  #m2 = 0;
  #min = Infinity;
  #max = -Infinity;

  /** Values recorded. */
  get count(): number {
    return this.#count;
  }

  /** Exact mean (`NaN` when empty). */
  get mean(): number {
    return this.#count ? this.#mean : NaN;
  }

  /** Exact population standard deviation (`NaN` when empty). */
  get std(): number {
    return this.#count ? Math.sqrt(this.#m2 / this.#count) : NaN;
  }

  /** Smallest value (`NaN` when empty). */
  get min(): number {
    return this.#count ? this.#min : NaN;
  }

  /** Largest value (`NaN` when empty). */
  get max(): number {
    return this.#count ? this.#max : NaN;
  }

  /** Records `value`; NaN and negative values are ignored. */
  add(value: number): void {
    if (!(value >= 0)) return;
    const i = value <= MIN_VALUE
      ? 0
      : Math.min(BUCKETS - 1, Math.ceil(Math.log(value / MIN_VALUE) / LOG_GROWTH));
    this.#counts[i]++;
    this.#count++;
    const delta = value - this.#mean;
    this.#mean += delta / this.#count;
    this.#m2 += delta * (value - this.#mean);
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
  }

  /** The `q`-quantile, `q` in `[0, 1]` (`NaN` when empty). */
  percentile(q: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i];
      if (seen >= rank) {
        const mid = i === 0 ? MIN_VALUE : MIN_VALUE * Math.pow(GROWTH, i - 0.5);
        return Math.min(this.#max, Math.max(this.#min, mid));
      }
    }
    return this.#max;
  }

  /**
   * Several quantiles in one pass: the same values as {@linkcode LogHistogram.percentile}
   * for each of `qs`, which must be non-decreasing (`NaN`s when empty).
   *
   * @example
   * ```ts
   * import { LogHistogram } from "./histogram.ts";
   * const h = new LogHistogram();
   * for (let i = 1; i <= 100; i++) h.add(i);
   * const [p50, p99] = h.percentiles([0.5, 0.99]);
   * if (p50 !== h.percentile(0.5) || p99 !== h.percentile(0.99)) throw new Error("mismatch");
   * ```
   * @throws {RangeError} When `qs` is not non-decreasing.
   */
  percentiles(qs: readonly number[]): number[] {
    const out: number[] = new Array(qs.length).fill(NaN);
    if (this.#count === 0) return out;
    let seen = 0;
    let i = 0;
    for (let j = 0; j < qs.length; j++) {
      if (j > 0 && !(qs[j] >= qs[j - 1])) {
        throw new RangeError(
          `Cannot compute percentiles: 'qs' must be non-decreasing, got ${qs[j - 1]} then ${qs[j]}`,
        );
      }
      const rank = Math.max(1, Math.ceil(qs[j] * this.#count));
      while (i < BUCKETS && seen + this.#counts[i] < rank) seen += this.#counts[i++];
      if (i === BUCKETS) {
        out[j] = this.#max;
        continue;
      }
      const mid = i === 0 ? MIN_VALUE : MIN_VALUE * Math.pow(GROWTH, i - 0.5);
      out[j] = Math.min(this.#max, Math.max(this.#min, mid));
    }
    return out;
  }

  /** Mean, p50, p90, p99, max and std. */
  summary(): DistributionSummary {
    return {
      mean: this.mean,
      p50: this.percentile(0.5),
      p90: this.percentile(0.9),
      p99: this.percentile(0.99),
      max: this.max,
      std: this.std,
    };
  }
}

/**
 * A bounded time series: values summed into fixed-width time bins that double in
 * width (merging neighbours) whenever time runs past the last bin, so memory stays
 * `maxBins × channels` however long the run.
 *
 * @module
 */

/**
 * Sums and counts of several channels over time bins `[i·binMs, (i+1)·binMs)`.
 *
 * | operation | cost |
 * | --- | --- |
 * | `add` | O(1) amortised (a merge is O(maxBins × channels) and halves the bins) |
 * | `mean`, `sum`, `count` | O(1) |
 *
 * @example
 * ```ts
 * import { TimeBins } from "./time_bins.ts";
 * const bins = new TimeBins(1, 10, 4); // 1 channel, 10 ms bins, at most 4 bins
 * for (let t = 0; t < 80; t += 10) bins.add(t, 0, t);
 * // 8 samples no longer fit in 4 bins of 10 ms: bins are now 20 ms wide.
 * if (bins.binMs !== 20 || bins.length !== 4) throw new Error("expected merged bins");
 * if (bins.mean(0, 0) !== 5) throw new Error("mean of 0 and 10 is 5");
 * ```
 */
export class TimeBins {
  /** Channels per bin. */
  readonly channels: number;
  /** Most bins kept. */
  readonly maxBins: number;
  #binMs: number;
  #sums: Float64Array;
  #counts: Float64Array;
  #length = 0;

  /**
   * Creates empty bins.
   *
   * @param channels Values per bin (positive integer).
   * @param binMs Initial bin width, ms (positive).
   * @param maxBins Most bins kept (an even integer ≥ 2). Default 1024.
   * @throws {RangeError} On a bad argument.
   */
  constructor(channels: number, binMs: number, maxBins = 1024) {
    if (!Number.isInteger(channels) || channels < 1) {
      throw new RangeError(
        `Cannot create TimeBins: 'channels' must be a positive integer, got ${channels}`,
      );
    }
    if (!(binMs > 0) || !Number.isFinite(binMs)) {
      throw new RangeError(
        `Cannot create TimeBins: 'binMs' must be a positive number, got ${binMs}`,
      );
    }
    if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins % 2 !== 0) {
      throw new RangeError(
        `Cannot create TimeBins: 'maxBins' must be an even integer >= 2, got ${maxBins}`,
      );
    }
    this.channels = channels;
    this.maxBins = maxBins;
    this.#binMs = binMs;
    this.#sums = new Float64Array(maxBins * channels);
    this.#counts = new Float64Array(maxBins * channels);
  }

  /** Current bin width, ms. */
  get binMs(): number {
    return this.#binMs;
  }

  /** Bins in use (one past the last bin that received a value). */
  get length(): number {
    return this.#length;
  }

  /** Adds `value` to `channel` at time `tMs` (≥ 0; negative times go to bin 0). */
  add(tMs: number, channel: number, value: number): void {
    let i = Math.max(0, Math.floor(tMs / this.#binMs));
    while (i >= this.maxBins) {
      this.#halve();
      i = Math.floor(tMs / this.#binMs);
    }
    if (i >= this.#length) this.#length = i + 1;
    const k = i * this.channels + channel;
    this.#sums[k] += value;
    this.#counts[k]++;
  }

  /** Start of bin `i`, ms. */
  startMs(i: number): number {
    return i * this.#binMs;
  }

  /** Sum of `channel` in bin `i`. */
  sum(i: number, channel: number): number {
    return this.#sums[i * this.channels + channel];
  }

  /** Values added to `channel` in bin `i`. */
  count(i: number, channel: number): number {
    return this.#counts[i * this.channels + channel];
  }

  /** Mean of `channel` in bin `i` (`NaN` when the bin got no value). */
  mean(i: number, channel: number): number {
    const k = i * this.channels + channel;
    return this.#counts[k] > 0 ? this.#sums[k] / this.#counts[k] : NaN;
  }

  #halve(): void {
    const c = this.channels, s = this.#sums, n = this.#counts;
    const half = this.maxBins / 2;
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < c; j++) {
        s[i * c + j] = s[2 * i * c + j] + s[(2 * i + 1) * c + j];
        n[i * c + j] = n[2 * i * c + j] + n[(2 * i + 1) * c + j];
      }
    }
    s.fill(0, half * c);
    n.fill(0, half * c);
    this.#length = Math.ceil(this.#length / 2);
    this.#binMs *= 2;
  }
}

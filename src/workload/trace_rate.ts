/**
 * A trace replay whose load follows a requested arrival rate: the bridge between
 * rate-driven tools ({@linkcode estimateCapacity}, `--load`) and a trace's own arrival
 * times. Every rate is reached by scaling the trace's inter-arrival times, so the
 * replay keeps the trace's burst shape at any load.
 *
 * @module
 */

import { type TraceOptions, TraceSource, type TraceStats } from "./trace_reader.ts";

/** A trace whose replay rate can be changed. */
export interface RateScaledTrace {
  /** Requests per second the trace offers at `options.rateScale`. */
  readonly nominalRatePerS: number;
  /** The `rateScale` that makes the replay offer `ratePerS` requests per second. */
  rateScaleFor(ratePerS: number): number;
  /**
   * {@linkcode RateScaledTrace.rateScaleFor} rounded to 4 significant digits: what the
   * CLI prints, so that `--rate-scale` with the printed value replays the same run.
   */
  roundedRateScaleFor(ratePerS: number): number;
  /**
   * A fresh source replaying the trace at `config.ratePerS` (at exactly
   * `options.rateScale` when that is the nominal rate, rounded as given).
   */
  makeWorkload(config: { readonly ratePerS: number }): TraceSource;
}

/**
 * Requests per second offered by the replayed arrivals of `stats` (0 when they span no
 * time): length-only traces offer their Poisson rate, the others `(requests − 1) ÷
 * span of their arrivals`.
 */
export function offeredRate(
  options: Pick<TraceOptions, "ratePerS" | "rateScale"> & { readonly format: string },
  stats: Readonly<TraceStats>,
): number {
  if (options.format === "lengths") return (options.ratePerS ?? 0) * (options.rateScale ?? 1);
  return stats.lastArrivalMs > 0 ? (stats.requests - 1) / (stats.lastArrivalMs / 1000) : 0;
}

/**
 * Wraps a scanned trace so that it can be replayed at any arrival rate. `roundedRatePerS`
 * is the nominal rate as the caller prints it (e.g. rounded to 3 decimals): asking for
 * exactly that rate replays `options` unchanged.
 *
 * @example Replay a trace at twice the rate it offers
 * ```ts
 * import { rateScaledTrace } from "./trace_rate.ts";
 * import { scanTrace } from "./trace_reader.ts";
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "arrived_at,num_prefill_tokens,num_decode_tokens\n0,10,2\n1,10,2\n2,10,2\n");
 * const options = { path, format: "vidur" as const };
 * const trace = rateScaledTrace(options, await scanTrace(options));
 * if (trace.nominalRatePerS !== 1) throw new Error("1 req/s expected");
 * if (trace.rateScaleFor(2) !== 2) throw new Error("scale 2 expected");
 * await Deno.remove(path);
 * ```
 * @throws {RangeError} When the trace offers no rate (its arrivals span no time), or
 * `options.format` is `"auto"`.
 */
export function rateScaledTrace(
  options: TraceOptions,
  stats: Readonly<TraceStats>,
  roundedRatePerS?: number,
): RateScaledTrace {
  const format = options.format ?? "auto";
  if (format === "auto") {
    throw new RangeError(
      "Cannot create rate-scaled trace: 'format' must be a known format, got 'auto'",
    );
  }
  const nominal = offeredRate({ ...options, format }, stats);
  if (!(nominal > 0) || !Number.isFinite(nominal)) {
    throw new RangeError(
      `Cannot create rate-scaled trace: '${options.path}' must offer a positive rate, got ` +
        `${nominal} req/s (its ${stats.requests} requests arrive at the same instant)`,
    );
  }
  const scale = options.rateScale ?? 1;
  const rateScaleFor = (ratePerS: number): number =>
    ratePerS === roundedRatePerS || ratePerS === nominal ? scale : scale * ratePerS / nominal;
  return {
    nominalRatePerS: nominal,
    rateScaleFor,
    roundedRateScaleFor: (ratePerS) => Number(rateScaleFor(ratePerS).toPrecision(4)),
    makeWorkload: (config) =>
      new TraceSource({ ...options, format, rateScale: rateScaleFor(config.ratePerS) }),
  };
}

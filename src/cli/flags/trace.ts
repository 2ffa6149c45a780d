/**
 * Trace-replay flags shared by commands that run workloads (`--trace PATH` and its
 * window, limit and rate options), their checks, and the one-line trace report.
 *
 * @module
 */

import { type Command, Option } from "npm:commander@15.1.0";
import { UsageError } from "../../core/errors.ts";
import { TRACE_FORMATS, type TraceFormat } from "../../workload/trace_row.ts";
import type { TraceOptions, TraceStats } from "../../workload/trace_reader.ts";
import { nonNegativeNumber, oneOf, positiveInt, positiveNumber } from "./values.ts";
import { userPath } from "../user_path.ts";

/** The trace flags as parsed. */
export interface TraceFlags {
  /** Trace file, as the user gave it (recorded so). */
  readonly path: string;
  /** Requested format (`auto` detects). */
  readonly format: TraceFormat | "auto";
  /** Inter-arrival divisor. */
  readonly rateScale: number;
  /** Window start, s of trace time. */
  readonly startS: number;
  /** Window length, s of trace time (`Infinity`: to the end). */
  readonly durationS: number;
  /** Most requests (`Infinity`: all). */
  readonly limit: number;
  /** Skip malformed rows. */
  readonly skipBad: boolean;
}

/** Flags that only make sense with `--trace`, by option key. */
const TRACE_ONLY: Record<string, string> = {
  traceFormat: "--trace-format",
  rateScale: "--rate-scale",
  start: "--start",
  duration: "--duration",
  limit: "--limit",
  skipBad: "--skip-bad",
};

/** Adds the trace flags to `cmd` and returns it. */
export function addTraceOptions(cmd: Command): Command {
  return cmd
    .option(
      "--trace <path>",
      "replay a trace file instead of a synthetic workload (.gz read transparently)",
    )
    .addOption(
      new Option(
        "--trace-format <format>",
        `trace format: auto (detect from the first line), ${TRACE_FORMATS.join(", ")}`,
      ).argParser(oneOf(["auto", ...TRACE_FORMATS] as const)),
    )
    .option(
      "--rate-scale <x>",
      "divide the trace's inter-arrival times by x (2 = twice the load)",
      positiveNumber,
    )
    .option(
      "--start <s>",
      "replay from s seconds of trace time after the first row",
      nonNegativeNumber,
    )
    .option("--duration <s>", "replay s seconds of trace time", positiveNumber)
    .option("--limit <n>", "replay at most n requests of the trace", positiveInt)
    .option("--skip-bad", "skip malformed trace rows (and report how many) instead of failing");
}

/**
 * The trace flags of `opts`, or `null` without `--trace`. `explicit(key)` tells
 * whether the user gave an option (rather than its default).
 *
 * @throws {UsageError} On a trace-only flag without `--trace`, or `--trace` with
 * `--workload` or `--requests`.
 */
export function traceFlagsFromOpts(
  opts: Record<string, unknown>,
  explicit: (key: string) => boolean,
): TraceFlags | null {
  if (opts.trace === undefined) {
    for (const [key, flag] of Object.entries(TRACE_ONLY)) {
      if (opts[key] !== undefined) throw new UsageError(flag, "only applies with --trace PATH");
    }
    return null;
  }
  const path = String(opts.trace);
  if (path.trim() === "") throw new UsageError("--trace", "expected a file path, got ''");
  if (explicit("workload")) {
    throw new UsageError(
      "--workload",
      "cannot be combined with --trace; the trace is the workload (use one of them)",
    );
  }
  if (explicit("requests")) {
    throw new UsageError(
      "--requests",
      "does not apply to --trace; use --limit N to replay only the first N requests",
    );
  }
  return {
    path,
    format: (opts.traceFormat as TraceFormat | "auto" | undefined) ?? "auto",
    rateScale: (opts.rateScale as number | undefined) ?? 1,
    startS: (opts.start as number | undefined) ?? 0,
    durationS: (opts.duration as number | undefined) ?? Infinity,
    limit: (opts.limit as number | undefined) ?? Infinity,
    skipBad: opts.skipBad === true,
  };
}

/**
 * Reader options for `flags` in a known `format`, with the rate and seed of generated
 * arrivals. The path is resolved against the directory the user ran the command from.
 */
export function traceOptions(
  flags: TraceFlags,
  format: TraceFormat,
  ratePerS: number,
  seed: number,
): TraceOptions {
  return {
    path: userPath(flags.path),
    format,
    rateScale: flags.rateScale,
    startS: flags.startS,
    durationS: flags.durationS,
    limit: flags.limit,
    skipBad: flags.skipBad,
    ratePerS,
    seed,
  };
}

/** What `--json` output records about a replayed trace: the read's counts and the flags. */
export type TraceReport =
  & Pick<
    TraceStats,
    "path" | "format" | "rows" | "requests" | "skipped" | "skippedZeroOutput" | "beforeStart"
  >
  & {
    /** `--rate-scale`. */
    rateScale: number;
    /** `--start`, s. */
    startS: number;
    /** `--duration`, s (`null`: to the end). */
    durationS: number | null;
    /** `--limit` (`null`: none). */
    limit: number | null;
    /** Offered requests per second of the replayed (scaled) arrivals. */
    offeredRatePerS: number;
  };

/** The `--json` record of a trace replay. */
export function traceReport(flags: TraceFlags, stats: Readonly<TraceStats>): TraceReport {
  return {
    path: flags.path,
    format: stats.format,
    rows: stats.rows,
    requests: stats.requests,
    skipped: stats.skipped,
    skippedZeroOutput: stats.skippedZeroOutput,
    beforeStart: stats.beforeStart,
    rateScale: flags.rateScale,
    startS: flags.startS,
    durationS: Number.isFinite(flags.durationS) ? flags.durationS : null,
    limit: Number.isFinite(flags.limit) ? flags.limit : null,
    offeredRatePerS: offeredRatePerS(stats),
  };
}

/** Requests per second offered by the replayed arrivals (0 when they span no time). */
export function offeredRatePerS(stats: Readonly<TraceStats>): number {
  return stats.lastArrivalMs > 0 ? (stats.requests - 1) / (stats.lastArrivalMs / 1000) : 0;
}

/** The stderr line reporting skipped rows, or `""` when there is nothing to report. */
export function skippedLine(flags: TraceFlags, stats: Readonly<TraceStats>): string {
  if (!flags.skipBad && stats.skipped === 0 && stats.skippedZeroOutput === 0) return "";
  let s = `trace ${stats.path}: ${stats.requests} requests replayed from ${stats.rows} rows; ` +
    `${stats.skipped} malformed rows skipped`;
  if (stats.skipped > 0) s += ` (first: ${stats.firstSkipped})`;
  if (stats.skippedZeroOutput > 0) {
    s += `; ${stats.skippedZeroOutput} rows with 0 output tokens (failed requests) skipped`;
  }
  return s + "\n";
}

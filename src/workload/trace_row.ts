/**
 * The format-independent row every trace parser produces, and the parser interface.
 *
 * @module
 */

/** Trace file formats pdrouter reads. */
export const TRACE_FORMATS = ["mooncake", "azure", "vidur", "lengths", "burstgpt"] as const;

/** One of {@linkcode TRACE_FORMATS}. */
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** One request as read from a trace, before windowing and rate scaling. */
export interface TraceRow {
  /**
   * Arrival in the trace's own clock, ms (Mooncake: `timestamp`; Azure: since the
   * first row; Vidur and BurstGPT: seconds × 1000). `NaN` for length-only traces.
   */
  timeMs: number;
  /** Prompt tokens (≥ 1). */
  inputTokens: number;
  /** Output tokens (≥ 1 for a replayed row). */
  outputTokens: number;
  /** KV block ids of the prompt (Mooncake `hash_ids`), or `null` when the format has none. */
  hashIds: readonly number[] | null;
}

/** Creates an empty, reusable {@linkcode TraceRow}. */
export function createTraceRow(): TraceRow {
  return { timeMs: NaN, inputTokens: 0, outputTokens: 0, hashIds: null };
}

/** What a parser made of a valid line. */
export const RowStatus = {
  /** A request to replay. */
  Ok: 0,
  /** A well-formed row with 0 output tokens (a failed request, e.g. in BurstGPT): not replayed, counted. */
  ZeroOutput: 1,
} as const;

/** One of the {@linkcode RowStatus} values. */
export type RowStatusCode = (typeof RowStatus)[keyof typeof RowStatus];

/** Parses the data lines of one trace file. */
export interface RowParser {
  /** The format parsed. */
  readonly format: TraceFormat;
  /** Whether rows carry arrival times. */
  readonly timed: boolean;
  /** Name of the time field (for error messages; `""` when untimed). */
  readonly timeField: string;
  /** Tokens per entry of `hashIds` (0 when the format has no block ids). */
  readonly hashBlockTokens: number;
  /**
   * Parses data line `line` (1-based number `lineNo`) into `out`.
   *
   * @throws {InputError} On a missing, non-numeric or negative field.
   */
  parse(line: string, lineNo: number, out: TraceRow): RowStatusCode;
}

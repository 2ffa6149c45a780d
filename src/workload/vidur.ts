/**
 * Vidur/Splitwise trace format (microsoft/vidur `data/processed_traces/splitwise_*.csv`):
 *
 * ```csv
 * arrived_at,num_prefill_tokens,num_decode_tokens
 * 0.0,374,44
 * ```
 *
 * `arrived_at` is the arrival in seconds (0 at the first request).
 *
 * @module
 */

import { createNumericCsvParser } from "./_csv_rows.ts";
import type { RowParser } from "./trace_row.ts";

/** Header of a Vidur/Splitwise trace. */
export const VIDUR_HEADER = "arrived_at,num_prefill_tokens,num_decode_tokens";

/** One Vidur trace row, with the file's field names. */
export interface VidurRow {
  /** Arrival, seconds. */
  arrived_at: number;
  /** Prompt tokens. */
  num_prefill_tokens: number;
  /** Output tokens. */
  num_decode_tokens: number;
}

/**
 * Formats one row as a CSV line (no line end) under {@linkcode VIDUR_HEADER}.
 *
 * @example
 * ```ts
 * import { formatVidurRow } from "./vidur.ts";
 * const line = formatVidurRow({ arrived_at: 4.314579, num_prefill_tokens: 396, num_decode_tokens: 109 });
 * if (line !== "4.314579,396,109") throw new Error(line);
 * ```
 */
export function formatVidurRow(row: VidurRow): string {
  return `${row.arrived_at},${row.num_prefill_tokens},${row.num_decode_tokens}`;
}

/** Creates a parser of Vidur CSV rows read from `file`, given its header line. */
export function createVidurParser(file: string, header: string): RowParser {
  return createNumericCsvParser(file, header, {
    format: "vidur",
    time: "arrived_at",
    msPerTimeUnit: 1000,
    input: "num_prefill_tokens",
    output: "num_decode_tokens",
    zeroOutputIsFailure: false,
  });
}

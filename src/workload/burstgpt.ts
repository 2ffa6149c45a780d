/**
 * BurstGPT trace format (HPMLL/BurstGPT `data/BurstGPT_*.csv`, CC-BY 4.0):
 *
 * ```csv
 * Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
 * 5,ChatGPT,472,18,490,Conversation log
 * ```
 *
 * `Timestamp` is seconds from the start of the trace. Rows with 0 response tokens are
 * failed requests in that trace: the reader skips and counts them.
 *
 * @module
 */

import { createNumericCsvParser } from "./_csv_rows.ts";
import { csvField } from "./_csv.ts";
import type { RowParser } from "./trace_row.ts";

/** Header of a BurstGPT trace. */
export const BURSTGPT_HEADER =
  "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type";

/** One BurstGPT row, with the file's field names. */
export interface BurstGptRow {
  /** Arrival, seconds. */
  "Timestamp": number;
  /** Model name, e.g. `ChatGPT` or `GPT-4`. */
  "Model": string;
  /** Prompt tokens. */
  "Request tokens": number;
  /** Output tokens (0 for a failed request). */
  "Response tokens": number;
  /** Log type, e.g. `Conversation log` or `API log`. */
  "Log Type": string;
}

/**
 * Formats one row as a CSV line (no line end) under {@linkcode BURSTGPT_HEADER}; the
 * total is the sum of request and response tokens.
 *
 * @example
 * ```ts
 * import { formatBurstGptRow } from "./burstgpt.ts";
 * const line = formatBurstGptRow({
 *   Timestamp: 5, Model: "ChatGPT", "Request tokens": 472, "Response tokens": 18,
 *   "Log Type": "Conversation log",
 * });
 * if (line !== "5,ChatGPT,472,18,490,Conversation log") throw new Error(line);
 * ```
 */
export function formatBurstGptRow(row: BurstGptRow): string {
  const total = row["Request tokens"] + row["Response tokens"];
  return `${row.Timestamp},${csvField(row.Model)},${row["Request tokens"]},` +
    `${row["Response tokens"]},${total},${csvField(row["Log Type"])}`;
}

/** Creates a parser of BurstGPT CSV rows read from `file`, given its header line. */
export function createBurstGptParser(file: string, header: string): RowParser {
  return createNumericCsvParser(file, header, {
    format: "burstgpt",
    time: "Timestamp",
    msPerTimeUnit: 1000,
    input: "Request tokens",
    output: "Response tokens",
    zeroOutputIsFailure: true,
  });
}

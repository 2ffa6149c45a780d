/**
 * Length-only CSV traces: (prompt, output) token pairs without arrival times, such as
 * microsoft/vidur `data/processed_traces/arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv`:
 *
 * ```csv
 * num_prefill_tokens,num_decode_tokens,num_total_tokens,pd_ratio
 * 3772,54,3826,69.85185185185185
 * ```
 *
 * Only the first two columns are read. The trace reader generates Poisson arrivals for
 * these rows from a rate and a seed.
 *
 * @module
 */

import { createNumericCsvParser } from "./_csv_rows.ts";
import type { RowParser } from "./trace_row.ts";

/** Header written by {@linkcode formatLengthsRow}'s callers. */
export const LENGTHS_HEADER = "num_prefill_tokens,num_decode_tokens";

/** One length pair, with the file's field names. */
export interface LengthsRow {
  /** Prompt tokens. */
  num_prefill_tokens: number;
  /** Output tokens. */
  num_decode_tokens: number;
}

/**
 * Formats one row as a CSV line (no line end) under {@linkcode LENGTHS_HEADER}.
 *
 * @example
 * ```ts
 * import { formatLengthsRow } from "./lengths.ts";
 * if (formatLengthsRow({ num_prefill_tokens: 10, num_decode_tokens: 3 }) !== "10,3") throw new Error();
 * ```
 */
export function formatLengthsRow(row: LengthsRow): string {
  return `${row.num_prefill_tokens},${row.num_decode_tokens}`;
}

/** Creates a parser of length-only CSV rows read from `file`, given its header line. */
export function createLengthsParser(file: string, header: string): RowParser {
  return createNumericCsvParser(file, header, {
    format: "lengths",
    time: null,
    msPerTimeUnit: 0,
    input: "num_prefill_tokens",
    output: "num_decode_tokens",
    zeroOutputIsFailure: false,
  });
}

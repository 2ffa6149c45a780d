/**
 * Malformed trace fixtures (src/workload/testdata/traces/malformed) and what each must
 * report: shared by the reader's unit tests and the CLI tests.
 *
 * @module
 */

/** Directory of the trace fixtures. */
export const TRACE_FIXTURES = new URL("./traces/", import.meta.url).pathname;

/** One malformed file and the error it must produce. */
export interface MalformedCase {
  /** File name under `malformed/`. */
  readonly file: string;
  /** What is wrong, for test names. */
  readonly problem: string;
  /** 1-based line the error names (0: the whole file). */
  readonly line: number;
  /** Field the error names (`""`: none). */
  readonly field: string;
  /** The error's detail. */
  readonly detail: RegExp;
  /** Requests replayed with `skipBad` (`null`: the error is not about a row, skipping cannot help). */
  readonly withSkipBad: number | null;
}

/** Every malformed-input case. */
export const MALFORMED_CASES: readonly MalformedCase[] = [
  {
    file: "empty.jsonl",
    problem: "empty file",
    line: 0,
    field: "",
    detail: /is empty/,
    withSkipBad: null,
  },
  {
    file: "blank_lines_only.jsonl",
    problem: "blank lines only",
    line: 0,
    field: "",
    detail: /is empty/,
    withSkipBad: null,
  },
  {
    file: "header_only.csv",
    problem: "header without rows",
    line: 0,
    field: "",
    detail: /no data rows/,
    withSkipBad: null,
  },
  {
    file: "mooncake_missing_field.jsonl",
    problem: "missing field",
    line: 2,
    field: "input_length",
    detail: /is missing/,
    withSkipBad: 2,
  },
  {
    file: "mooncake_non_numeric.jsonl",
    problem: "non-numeric field",
    line: 2,
    field: "output_length",
    detail: /is not a number: "many"/,
    withSkipBad: 1,
  },
  {
    file: "mooncake_negative.jsonl",
    problem: "negative timestamp",
    line: 3,
    field: "timestamp",
    detail: /must not be negative, got -20/,
    withSkipBad: 2,
  },
  {
    file: "mooncake_backwards.jsonl",
    problem: "timestamps going backwards",
    line: 3,
    field: "timestamp",
    detail: /goes backwards: 2999 ms after 3000 ms on line 2/,
    withSkipBad: 3,
  },
  {
    file: "mooncake_bad_json.jsonl",
    problem: "invalid JSON",
    line: 2,
    field: "",
    detail: /is not valid JSON/,
    withSkipBad: 1,
  },
  {
    file: "mooncake_bad_hash_ids.jsonl",
    problem: "hash_ids length",
    line: 2,
    field: "hash_ids",
    detail: /has 3 ids, but input_length 600 needs/,
    withSkipBad: 1,
  },
  {
    file: "azure_non_numeric.csv",
    problem: "non-numeric field",
    line: 3,
    field: "ContextTokens",
    detail: /is not a number: '39x'/,
    withSkipBad: 1,
  },
  {
    file: "azure_bad_timestamp.csv",
    problem: "bad timestamp",
    line: 4,
    field: "TIMESTAMP",
    detail: /is not a timestamp/,
    withSkipBad: 2,
  },
  {
    file: "azure_backwards.csv",
    problem: "timestamps going backwards (by 100 ns)",
    line: 3,
    field: "TIMESTAMP",
    detail: /goes backwards: -0\.0001 ms after 0 ms on line 2/,
    withSkipBad: 1,
  },
  {
    file: "azure_missing_column.csv",
    problem: "missing column",
    line: 1,
    field: "GeneratedTokens",
    detail: /is missing from the header/,
    withSkipBad: null,
  },
  {
    file: "vidur_negative.csv",
    problem: "negative token count",
    line: 3,
    field: "num_prefill_tokens",
    detail: /must not be negative, got -396/,
    withSkipBad: 1,
  },
  {
    file: "vidur_missing_field.csv",
    problem: "missing field",
    line: 3,
    field: "num_decode_tokens",
    detail: /is missing/,
    withSkipBad: 1,
  },
  {
    file: "vidur_empty_field.csv",
    problem: "empty field",
    line: 3,
    field: "arrived_at",
    detail: /is missing \(empty\)/,
    withSkipBad: 1,
  },
  {
    file: "lengths_zero_output.csv",
    problem: "zero output tokens",
    line: 3,
    field: "num_decode_tokens",
    detail: /must be a positive integer, got 0/,
    withSkipBad: 1,
  },
  {
    file: "burstgpt_backwards.csv",
    problem: "timestamps going backwards",
    line: 3,
    field: "Timestamp",
    detail: /goes backwards: 4500 ms after 5000 ms/,
    withSkipBad: 1,
  },
  {
    file: "unknown_format.csv",
    problem: "unknown format",
    line: 1,
    field: "",
    detail: /cannot tell the trace format/,
    withSkipBad: null,
  },
  {
    file: "corrupt.jsonl.gz",
    problem: "corrupt gzip",
    line: 1,
    field: "",
    detail: /is not a valid gzip stream: invalid code lengths set/,
    withSkipBad: null,
  },
  {
    file: "truncated.jsonl.gz",
    problem: "gzip cut short",
    line: 133,
    field: "",
    detail: /is truncated: its gzip stream ends before it is complete/,
    withSkipBad: null,
  },
];

/** The location prefix an {@linkcode MalformedCase}'s message starts with. */
export function expectedWhere(path: string, c: MalformedCase): string {
  const where = c.line > 0 ? `${path}:${c.line}` : path;
  return c.field ? `${where}: field '${c.field}' ` : `${where}: `;
}

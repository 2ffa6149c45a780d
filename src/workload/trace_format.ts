/**
 * Trace format detection (from the first line of the file) and the row parser of
 * each format.
 *
 * | format | detected by | time | block ids |
 * | --- | --- | --- | --- |
 * | `mooncake` | first line is a JSON object | `timestamp` ms | `hash_ids` (512 tokens) |
 * | `azure` | header has `TIMESTAMP`, `ContextTokens` | wall clock, 7 digits | none |
 * | `burstgpt` | header has `Timestamp`, `Request tokens` | `Timestamp` s | none |
 * | `vidur` | header has `arrived_at`, `num_prefill_tokens` | `arrived_at` s | none |
 * | `lengths` | header has `num_prefill_tokens`, no `arrived_at` | generated | none |
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { headerColumns } from "./_csv.ts";
import { createAzureParser } from "./azure.ts";
import { createBurstGptParser } from "./burstgpt.ts";
import { createLengthsParser } from "./lengths.ts";
import { createMooncakeParser } from "./mooncake.ts";
import { type RowParser, TRACE_FORMATS, type TraceFormat } from "./trace_row.ts";
import { createVidurParser } from "./vidur.ts";

/**
 * The format of a trace whose first line is `firstLine`, or `null` when no format
 * matches.
 *
 * @example
 * ```ts
 * import { detectTraceFormat } from "./trace_format.ts";
 * if (detectTraceFormat("TIMESTAMP,ContextTokens,GeneratedTokens") !== "azure") throw new Error();
 * if (detectTraceFormat('{"timestamp": 0}') !== "mooncake") throw new Error();
 * ```
 */
export function detectTraceFormat(firstLine: string): TraceFormat | null {
  const line = firstLine.trim();
  if (line.startsWith("{")) return "mooncake";
  const cols = new Set(headerColumns(line));
  if (cols.has("TIMESTAMP") && cols.has("ContextTokens")) return "azure";
  if (cols.has("Timestamp") && cols.has("Request tokens")) return "burstgpt";
  if (cols.has("num_prefill_tokens") && cols.has("num_decode_tokens")) {
    return cols.has("arrived_at") ? "vidur" : "lengths";
  }
  return null;
}

// C0 and C1 control characters.
// deno-lint-ignore no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Whether files of `format` start with a header line. */
export function hasHeader(format: TraceFormat): boolean {
  return format !== "mooncake";
}

/**
 * Creates the row parser of `format` for `file`, whose first line is `firstLine`
 * (the header of CSV formats; ignored for Mooncake, whose first line is data).
 *
 * @throws {InputError} When a CSV header lacks a column the format needs.
 */
export function createRowParser(format: TraceFormat, file: string, firstLine: string): RowParser {
  switch (format) {
    case "mooncake":
      return createMooncakeParser(file);
    case "azure":
      return createAzureParser(file, firstLine);
    case "vidur":
      return createVidurParser(file, firstLine);
    case "lengths":
      return createLengthsParser(file, firstLine);
    case "burstgpt":
      return createBurstGptParser(file, firstLine);
  }
}

/**
 * Resolves `auto` by detection from the first line.
 *
 * @throws {InputError} When `auto` cannot tell the format.
 */
export function resolveTraceFormat(
  requested: TraceFormat | "auto",
  file: string,
  firstLine: string,
): TraceFormat {
  if (requested !== "auto") return requested;
  const found = detectTraceFormat(firstLine);
  if (found) return found;
  // Control bytes (a binary file) are shown escaped, never sent to the terminal raw.
  const printable = firstLine.replace(
    CONTROL_CHARS,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  const shown = printable.length > 80 ? printable.slice(0, 77) + "..." : printable;
  throw new InputError(
    file,
    1,
    "",
    `cannot tell the trace format from the first line '${shown}' ` +
      `(known: ${TRACE_FORMATS.join(", ")}); pass the format explicitly (--trace-format)`,
  );
}

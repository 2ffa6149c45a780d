/**
 * Mooncake trace format (kvcache-ai/Mooncake `FAST25-release/traces/*.jsonl`): JSON
 * Lines, one request per line:
 *
 * ```json
 * {"timestamp": 0, "input_length": 6758, "output_length": 500, "hash_ids": [0, 1, 2]}
 * ```
 *
 * `timestamp` is the arrival in ms, `input_length`/`output_length` are token counts and
 * `hash_ids` are chain-hashed KV block ids, one per 512 prompt tokens (the last block
 * is usually partial), so `hash_ids.length === ceil(input_length / 512)`.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { jsonNumber, nonNegativeField, positiveCountField, type RowContext } from "./_fields.ts";
import { type RowParser, RowStatus, type RowStatusCode, type TraceRow } from "./trace_row.ts";

/**
 * Tokens per Mooncake `hash_ids` entry: 512, per the FAST25-release README of
 * kvcache-ai/Mooncake ("each hash id represents a 512-token block"), and checked on
 * the conversation trace (`len(hash_ids) == ceil(input_length / 512)` on every row).
 */
export const MOONCAKE_BLOCK_TOKENS = 512;

/** One Mooncake trace row, with the file's field names. */
export interface MooncakeRow {
  /** Arrival, ms. */
  timestamp: number;
  /** Prompt tokens. */
  input_length: number;
  /** Output tokens. */
  output_length: number;
  /** KV block ids, one per 512 prompt tokens. */
  hash_ids: readonly number[];
}

/**
 * Formats one row as a Mooncake JSONL line (no line end), in the upstream files' style.
 *
 * @example
 * ```ts
 * import { formatMooncakeRow } from "./mooncake.ts";
 * const line = formatMooncakeRow({ timestamp: 0, input_length: 600, output_length: 5, hash_ids: [0, 1] });
 * if (line !== '{"timestamp": 0, "input_length": 600, "output_length": 5, "hash_ids": [0, 1]}') {
 *   throw new Error(line);
 * }
 * ```
 */
export function formatMooncakeRow(row: MooncakeRow): string {
  return `{"timestamp": ${row.timestamp}, "input_length": ${row.input_length}, ` +
    `"output_length": ${row.output_length}, "hash_ids": [${row.hash_ids.join(", ")}]}`;
}

/** Creates a parser of Mooncake JSONL lines read from `file`. */
export function createMooncakeParser(file: string): RowParser {
  const ctx = { file, line: 0 };
  return {
    format: "mooncake",
    timed: true,
    timeField: "timestamp",
    hashBlockTokens: MOONCAKE_BLOCK_TOKENS,
    parse(line: string, lineNo: number, out: TraceRow): RowStatusCode {
      ctx.line = lineNo;
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch (e) {
        throw new InputError(file, lineNo, "", `is not valid JSON: ${(e as Error).message}`, {
          cause: e,
        });
      }
      if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
        throw new InputError(file, lineNo, "", "is not a JSON object");
      }
      const o = obj as Record<string, unknown>;
      const timeMs = nonNegativeField(ctx, "timestamp", jsonNumber(ctx, "timestamp", o.timestamp));
      const input = positiveCountField(
        ctx,
        "input_length",
        jsonNumber(ctx, "input_length", o.input_length),
      );
      const output = positiveCountField(
        ctx,
        "output_length",
        jsonNumber(ctx, "output_length", o.output_length),
      );
      out.hashIds = hashIdsField(ctx, o.hash_ids, input);
      out.timeMs = timeMs;
      out.inputTokens = input;
      out.outputTokens = output;
      return RowStatus.Ok;
    },
  };
}

function hashIdsField(ctx: RowContext, raw: unknown, inputTokens: number): number[] {
  const field = "hash_ids";
  if (raw === undefined || raw === null) {
    throw new InputError(ctx.file, ctx.line, field, "is missing");
  }
  if (!Array.isArray(raw)) {
    throw new InputError(ctx.file, ctx.line, field, "must be an array of block ids");
  }
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
      throw new InputError(
        ctx.file,
        ctx.line,
        field,
        `entry ${i} must be a non-negative integer, got ${JSON.stringify(v)}`,
      );
    }
  }
  const want = Math.ceil(inputTokens / MOONCAKE_BLOCK_TOKENS);
  if (raw.length !== want) {
    throw new InputError(
      ctx.file,
      ctx.line,
      field,
      `has ${raw.length} ids, but input_length ${inputTokens} needs ceil(${inputTokens} / ` +
        `${MOONCAKE_BLOCK_TOKENS}) = ${want}`,
    );
  }
  return raw as number[];
}

/**
 * A row parser for CSV traces whose time column is a plain number (or absent):
 * Vidur/Splitwise, length-only and BurstGPT files.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { countField, nonNegativeField, positiveCountField } from "./_fields.ts";
import { headerColumns, requireColumns, splitCsvLine } from "./_csv.ts";
import {
  type RowParser,
  RowStatus,
  type RowStatusCode,
  type TraceFormat,
  type TraceRow,
} from "./trace_row.ts";

/** Column layout of a numeric CSV trace. */
export interface NumericCsvLayout {
  /** The format. */
  readonly format: TraceFormat;
  /** Time column (`null`: the file has no times). */
  readonly time: string | null;
  /** Milliseconds per unit of the time column (1000 for seconds). */
  readonly msPerTimeUnit: number;
  /** Prompt tokens column. */
  readonly input: string;
  /** Output tokens column. */
  readonly output: string;
  /** Whether 0 output tokens marks a failed request to skip and count (else it is an error). */
  readonly zeroOutputIsFailure: boolean;
}

/** Creates a parser for `layout`, given the file's header line. */
export function createNumericCsvParser(
  file: string,
  header: string,
  layout: NumericCsvLayout,
): RowParser {
  const cols = headerColumns(header);
  const names = layout.time === null
    ? [layout.input, layout.output]
    : [layout.time, layout.input, layout.output];
  const idx = requireColumns(file, cols, names);
  const iTime = layout.time === null ? -1 : idx[0];
  const iIn = idx[idx.length - 2], iOut = idx[idx.length - 1];
  const need = Math.max(...idx) + 1;
  const ctx = { file, line: 0 };
  const scale = layout.msPerTimeUnit;
  return {
    format: layout.format,
    timed: layout.time !== null,
    timeField: layout.time ?? "",
    hashBlockTokens: 0,
    parse(line: string, lineNo: number, out: TraceRow): RowStatusCode {
      ctx.line = lineNo;
      const f = splitCsvLine(line);
      if (f.length < need) {
        const k = idx.findIndex((i) => i >= f.length);
        throw new InputError(file, lineNo, names[k], `is missing (the row has ${f.length} fields)`);
      }
      const timeMs = iTime < 0 ? NaN : nonNegativeField(ctx, layout.time!, f[iTime]) * scale;
      const input = positiveCountField(ctx, layout.input, f[iIn]);
      const output = layout.zeroOutputIsFailure
        ? countField(ctx, layout.output, f[iOut])
        : positiveCountField(ctx, layout.output, f[iOut]);
      out.timeMs = timeMs;
      out.inputTokens = input;
      out.outputTokens = output;
      out.hashIds = null;
      return output === 0 ? RowStatus.ZeroOutput : RowStatus.Ok;
    },
  };
}

/**
 * Azure LLM inference trace 2023 format (Azure/AzurePublicDataset
 * `data/AzureLLMInferenceTrace_{conv,code}.csv`, the Splitwise ISCA'24 traces):
 *
 * ```csv
 * TIMESTAMP,ContextTokens,GeneratedTokens
 * 2023-11-16 18:15:46.6805900,374,44
 * ```
 *
 * `TIMESTAMP` is wall-clock time with 7 fractional digits (100 ns). JavaScript's `Date`
 * keeps only milliseconds, so the fraction is parsed here as an integer number of
 * nanoseconds and times are taken relative to the first row in integer arithmetic:
 * sub-millisecond precision is kept exactly.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { positiveCountField } from "./_fields.ts";
import { headerColumns, requireColumns, splitCsvLine } from "./_csv.ts";
import { type RowParser, RowStatus, type RowStatusCode, type TraceRow } from "./trace_row.ts";

/** Header of an Azure 2023 trace. */
export const AZURE_HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens";

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** A wall-clock instant split into whole UTC seconds and nanoseconds. */
export interface WallClock {
  /** Whole seconds since 1970-01-01 00:00:00 (the time zone is taken as UTC). */
  seconds: number;
  /** Nanoseconds within the second, `0..999_999_999`. */
  nanos: number;
}

/**
 * Parses `YYYY-MM-DD hh:mm:ss[.fffffff]` (1 to 9 fractional digits), or returns `null`.
 *
 * @example
 * ```ts
 * import { parseWallClock } from "./azure.ts";
 * const t = parseWallClock("2023-11-16 18:17:03.9799600")!;
 * if (t.nanos !== 979_960_000) throw new Error(String(t.nanos));
 * ```
 */
export function parseWallClock(text: string): WallClock | null {
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (new Date(ms).getUTCDate() !== d) return null; // e.g. 2023-02-30
  const frac = m[7] ?? "";
  const nanos = frac === "" ? 0 : Number(frac.padEnd(9, "0"));
  return { seconds: ms / 1000, nanos };
}

/**
 * Formats `baseSeconds` (whole UTC seconds) plus `offsetTicks` 100-ns ticks as an
 * Azure `TIMESTAMP` with 7 fractional digits.
 *
 * @example
 * ```ts
 * import { formatAzureTimestamp } from "./azure.ts";
 * const base = Date.UTC(2023, 10, 16, 18, 17, 3) / 1000;
 * const s = formatAzureTimestamp(base, 9_799_600);
 * if (s !== "2023-11-16 18:17:03.9799600") throw new Error(s);
 * ```
 */
export function formatAzureTimestamp(baseSeconds: number, offsetTicks: number): string {
  const whole = baseSeconds + Math.floor(offsetTicks / 1e7);
  const ticks = offsetTicks % 1e7;
  const iso = new Date(whole * 1000).toISOString(); // 2023-11-16T18:17:03.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(ticks).padStart(7, "0")}`;
}

/** Creates a parser of Azure 2023 CSV rows read from `file`, given its header line. */
export function createAzureParser(file: string, header: string): RowParser {
  const cols = headerColumns(header);
  const [iT, iC, iG] = requireColumns(file, cols, [
    "TIMESTAMP",
    "ContextTokens",
    "GeneratedTokens",
  ]);
  const need = Math.max(iT, iC, iG) + 1;
  const ctx = { file, line: 0 };
  let baseSeconds = NaN, baseNanos = 0;
  return {
    format: "azure",
    timed: true,
    timeField: "TIMESTAMP",
    hashBlockTokens: 0,
    parse(line: string, lineNo: number, out: TraceRow): RowStatusCode {
      ctx.line = lineNo;
      const f = splitCsvLine(line);
      if (f.length < need) {
        const missing = [cols[iT], cols[iC], cols[iG]][
          [iT, iC, iG].findIndex((i) => i >= f.length)
        ];
        throw new InputError(file, lineNo, missing, `is missing (the row has ${f.length} fields)`);
      }
      const raw = f[iT].trim();
      if (raw === "") throw new InputError(file, lineNo, "TIMESTAMP", "is missing (empty)");
      const t = parseWallClock(raw);
      if (!t) {
        throw new InputError(
          file,
          lineNo,
          "TIMESTAMP",
          `is not a timestamp like '2023-11-16 18:17:03.9799600': '${raw}'`,
        );
      }
      const input = positiveCountField(ctx, "ContextTokens", f[iC]);
      const output = positiveCountField(ctx, "GeneratedTokens", f[iG]);
      if (Number.isNaN(baseSeconds)) {
        baseSeconds = t.seconds;
        baseNanos = t.nanos;
      }
      // Exact integer nanoseconds since the first row (safe up to ~104 days), then ms.
      const relNanos = (t.seconds - baseSeconds) * 1e9 + (t.nanos - baseNanos);
      out.timeMs = relNanos / 1e6;
      out.inputTokens = input;
      out.outputTokens = output;
      out.hashIds = null;
      return RowStatus.Ok;
    },
  };
}

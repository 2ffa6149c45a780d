/**
 * The `requests.csv` layout: one row per request, in completion order, for every policy
 * of a run in one file (the first column names the policy).
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import { createRequestRecord, SHED_REASON_NAMES, ShedReason } from "../core/record.ts";
import type { RequestRecord } from "../core/record.ts";
import { csvNumber, type CsvRow, type CsvValue } from "./csv.ts";

/**
 * Columns of `requests.csv`, with units in the names. Times are ms from the start of
 * the run; `prefill_worker`/`decode_worker` are worker ids (`-1` = none); latency
 * fields are empty for shed requests (and `tpot_ms` for one-token outputs);
 * `shed_reason` is empty for completed requests.
 */
export const REQUEST_CSV_COLUMNS: readonly string[] = [
  "policy",
  "id",
  "arrival_ms",
  "prefill_worker",
  "decode_worker",
  "prompt_tokens",
  "output_tokens",
  "cached_tokens",
  "ttft_ms",
  "tpot_ms",
  "e2e_ms",
  "migrations",
  "shed_reason",
];

/**
 * The `requests.csv` row of `r` under `policy`.
 *
 * @example
 * ```ts
 * import { requestCsvRow } from "./request_csv.ts";
 * import { createRequestRecord } from "../core/record.ts";
 * const row = requestCsvRow("telemetry", { ...createRequestRecord(), id: 7, ttftMs: 12.5 });
 * if (row[0] !== "telemetry" || row[1] !== 7 || row[8] !== 12.5) throw new Error("bad row");
 * ```
 */
export function requestCsvRow(policy: string, r: Readonly<RequestRecord>): CsvValue[] {
  return [
    policy,
    r.id,
    r.arrivalMs,
    r.prefillWorker,
    r.decodeWorker,
    r.promptTokens,
    r.outputTokens,
    r.cachedTokens,
    r.ttftMs,
    r.tpotMs,
    r.e2eMs,
    r.migrations,
    SHED_REASON_NAMES[r.shedReason] ?? String(r.shedReason),
  ];
}

/**
 * Parses one `requests.csv` row back into a record (written into `into` when given).
 *
 * @throws {InputError} Naming `file:line` and the field, on a bad number or an unknown
 * shed reason.
 */
export function parseRequestCsvRow(
  row: CsvRow,
  file: string,
  into: RequestRecord = createRequestRecord(),
): RequestRecord {
  into.id = csvNumber(row, file, "id");
  into.arrivalMs = csvNumber(row, file, "arrival_ms");
  into.prefillWorker = csvNumber(row, file, "prefill_worker");
  into.decodeWorker = csvNumber(row, file, "decode_worker");
  into.promptTokens = csvNumber(row, file, "prompt_tokens");
  into.outputTokens = csvNumber(row, file, "output_tokens");
  into.cachedTokens = csvNumber(row, file, "cached_tokens");
  into.ttftMs = csvNumber(row, file, "ttft_ms", true);
  into.tpotMs = csvNumber(row, file, "tpot_ms", true);
  into.e2eMs = csvNumber(row, file, "e2e_ms", true);
  into.migrations = csvNumber(row, file, "migrations");
  const reason = row.fields.shed_reason ?? "";
  const code = SHED_REASON_NAMES.indexOf(reason);
  if (code < 0) {
    throw new InputError(
      file,
      row.line,
      "shed_reason",
      `must be empty or one of ${SHED_REASON_NAMES.slice(1).join(", ")}, got '${reason}'`,
    );
  }
  into.shedReason = code;
  if (code === ShedReason.None && Number.isNaN(into.ttftMs)) {
    throw new InputError(file, row.line, "ttft_ms", "is empty for a completed request");
  }
  return into;
}

import { deepEqual, equal, throws } from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { InputError } from "../core/errors.ts";
import { createRequestRecord, SHED_REASON_NAMES, ShedReason } from "../core/record.ts";
import type { RequestRecord } from "../core/record.ts";
import type { CsvRow } from "./csv.ts";
import { parseRequestCsvRow, REQUEST_CSV_COLUMNS, requestCsvRow } from "./request_csv.ts";

/** A row as csv-parse would give it back: every field a string, NaN as empty. */
function asParsed(values: (string | number)[], line = 2): CsvRow {
  const fields: Record<string, string> = {};
  REQUEST_CSV_COLUMNS.forEach((c, i) => {
    const v = values[i];
    fields[c] = typeof v === "number" && Number.isNaN(v) ? "" : String(v);
  });
  return { fields, line };
}

const latency = fc.double({ min: 0, max: 1e7, noNaN: true });
const record = fc.record({
  id: fc.nat(),
  arrivalMs: latency,
  prefillWorker: fc.integer({ min: -1, max: 64 }),
  decodeWorker: fc.integer({ min: -1, max: 64 }),
  promptTokens: fc.nat(200_000),
  outputTokens: fc.nat(20_000),
  cachedTokens: fc.nat(200_000),
  ttftMs: latency,
  tpotMs: fc.oneof(latency, fc.constant(NaN)),
  e2eMs: latency,
  migrations: fc.nat(5),
  shedReason: fc.constant(ShedReason.None),
}).map((r): RequestRecord => ({ ...r, arrivalMs: Object.is(r.arrivalMs, -0) ? 0 : r.arrivalMs }));

Deno.test("requests.csv rows parse back into the same record", () => {
  fc.assert(fc.property(record, (r) => {
    const back = parseRequestCsvRow(asParsed(requestCsvRow("p", r)), "requests.csv");
    deepEqual(back, r);
  }));
});

Deno.test("a shed request has empty latencies and a named reason", () => {
  const r = { ...createRequestRecord(), id: 3, shedReason: ShedReason.Overload };
  const row = requestCsvRow("p", r);
  equal(row[REQUEST_CSV_COLUMNS.indexOf("shed_reason")], SHED_REASON_NAMES[ShedReason.Overload]);
  deepEqual(parseRequestCsvRow(asParsed(row), "requests.csv"), r);
});

Deno.test("parseRequestCsvRow names the line and field of bad data", () => {
  const good = requestCsvRow("p", { ...createRequestRecord(), ttftMs: 5, e2eMs: 9 });
  const bad = (field: string, value: string) => {
    const row = asParsed(good, 7);
    (row.fields as Record<string, string>)[field] = value;
    return row;
  };
  throws(
    () => parseRequestCsvRow(bad("shed_reason", "tired"), "r.csv"),
    (e: InputError) => e instanceof InputError && e.line === 7 && e.field === "shed_reason",
  );
  throws(
    () => parseRequestCsvRow(bad("ttft_ms", ""), "r.csv"),
    /r\.csv:7: field 'ttft_ms' is empty for a completed request/,
  );
  throws(
    () => parseRequestCsvRow(bad("id", "x"), "r.csv"),
    /r\.csv:7: field 'id' must be a number/,
  );
});

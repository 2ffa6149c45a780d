import { equal, throws } from "node:assert/strict";
import { InputError } from "../core/errors.ts";
import { createRowParser, detectTraceFormat, resolveTraceFormat } from "./trace_format.ts";
import { createTraceRow, RowStatus } from "./trace_row.ts";

Deno.test("detectTraceFormat: each format from its first line", () => {
  equal(detectTraceFormat('{"timestamp": 0, "input_length": 1}'), "mooncake");
  equal(detectTraceFormat("TIMESTAMP,ContextTokens,GeneratedTokens"), "azure");
  equal(detectTraceFormat("arrived_at,num_prefill_tokens,num_decode_tokens"), "vidur");
  equal(
    detectTraceFormat("num_prefill_tokens,num_decode_tokens,num_total_tokens,pd_ratio"),
    "lengths",
  );
  equal(
    detectTraceFormat("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type"),
    "burstgpt",
  );
  equal(detectTraceFormat("prompt,completion"), null);
});

Deno.test("resolveTraceFormat: an unknown header is an InputError at line 1", () => {
  throws(
    () => resolveTraceFormat("auto", "f.csv", "a,b"),
    (e: Error) => e instanceof InputError && e.message.startsWith("f.csv:1: cannot tell"),
  );
  equal(resolveTraceFormat("vidur", "f.csv", "a,b"), "vidur");
});

Deno.test("a forced format whose columns are missing names the missing column", () => {
  throws(
    () => createRowParser("vidur", "f.csv", "TIMESTAMP,ContextTokens,GeneratedTokens"),
    (e: Error) =>
      e instanceof InputError && e.field === "arrived_at" && e.line === 1 &&
      /missing from the header/.test(e.message),
  );
});

Deno.test("CSV columns may come in any order; extra columns are ignored", () => {
  const p = createRowParser(
    "vidur",
    "f.csv",
    "note,num_decode_tokens,arrived_at,num_prefill_tokens",
  );
  const row = createTraceRow();
  equal(p.parse("hi,7,1.25,300", 2, row), RowStatus.Ok);
  equal(row.timeMs, 1250);
  equal(row.inputTokens, 300);
  equal(row.outputTokens, 7);
});

Deno.test("token counts must be integers", () => {
  const p = createRowParser("lengths", "f.csv", "num_prefill_tokens,num_decode_tokens");
  throws(
    () => p.parse("10.5,3", 2, createTraceRow()),
    (e: Error) => e instanceof InputError && e.field === "num_prefill_tokens",
  );
});

Deno.test("an unrecognised binary first line is shown escaped, never raw", () => {
  throws(
    () => resolveTraceFormat("auto", "x.bin", "\x7fELF\x02\x01\u0000tail"),
    (e: unknown) =>
      e instanceof InputError && e.message.includes("\\x7fELF\\x02\\x01\\x00tail") &&
      // deno-lint-ignore no-control-regex
      !/[\u0000-\u001f\u007f]/.test(e.message),
  );
});

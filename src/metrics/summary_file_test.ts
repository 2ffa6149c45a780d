import { deepEqual, equal, ok, rejects, throws } from "node:assert/strict";
import { InputError } from "../core/errors.ts";
import { Recorder } from "./recorder.ts";
import {
  formatSummaryFile,
  parseSummaryFile,
  readSummaryFile,
  type RunSummaryFile,
  SUMMARY_FORMAT,
} from "./summary_file.ts";

function sample(): RunSummaryFile {
  return {
    format: SUMMARY_FORMAT,
    config: { requests: 0 },
    // An empty run: every latency figure is NaN.
    results: [new Recorder({ ttftMs: 1, tpotMs: 1 }).summary("rr", 0)],
    slo: { ttftMs: 500, tpotMs: 30 },
    fleet: ["prefill", "decode"],
    sampleMs: 250,
    files: {
      requests: "requests.csv",
      timeseries: "timeseries.csv",
      migrations: "migrations.csv",
      report: "report.html",
    },
    versions: { pdrouter: "0.1.0" },
  };
}

Deno.test("summary.json round-trips, NaN included (written as null)", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    const s = sample();
    const text = formatSummaryFile(s);
    ok(text.includes('"p99": null'));
    await Deno.writeTextFile(path, text);
    const back = await readSummaryFile(path);
    ok(Number.isNaN(back.results[0].ttftMs.p99));
    deepEqual(back, s);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("parseSummaryFile names the missing or malformed field", () => {
  const s = sample() as unknown as Record<string, unknown>;
  for (
    const [field, value] of [
      ["format", "other/1"],
      ["results", {}],
      ["slo", { ttftMs: 0, tpotMs: 30 }],
      ["fleet", [1]],
      ["sampleMs", -1],
      ["files", { requests: "requests.csv" }],
    ] as const
  ) {
    throws(() => parseSummaryFile({ ...s, [field]: value }, "x.json"), (e: InputError) => {
      ok(e instanceof InputError);
      ok(e.field.startsWith(field), `${e.field} names ${field}`);
      return true;
    });
  }
  throws(() => parseSummaryFile([], "x.json"), InputError);
});

Deno.test("readSummaryFile rejects text that is not JSON", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, "{ nope");
    await rejects(readSummaryFile(path), (e: InputError) => {
      equal(e.file, path);
      ok(e.message.includes("is not valid JSON"));
      return true;
    });
  } finally {
    await Deno.remove(path);
  }
});

import { deepEqual, equal, throws } from "node:assert/strict";
import { Command } from "npm:commander@15.1.0";
import {
  addExportOptions,
  DEFAULT_SAMPLE_MS,
  exportFlagsFromOpts,
  THREADED_EXPORT_MIN_CORES,
  THREADED_EXPORT_MIN_REQUESTS,
  threadedExport,
} from "./export.ts";
import { userPath } from "../user_path.ts";

function parse(args: string[]) {
  const cmd = addExportOptions(new Command("t")).exitOverride();
  cmd.parse(args, { from: "user" });
  return exportFlagsFromOpts(cmd.opts());
}

Deno.test("export flags: none without --out, the default sampling, --sample-ms needs --out", () => {
  equal(parse([]), null);
  // The directory resolves where the user ran the task (INIT_CWD, else the cwd).
  deepEqual(parse(["--out", "x"]), { dir: userPath("x"), sampleMs: DEFAULT_SAMPLE_MS });
  deepEqual(parse(["--out", "/tmp/x", "--sample-ms", "250"]), { dir: "/tmp/x", sampleMs: 250 });
  throws(() => parse(["--sample-ms", "250"]), /--sample-ms: needs --out <dir>/);
});

Deno.test("the export thread is chosen by measurement: large runs, and cores to spare", () => {
  // On a busy 2-core machine the worker thread cost more than exporting inline.
  equal(threadedExport(1_000_000, 2), false);
  equal(threadedExport(1_000_000, THREADED_EXPORT_MIN_CORES - 1), false);
  equal(threadedExport(THREADED_EXPORT_MIN_REQUESTS, THREADED_EXPORT_MIN_CORES), true);
  equal(threadedExport(THREADED_EXPORT_MIN_REQUESTS - 1, 64), false);
});

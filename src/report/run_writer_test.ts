import { deepEqual, equal, throws } from "node:assert/strict";
import { join } from "node:path";
import { createRequestRecord } from "../core/record.ts";
import { Role } from "../core/types.ts";
import { FleetState } from "../testing/fleet.ts";
import { RUN_FILES, RunWriter } from "./run_writer.ts";
import { readSummaryFile } from "../metrics/summary_file.ts";

Deno.test("RunWriter takes each policy's fleet layout from its first sample", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const w = new RunWriter(dir, 100);
    const fleet = new FleetState([Role.Prefill, Role.Decode, Role.Decode], 1000, 16);
    throws(() => w.request(createRequestRecord()), /call startPolicy first/);
    for (const policy of ["a", "b"]) {
      w.startPolicy(policy);
      fleet.queued[0] = 2;
      w.sample(fleet, 0);
      w.sample(fleet, 100);
      w.request({ ...createRequestRecord(), ttftMs: 3, e2eMs: 4 });
      w.migration(50, 1, 2);
    }
    await w.finish({ config: {}, results: [], slo: { ttftMs: 1, tpotMs: 1 }, versions: {} });
    w.abort(); // harmless after finish
    const summary = await readSummaryFile(join(dir, RUN_FILES.summary));
    deepEqual(summary.fleet, ["prefill", "decode", "decode"]);
    equal(summary.sampleMs, 100);
    const ts = (await Deno.readTextFile(join(dir, RUN_FILES.timeseries))).trim().split("\n");
    equal(ts.length, 1 + 2 * 2 * (3 + 2)); // header + 2 policies × 2 samples × (3 workers + 2 pools)
    const mig = (await Deno.readTextFile(join(dir, RUN_FILES.migrations))).trim().split("\n");
    deepEqual(mig, ["policy,decided_ms,from_worker,to_worker", "a,50,1,2", "b,50,1,2"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RunWriter rejects a bad sample interval and an unwritable directory", async () => {
  throws(() => new RunWriter("unused", 0), /'sampleMs' must be a positive number, got 0/);
  const file = await Deno.makeTempFile();
  try {
    throws(() => new RunWriter(file, 100));
  } finally {
    await Deno.remove(file);
  }
});

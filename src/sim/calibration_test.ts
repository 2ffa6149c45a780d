// Holds the simulator to a published serving benchmark (src/model/testdata/calibration/,
// sources in its SOURCES.md): each recorded figure within 15%, failures naming the source.
import { ok } from "node:assert/strict";
import { calibrationError } from "../model/calibration.ts";
import { LLAMA3_8B_H100 } from "../model/presets.ts";
import { type BurstData, burstDurationMs, burstRows } from "./calibration.ts";

const DATA = new URL(
  "../model/testdata/calibration/lambda_vllm_sharegpt_burst.json",
  import.meta.url,
);

Deno.test("calibration: 1280 ShareGPT requests at once on one H100 / A100-80GB (vLLM 0.6.0)", async () => {
  const data = JSON.parse(await Deno.readTextFile(DATA)) as BurstData;
  const rows = await burstRows(data);
  ok(rows.length === 3, `3 rows expected, got ${rows.length}`);
  const bad = rows.filter((r) => !(Math.abs(calibrationError(r)) <= 0.15));
  ok(
    bad.length === 0,
    bad.map((r) =>
      `${r.source}: ${r.what}: measured ${r.measured} ${r.unit}, simulated ${r.model.toFixed(3)} ` +
      `(${(calibrationError(r) * 100).toFixed(1)}%) — ${r.where}`
    ).join("\n"),
  );
});

Deno.test("calibration: a burst's duration grows with its outputs and drops requests with none", async () => {
  const short = await burstDurationMs(LLAMA3_8B_H100, [500, 500], [10, 10]);
  const long = await burstDurationMs(LLAMA3_8B_H100, [500, 500], [100, 100]);
  const one = await burstDurationMs(LLAMA3_8B_H100, [500, 500], [10, 0]);
  ok(long > short && short > one, `${one} < ${short} < ${long} expected`);
});

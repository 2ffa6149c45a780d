// Holds the execution model to published measurements (testdata/calibration/, sources in
// its SOURCES.md): every recorded figure within 15%, each failure naming its source.
import { ok } from "node:assert/strict";
import {
  calibrationError,
  type CalibrationRow,
  type StaticBatchData,
  staticBatchMs,
  staticBatchRows,
  type TransferData,
  transferRows,
} from "./calibration.ts";
import { createExecutionModel } from "./execution_model.ts";
import { LLAMA3_8B_H100, modelPreset } from "./presets.ts";

const TOLERANCE = 0.15;

async function load<T>(name: string): Promise<T> {
  const url = new URL(`./testdata/calibration/${name}`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)) as T;
}

function within(rows: readonly CalibrationRow[]): void {
  const bad = rows.filter((r) => !(Math.abs(calibrationError(r)) <= TOLERANCE));
  ok(
    bad.length === 0,
    bad.map((r) =>
      `${r.source}: ${r.what}: measured ${r.measured} ${r.unit}, model ${r.model.toFixed(3)} ` +
      `(${(calibrationError(r) * 100).toFixed(1)}%) — ${r.where}`
    ).join("\n"),
  );
}

const modelFor = (name: string) => createExecutionModel(modelPreset(name));

Deno.test("calibration: LLM-Inference-Bench static vLLM batches (8B TP1, 70B TP4, H100)", async () => {
  const data = await load<StaticBatchData>("argonne_vllm_static_batches.json");
  const rows = staticBatchRows(data, modelFor);
  ok(rows.length === 41, `41 recorded points expected, got ${rows.length}`);
  within(rows);
});

Deno.test("calibration: NIXL KV pulls of vllm RFC #50913 / PR #51919", async () => {
  const data = await load<TransferData>("vllm_nixl_transfers.json");
  const rows = transferRows(data, LLAMA3_8B_H100.link);
  ok(rows.length === 2);
  within(rows);
});

Deno.test("calibration: a 15% band that the model would miss is reported, with its source", () => {
  const m = createExecutionModel(LLAMA3_8B_H100);
  const ms = staticBatchMs(m, 128, 128, 1, 8192);
  const row: CalibrationRow = {
    source: "made-up",
    where: "here",
    what: "twice the model",
    unit: "ms",
    measured: 2 * ms,
    model: ms,
  };
  let message = "";
  try {
    within([row]);
  } catch (e) {
    message = (e as Error).message;
  }
  ok(message.startsWith("made-up: twice the model: measured"), message);
  ok(message.includes("(-50.0%)"), message);
});

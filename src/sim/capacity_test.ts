import { equal, ok } from "node:assert/strict";
import { estimateCapacity, saturatedPrefillMs } from "./capacity.ts";
import { DEFAULT_SCENARIO } from "./compare.ts";
import { standalonePrefillMs } from "../model/model.ts";
import { LLAMA3_8B_H100 } from "../model/presets.ts";

Deno.test("saturatedPrefillMs: batching amortises the per-step cost of short prompts", () => {
  for (const u of [16, 256, 2048]) {
    const sat = saturatedPrefillMs(LLAMA3_8B_H100, u, 0);
    const alone = standalonePrefillMs(LLAMA3_8B_H100, u, 0);
    ok(sat > 0 && sat < alone, `${u} tokens: saturated ${sat} ms vs alone ${alone} ms`);
  }
  // Cached context makes the new tokens' attention dearer, never cheaper.
  ok(saturatedPrefillMs(LLAMA3_8B_H100, 1000, 8000) > saturatedPrefillMs(LLAMA3_8B_H100, 1000, 0));
});

const small = { ...DEFAULT_SCENARIO, workload: "poisson", requests: 1500 };

Deno.test("estimateCapacity: doubling both pools doubles the capacity", async () => {
  const one = await estimateCapacity(small);
  const two = await estimateCapacity({ ...small, prefillGpus: 8, decodeGpus: 8 });
  const ratio = two.capacityRps / one.capacityRps;
  ok(ratio > 1.8 && ratio < 2.2, `ratio ${ratio}`);
  ok(Math.abs(Math.max(one.prefillUtilization, one.decodeKvUtilization) - 1) < 0.05);
});

Deno.test("estimateCapacity: names the pool that binds", async () => {
  const prefillBound = await estimateCapacity({ ...small, prefillGpus: 1, decodeGpus: 4 });
  equal(prefillBound.bottleneck, "prefill");
  const decodeBound = await estimateCapacity({ ...small, prefillGpus: 6, decodeGpus: 1 });
  equal(decodeBound.bottleneck, "decode");
  ok(decodeBound.capacityRps < prefillBound.capacityRps * 6);
});

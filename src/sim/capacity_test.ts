import { equal, ok } from "node:assert/strict";
import {
  estimateCapacity,
  PROBE_REQUESTS,
  saturatedDecodeMsPerToken,
  saturatedPrefillMs,
} from "./capacity.ts";
import { DEFAULT_SCENARIO } from "./compare.ts";
import { kvCapacityTokens, standalonePrefillMs } from "../model/model.ts";
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
  ok(Math.abs(Math.max(one.prefillUtilization, one.decodeUtilization) - 1) < 0.05);
});

Deno.test("estimateCapacity: names the pool that binds", async () => {
  const prefillBound = await estimateCapacity({ ...small, prefillGpus: 1, decodeGpus: 4 });
  equal(prefillBound.bottleneck, "prefill");
  const decodeBound = await estimateCapacity({ ...small, prefillGpus: 6, decodeGpus: 1 });
  equal(decodeBound.bottleneck, "decode");
  ok(decodeBound.capacityRps < prefillBound.capacityRps * 6);
});

Deno.test("saturatedDecodeMsPerToken: a full batch of the mean context, seats capped", () => {
  const m = LLAMA3_8B_H100;
  // Short contexts fill the seats before the KV: the batch is maxNumSeqs.
  const seats = saturatedDecodeMsPerToken(m, 10);
  const full = m.stepOverheadMs + m.lmHeadMs;
  ok(seats > full / m.maxNumSeqs, `${seats} ms per token`);
  // Long contexts: the batch is KV capacity ÷ context, so the cost grows with the context.
  const ctx = kvCapacityTokens(m) / 8;
  ok(saturatedDecodeMsPerToken(m, 2 * ctx) > 1.8 * saturatedDecodeMsPerToken(m, ctx));
});

Deno.test("estimateCapacity: the estimate does not depend on the run length", async () => {
  // The chat mix (multi-turn sessions whose later turns carry longer contexts) reaches its
  // steady state only after minutes; main estimated 331, 115, 68 and 52 req/s here.
  const estimates: number[] = [];
  for (const requests of [500, 2000, 6000, 20000]) {
    const c = await estimateCapacity({ ...DEFAULT_SCENARIO, requests });
    equal(c.probeRequests, PROBE_REQUESTS);
    estimates.push(c.capacityRps);
  }
  const lo = Math.min(...estimates), hi = Math.max(...estimates);
  ok(hi / lo < 1.02, `estimates ${estimates.map((x) => x.toFixed(1)).join(", ")} req/s`);
});

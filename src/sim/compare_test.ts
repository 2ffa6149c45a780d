import { equal, rejects } from "node:assert/strict";
import { comparePolicies, DEFAULT_SCENARIO } from "./compare.ts";

Deno.test("comparison: pools count GPUs, one worker per tensor-parallel group", async () => {
  let maxWorker = -1;
  await comparePolicies(
    {
      ...DEFAULT_SCENARIO,
      model: "llama3-70b-h100-tp4",
      requests: 40,
      ratePerS: 5,
      prefillGpus: 8,
      decodeGpus: 8,
      policies: ["round-robin"],
    },
    {
      onRequest: (_p, r) => {
        maxWorker = Math.max(maxWorker, r.prefillWorker, r.decodeWorker);
      },
    },
  );
  equal(maxWorker, 3, "8 + 8 GPUs of TP 4 are workers 0..3");
  await rejects(
    () => comparePolicies({ ...DEFAULT_SCENARIO, model: "llama3-70b-h100-tp4", prefillGpus: 6 }),
    /multiple of 4 .*got 6$/,
  );
});

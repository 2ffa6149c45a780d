import { equal, ok, throws } from "node:assert/strict";
import {
  allReduceMs,
  denseMs,
  frontEndMs,
  kvCapacityTokens,
  kvReadMsPerToken,
  kvTransferMs,
  prefillAttentionMs,
  prefillMsPerToken,
  standalonePrefillMs,
  stepMs,
} from "./model.ts";
import { LLAMA3_70B_H100_TP4, LLAMA3_8B_A100, LLAMA3_8B_H100, workersForGpus } from "./presets.ts";

const near = (got: number, want: number, tol: number, what: string) =>
  ok(
    Math.abs(got - want) <= Math.abs(want) * tol,
    `${what}: ${got.toFixed(2)} vs ${want} (±${tol * 100}%)`,
  );

// Reference figures: the calibration notes (§3) derived from Vidur profiles for Llama-3-8B on
// one H100: prefill 512/2k/8k ≈ 13/47/222 ms; decode step with ~1k context at batch
// 1/16/64/256 ≈ 6.4/7.8/11/25 ms (GPU time only; the CPU overhead is on top). The published
// end-to-end measurements are held in calibration_test.ts.
Deno.test("H100 preset reproduces the calibration prefill times", () => {
  const p = LLAMA3_8B_H100;
  const prefill = (n: number) => denseMs(p, n) + prefillAttentionMs(p, n, 0);
  near(prefill(512), 13, 0.1, "prefill 512");
  near(prefill(2048), 47, 0.1, "prefill 2k");
  near(prefill(8192), 222, 0.05, "prefill 8k");
});

Deno.test("H100 preset reproduces the calibration decode step times", () => {
  const p = LLAMA3_8B_H100;
  const step = (batch: number) =>
    denseMs(p, batch) + p.lmHeadMs + batch * 1024 * kvReadMsPerToken(p);
  near(step(1), 6.4, 0.1, "batch 1");
  near(step(16), 7.8, 0.1, "batch 16");
  near(step(64), 11, 0.1, "batch 64");
  near(step(256), 25, 0.1, "batch 256");
});

Deno.test("timing model is monotone and capacities are plausible", () => {
  for (const p of [LLAMA3_8B_H100, LLAMA3_8B_A100, LLAMA3_70B_H100_TP4]) {
    let last = 0;
    for (let t = 1; t <= 20000; t += 97) {
      const ms = denseMs(p, t);
      ok(ms >= last, `${p.name}: dense time falls at ${t} tokens`);
      last = ms;
    }
    const cap = kvCapacityTokens(p);
    ok(cap > 300_000 && cap < 600_000, `${p.name}: KV capacity ${cap}`);
    ok(standalonePrefillMs(p, 20_000, 0) > standalonePrefillMs(p, 10_000, 0));
    ok(kvTransferMs(p, 8192) > kvTransferMs(p, 0));
  }
  ok(denseMs(LLAMA3_8B_A100, 2048) > denseMs(LLAMA3_8B_H100, 2048), "A100 slower than H100");
});

Deno.test("tensor parallelism: a TP group splits KV reads, attention and weights, and all-reduces", () => {
  const tp4 = LLAMA3_70B_H100_TP4;
  const tp1 = { ...tp4, tensorParallel: 1, name: "one-gpu" };
  near(kvReadMsPerToken(tp4), kvReadMsPerToken(tp1) / 4, 1e-12, "KV read per GPU shard");
  near(prefillAttentionMs(tp4, 2048, 0), prefillAttentionMs(tp1, 2048, 0) / 4, 1e-12, "attention");
  equal(allReduceMs(tp1, 64), 0);
  equal(allReduceMs(tp4, 0), 0);
  // Two all-reduces per layer of 64 × 8192 bf16 activations each.
  near(allReduceMs(tp4, 64), 2 * 80 * (0.03 + 64 * 8192 * 2 / 200e9 * 1000), 1e-12, "all-reduce");
  ok(stepMs(tp4, 64, 0, true) - stepMs(tp1, 64, 0, true) === allReduceMs(tp4, 64));
  // KV capacity: each GPU holds a quarter of the weights; the four GPUs' free memory adds up.
  const perGpu = tp4.gpu.memoryBytes * 0.9 - 141e9 / 4 - 4e9;
  equal(kvCapacityTokens(tp4), Math.floor(perGpu * 4 / 327_680));
  // The hand-off: each rank pulls its shard, in parallel.
  const bytes = 4096 * 327_680 / 4;
  const l = tp4.link;
  near(
    kvTransferMs(tp4, 4096),
    l.setupMs + l.notifyMs + 64 * 80 * l.perBlockMs + bytes / l.bytesPerS * 1000,
    1e-12,
    "transfer",
  );
  equal(workersForGpus(tp4, 8), 2);
  equal(workersForGpus(LLAMA3_8B_H100, 3), 3);
  throws(() => workersForGpus(tp4, 6), /multiple of 4 .*got 6$/);
});

Deno.test("per-sequence overhead and the front end", () => {
  const p = LLAMA3_8B_H100;
  near(stepMs(p, 16, 0, true, 16) - stepMs(p, 16, 0, true), 16 * p.seqOverheadMs, 1e-12, "seqs");
  near(frontEndMs(p, 1000) - frontEndMs(p, 0), 1000 * p.frontEnd.perTokenMs, 1e-12, "tokens");
  ok(frontEndMs(p, 0) > 0);
  ok(prefillMsPerToken(p) > prefillMsPerToken(p, 2048, false), "the estimate counts the LM head");
});

import { ok } from "node:assert/strict";
import {
  denseMs,
  kvCapacityTokens,
  kvReadMsPerToken,
  kvTransferMs,
  prefillAttentionMs,
  standalonePrefillMs,
} from "./model.ts";
import { LLAMA3_8B_A100, LLAMA3_8B_H100 } from "./presets.ts";

const near = (got: number, want: number, tol: number, what: string) =>
  ok(Math.abs(got - want) <= want * tol, `${what}: ${got.toFixed(2)} vs ${want} (±${tol * 100}%)`);

// Reference figures: the calibration notes (§3) derived from Vidur profiles for Llama-3-8B on
// one H100: prefill 512/2k/8k ≈ 13/47/222 ms; decode step with ~1k context at batch
// 1/16/64/256 ≈ 6.4/7.8/11/25 ms. §4: Mooncake transfer fit 0.57 ms + bytes/BW.
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
  for (const p of [LLAMA3_8B_H100, LLAMA3_8B_A100]) {
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

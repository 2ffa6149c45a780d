import { equal, notEqual, ok } from "node:assert/strict";
import type { InferenceRequest } from "../core/types.ts";
import { engineBlockHashes, RechunkedCache } from "./rechunked_cache.ts";

function req(blocks: number[], promptTokens: number): InferenceRequest {
  return {
    id: 0,
    arrivalMs: 0,
    promptTokens,
    outputTokens: 1,
    maxTokens: 1,
    blocks: new Uint32Array(blocks),
    priority: 0,
    sessionId: -1,
  };
}

Deno.test("engineBlockHashes: only full engine blocks; equal exactly up to the first differing workload block", () => {
  const a = engineBlockHashes(new Uint32Array([1, 2, 3]), 512, 1300, 128);
  equal(a.length, 10, "1300 tokens hold ten full 128-token blocks");
  const b = engineBlockHashes(new Uint32Array([1, 2, 4]), 512, 1300, 128);
  for (let j = 0; j < 8; j++) equal(a[j], b[j], `block ${j} lies in shared workload blocks`);
  notEqual(a[8], b[8], "block 8 lies in the third workload block");
  // A different earlier block changes every later engine block, even with equal later hashes.
  const c = engineBlockHashes(new Uint32Array([9, 2, 3]), 512, 1300, 128);
  for (let j = 0; j < 10; j++) notEqual(a[j], c[j]);
  // Engine blocks larger than workload blocks chain every workload block they cover.
  const big = engineBlockHashes(new Uint32Array([1, 2, 3, 4]), 16, 64, 32);
  const big2 = engineBlockHashes(new Uint32Array([7, 2, 3, 4]), 16, 64, 32);
  notEqual(big[0], big2[0]);
});

Deno.test("RechunkedCache: hits at the engine's granularity, trimmed to free memory", () => {
  const cache = new RechunkedCache(2, 16, 64);
  const first = req([10, 11, 12], 150);
  cache.insert(0, first);
  // 150 tokens = nine full 16-token blocks = 144 cached tokens for the same prompt.
  equal(cache.cachedTokens(0, req([10, 11, 12], 150)), 144);
  equal(cache.cachedTokens(1, first), 0, "other workers hold nothing");
  // A prompt sharing the first two 64-token blocks hits their eight 16-token blocks.
  equal(cache.cachedTokens(0, req([10, 11, 99], 150)), 128);
  cache.trim(0, 16 * 4);
  ok(cache.cachedTokens(0, first) <= 64, "at most four blocks left");
});

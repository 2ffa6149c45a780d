import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { Role } from "../core/types.ts";
import { loadedFleet, REQUEST_POOL_SIZE, requestPool } from "./fixtures.ts";

Deno.test("loadedFleet: half prefill, loaded, warm prefix caches, deterministic", () => {
  const fleet = loadedFleet(64);
  equal(fleet.n, 64);
  for (let w = 0; w < 64; w++) {
    equal(fleet.role[w], w < 32 ? Role.Prefill : Role.Decode);
    ok(fleet.prefix.blockCount(w) >= 64 + 8, `worker ${w} holds its own and shared blocks`);
    ok(fleet.kvUsedTokens[w] > 0 && fleet.kvUsedTokens[w] < fleet.kvCapacityTokens[w]);
  }
  equal(fleet.prefillLoad.size, 32);
  equal(fleet.decodeLoad.size, 32);
  ok(fleet.prefillLoad.max() >= 0 && fleet.prefillLoad.key(fleet.prefillLoad.max()) > 0);
  const again = loadedFleet(64);
  deepEqual(Array.from(again.queuedPrefillTokens), Array.from(fleet.queuedPrefillTokens));
  equal(again.prefix.size, fleet.prefix.size);
  throws(() => loadedFleet(7), /even integer/);
});

Deno.test("requestPool: the requested length, some sharing a cached prefix, some not", () => {
  const fleet = loadedFleet(64);
  const pool = requestPool(24);
  equal(pool.length, REQUEST_POOL_SIZE);
  const ids = new Int32Array(4), counts = new Uint16Array(4);
  let hits = 0;
  for (const r of pool) {
    equal(r.blocks.length, 24);
    ok(r.promptTokens > 23 * 64 && r.promptTokens <= 24 * 64);
    if (fleet.prefix.matchInto(r.blocks, ids, counts) > 0) hits++;
  }
  ok(hits > pool.length / 2 && hits < pool.length, `${hits} of ${pool.length} hit a cache`);
  deepEqual(
    requestPool(24).map((r) => Array.from(r.blocks)),
    pool.map((r) => Array.from(r.blocks)),
  );
  throws(() => requestPool(0), /'blocks' must be a positive integer/);
});

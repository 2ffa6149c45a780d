import { equal } from "node:assert/strict";
import { createDecision, Reason } from "../core/types.ts";
import { createSglang } from "./sglang.ts";
import { context, pdFleet, request } from "../testing/fleet.ts";

Deno.test("sglang: balanced load routes to the longest match above the cache threshold", () => {
  const fleet = pdFleet(2, 1);
  fleet.prefix.insert(1, new Uint32Array([1, 2, 3]));
  fleet.inflight[1] = 20; // busier, but the spread (20) is within the absolute threshold (32)
  const p = createSglang({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out); // 3/4 = 0.75 > 0.5
  equal(out.prefill, 1);
  equal(out.reason, Reason.Prefix);
});

Deno.test("sglang: a match at or below the threshold goes to the smallest tree", () => {
  const fleet = pdFleet(2, 1);
  fleet.prefix.insert(1, new Uint32Array([1, 2]));
  const p = createSglang({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out); // 2/4 = 0.5, not above it: both trees empty → 0
  equal(out.prefill, 0);
  // Worker 0's tree now holds 4 blocks: an unmatched request goes to worker 1.
  p.route(fleet, request([9, 10]), out);
  equal(out.prefill, 1);
});

Deno.test("sglang: imbalance needs both the absolute and the relative threshold", () => {
  const cases: [number, number, number][] = [
    // load of worker 0 (prefix holder), load of worker 1, expected prefill worker
    [100, 60, 1], // spread 40 > 32 and 100 > 1.1·60: shortest queue
    [1000, 960, 0], // spread 40 > 32 but 1000 < 1.1·960: balanced, cache wins
    [50, 20, 0], // 50 > 1.1·20 but spread 30 ≤ 32: balanced, cache wins
  ];
  for (const [l0, l1, expected] of cases) {
    const fleet = pdFleet(2, 1);
    fleet.prefix.insert(0, new Uint32Array([1, 2, 3, 4]));
    fleet.inflight[0] = l0;
    fleet.inflight[1] = l1;
    const p = createSglang({}, context());
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1, 2, 3, 4]), out);
    equal(out.prefill, expected, `loads ${l0}, ${l1}`);
  }
});

Deno.test("sglang: the decode pool runs its own cache-aware selection", () => {
  const fleet = pdFleet(1, 2);
  fleet.prefix.insert(2, new Uint32Array([1, 2, 3, 4]));
  const p = createSglang({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.decode, 2);
  fleet.inflight[1] = 0;
  fleet.inflight[2] = 100; // decode pool imbalanced: shortest queue
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.decode, 1);
});

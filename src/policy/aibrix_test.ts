import { deepEqual, equal } from "node:assert/strict";
import { createDecision, Reason } from "../core/types.ts";
import { createAibrix } from "./aibrix.ts";
import { context, pdFleet, request } from "../testing/fleet.ts";

Deno.test("aibrix: the best match within mean + 1σ requests wins", () => {
  // Counts 4, 2, 0: mean 2, σ ≈ 1.63, bound ≈ 3.63. Worker 0 matches 4/4 but is over the
  // bound; worker 1 matches 2/4 and is within it.
  const fleet = pdFleet(3, 1);
  fleet.prefix.insert(0, new Uint32Array([1, 2, 3, 4]));
  fleet.prefix.insert(1, new Uint32Array([1, 2]));
  fleet.inflight[0] = 4;
  fleet.inflight[1] = 2;
  const p = createAibrix({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.prefill, 1);
  equal(out.reason, Reason.Prefix);
  // A factor of 2 widens the bound to ≈ 5.27: the full match qualifies.
  const wide = createAibrix({ standardDeviationFactor: 2 }, context());
  wide.prepare(fleet.n);
  wide.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.prefill, 0);
});

Deno.test("aibrix: equal matches prefer fewer requests", () => {
  const fleet = pdFleet(3, 1);
  for (const w of [0, 1]) fleet.prefix.insert(w, new Uint32Array([1, 2]));
  fleet.inflight[0] = 2;
  fleet.inflight[1] = 1;
  fleet.inflight[2] = 2;
  const p = createAibrix({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3]), out);
  equal(out.prefill, 1);
});

Deno.test("aibrix: a spread above 8 requests restricts candidates to the least loaded", () => {
  const fleet = pdFleet(2, 1);
  fleet.prefix.insert(0, new Uint32Array([1, 2, 3, 4]));
  fleet.inflight[0] = 9; // spread 9 > 8: only worker 1 (count 0) is a candidate
  const p = createAibrix({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.prefill, 1);
  equal(out.reason, Reason.Load);
  fleet.inflight[0] = 8; // spread 8: not imbalanced, and 8 ≤ mean 4 + σ 4
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.prefill, 0);
});

Deno.test("aibrix: without a match, the least-request worker wins, at random among equals", () => {
  const picked = new Set<number>();
  for (const draw of [0.2, 0.7]) {
    const fleet = pdFleet(3, 1);
    fleet.inflight[0] = 3; // workers 1 and 2 tie at 0 requests
    const p = createAibrix({}, context([draw]));
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([7, 8]), out);
    picked.add(out.prefill);
  }
  deepEqual([...picked].sort(), [1, 2], "both tied workers are reachable, the busy one never");
});

Deno.test("aibrix: the decode worker balances requests, throughput and free KV", () => {
  const fleet = pdFleet(1, 2, 1000);
  // Worker 1: 10 requests, 90% KV used; worker 2: 10 requests, 10% used. Same throughput.
  fleet.running[1] = 10;
  fleet.running[2] = 10;
  fleet.tpotMs[1] = fleet.tpotMs[2] = 20;
  fleet.kvUsedTokens[1] = 900;
  fleet.kvUsedTokens[2] = 100;
  const p = createAibrix({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1]), out);
  equal(out.decode, 2);
  // Now worker 2 has twice the requests but the same free KV: worker 1 wins.
  fleet.kvUsedTokens[1] = 100;
  fleet.running[2] = 20;
  fleet.tpotMs[2] = 40; // same throughput: 20 / 40 ms = 10 / 20 ms
  p.route(fleet, request([1]), out);
  equal(out.decode, 1);
});

import { equal } from "node:assert/strict";
import { createDecision } from "../core/types.ts";
import { createDynamo } from "./dynamo.ts";
import { context, pdFleet, request } from "../testing/fleet.ts";

// Worker 0: 160 queued prefill tokens (10 blocks), no KV held.
// Worker 1: nothing queued, 12 active blocks of KV.
// A 4-block (64-token) prompt costs: w0 = W·(160 + 64)/16 + (0 + 4) = 14W + 4,
// w1 = W·64/16 + (12 + 4) = 4W + 16. W = 1 → 18 vs 20; W = 2 → 32 vs 24.
function fleetAB() {
  const fleet = pdFleet(2, 1);
  fleet.queuedPrefillTokens[0] = 160;
  fleet.kvUsedTokens[1] = 12 * 16;
  fleet.refresh(0);
  fleet.refresh(1);
  return fleet;
}

Deno.test("dynamo: cost = overlapScoreWeight × prefill blocks + decode blocks", () => {
  for (const [weight, expected] of [[1, 0], [2, 1]]) {
    const fleet = fleetAB();
    const p = createDynamo({ overlapScoreWeight: weight }, context());
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1, 2, 3, 4]), out);
    equal(out.prefill, expected, `weight ${weight}`);
  }
});

Deno.test("dynamo: cached overlap removes prefill and new blocks from the cost", () => {
  const fleet = fleetAB();
  fleet.prefix.insert(1, new Uint32Array([1, 2, 3, 4])); // w1: (0 + 0)/16 + 12 + 0 = 12 < 18
  const p = createDynamo({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.prefill, 1);
});

Deno.test("dynamo: the decode worker is the one holding the fewest KV blocks", () => {
  const fleet = pdFleet(1, 3);
  fleet.kvUsedTokens[1] = 1600;
  fleet.kvUsedTokens[2] = 800;
  fleet.kvUsedTokens[3] = 3200;
  for (let w = 1; w < 4; w++) fleet.refresh(w);
  fleet.prefix.insert(3, new Uint32Array([1, 2])); // overlap does not count on the decode side
  const p = createDynamo({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2]), out);
  equal(out.decode, 2);
});

Deno.test("dynamo: equal costs go to the smallest cached tree, then at random", () => {
  const fleet = pdFleet(2, 1);
  fleet.prefix.insert(0, new Uint32Array([50, 51, 52])); // a bigger tree, no overlap
  const p = createDynamo({}, context([0]));
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2]), out);
  equal(out.prefill, 1, "smaller tree wins the tie");
  for (const [draw, expected] of [[0, 0], [0.99, 1]]) {
    const even = pdFleet(2, 1);
    const q = createDynamo({}, context([draw]));
    q.prepare(even.n);
    q.route(even, request([1, 2]), out);
    equal(out.prefill, expected, `equal trees, draw ${draw}`);
  }
});

Deno.test("dynamo: temperature samples p ∝ exp(−normalised cost / T)", () => {
  // Costs 18 and 20 normalise to 0 and 1; at T = 1 the cheaper worker has probability
  // 1 / (1 + e⁻¹) ≈ 0.731: draws below it pick worker 0, above it worker 1.
  for (const [draw, expected] of [[0.7, 0], [0.75, 1]]) {
    const fleet = fleetAB();
    const p = createDynamo({ temperature: 1 }, context([draw]));
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1, 2, 3, 4]), out);
    equal(out.prefill, expected, `draw ${draw}`);
  }
});

import { equal } from "node:assert/strict";
import { createDecision, Reason } from "../core/types.ts";
import { createLlmD } from "./llm_d.ts";
import { context, pdFleet, request } from "../testing/fleet.ts";

Deno.test("llm-d: a full prefix match (weight 2) outweighs the shortest queue (weight 1)", () => {
  const fleet = pdFleet(2, 1);
  fleet.prefix.insert(0, new Uint32Array([1, 2, 3, 4]));
  fleet.queued[0] = 5; // worker 0: prefix 1.0, queue score 0 → 2; worker 1: 0 + 1 → 1
  const p = createLlmD({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.prefill, 0);
  equal(out.reason, Reason.Prefix);
});

Deno.test("llm-d: a quarter prefix match (2 × 0.25) loses to an empty queue (1)", () => {
  const fleet = pdFleet(2, 1);
  fleet.prefix.insert(0, new Uint32Array([1]));
  fleet.queued[0] = 5;
  const p = createLlmD({}, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.prefill, 1);
});

Deno.test("llm-d: ties are broken by the context's random source", () => {
  for (const [draw, expected] of [[0, 0], [0.99, 1]]) {
    const fleet = pdFleet(2, 1);
    const p = createLlmD({}, context([draw]));
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1, 2]), out);
    equal(out.prefill, expected, `draw ${draw}`);
  }
});

Deno.test("llm-d: the prefix scorer counts at most maxPrefixBlocksToMatch blocks", () => {
  const run = (config: Record<string, number>) => {
    const fleet = pdFleet(2, 1);
    fleet.prefix.insert(0, new Uint32Array([1, 2, 3, 4]));
    fleet.prefix.insert(1, new Uint32Array([1, 2]));
    fleet.queued[0] = 1; // w0: 2·1 + 0 = 2; w1: 2·0.5 + 1 = 2 (a tie) unless capped at 2 blocks
    const p = createLlmD(config, context([0]));
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1, 2, 3, 4]), out);
    return out.prefill;
  };
  equal(run({}), 0, "tie, first draw picks worker 0");
  equal(
    run({ maxPrefixBlocksToMatch: 2 }),
    1,
    "capped: both match 100%, worker 1 has the shorter queue",
  );
});

Deno.test("llm-d: the decider prefills on the decode worker when few tokens are uncached there", () => {
  const cases: [number[], number, number, boolean][] = [
    // decode holds, prompt tokens, nonCachedTokens threshold, expect local prefill
    [[1, 2], 40, 16, true], // 40 − 32 cached = 8 < 16
    [[1], 40, 16, false], // 40 − 16 = 24 ≥ 16
    [[], 12, 16, true], // prompt shorter than the threshold
    [[1, 2], 40, 0, false], // threshold 0: always disaggregate
  ];
  for (const [held, prompt, threshold, local] of cases) {
    const fleet = pdFleet(1, 1);
    if (held.length) fleet.prefix.insert(1, new Uint32Array(held));
    const p = createLlmD({ nonCachedTokens: threshold }, context());
    p.prepare(fleet.n);
    const out = createDecision();
    p.route(fleet, request([1, 2, 3], prompt), out);
    equal(out.decode, 1);
    equal(out.prefill, local ? -1 : 0, `held ${held}, prompt ${prompt}, threshold ${threshold}`);
  }
});

Deno.test("llm-d: the decode profile scores decode workers by prefix and queue too", () => {
  const fleet = pdFleet(1, 2);
  fleet.prefix.insert(2, new Uint32Array([1, 2, 3, 4]));
  fleet.queued[2] = 3; // 2·1 + 0 = 2 beats worker 1's 0 + 1
  const p = createLlmD({ nonCachedTokens: 0 }, context());
  p.prepare(fleet.n);
  const out = createDecision();
  p.route(fleet, request([1, 2, 3, 4]), out);
  equal(out.decode, 2);
  equal(out.prefill, 0);
});

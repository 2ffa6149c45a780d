import { equal, ok } from "node:assert/strict";
import { comparePolicies, DEFAULT_SCENARIO } from "../src/sim/compare.ts";

// The core acceptance criteria on the built-in default scenario (what `deno task sim` runs).
Deno.test("default scenario: telemetry vs round-robin meets the acceptance ratios", async () => {
  const { results: [rr, tm] } = await comparePolicies(DEFAULT_SCENARIO);
  equal(rr.policy, "round-robin");
  equal(tm.policy, "telemetry");
  equal(rr.completed, DEFAULT_SCENARIO.requests, "round-robin loses nothing");
  equal(tm.completed, rr.completed, "same number completed");
  equal(tm.shed + rr.shed, 0, "nothing shed");
  ok(tm.ttftMs.p99 <= 0.7 * rr.ttftMs.p99, `p99 TTFT ${tm.ttftMs.p99} vs ${rr.ttftMs.p99}`);
  ok(tm.ttftMs.std <= 0.7 * rr.ttftMs.std, `TTFT std ${tm.ttftMs.std} vs ${rr.ttftMs.std}`);
  ok(tm.tpotMs.mean <= 1.05 * rr.tpotMs.mean, `mean TPOT ${tm.tpotMs.mean} vs ${rr.tpotMs.mean}`);
});

Deno.test("default scenario: telemetry has the lower p99 TTFT on at least 9 of seeds 1-10", async () => {
  let wins = 0;
  const losses: string[] = [];
  for (let seed = 1; seed <= 10; seed++) {
    const { results: [rr, tm] } = await comparePolicies({ ...DEFAULT_SCENARIO, seed });
    if (tm.ttftMs.p99 < rr.ttftMs.p99) wins++;
    else losses.push(`seed ${seed}: ${tm.ttftMs.p99.toFixed(0)} vs ${rr.ttftMs.p99.toFixed(0)}`);
  }
  ok(wins >= 9, `telemetry won ${wins}/10; lost ${losses.join("; ")}`);
});

/**
 * Route latency of every built-in policy on fleets of 64 and 1024 workers (half prefill,
 * half decode), half the requests sharing cached prefixes: the peers that scan the
 * fleet grow with it, index-based policies do not. `deno task bench`.
 * Allocation-freedom is checked separately by `tests/policy_alloc_test.ts`.
 *
 * @module
 */
import { createDecision } from "../src/core/types.ts";
import { policyEntries } from "../src/policy/registry.ts";
import { benchContext, benchFleet, benchRequests } from "./_fixtures.ts";

const requests = benchRequests();

for (const n of [64, 1024]) {
  const fleet = benchFleet(1, n);
  for (const entry of policyEntries()) {
    const policy = entry.create({}, benchContext());
    policy.prepare(fleet.n);
    const out = createDecision();
    let i = 0;
    Deno.bench({
      name: `${entry.name} (${n})`,
      group: `route, ${n} workers`,
      baseline: entry.name === "round-robin",
      fn() {
        fleet.nowMs += 0.5;
        policy.route(fleet, requests[i++ & 255], out);
      },
    });
  }
}

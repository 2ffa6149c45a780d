/**
 * One routing decision of every registered policy, for fleets of 8 to 4096 workers
 * and prompts of 1, 24 and 160 KV blocks. Fixtures (a loaded fleet with warm prefix
 * caches, a pool of requests) are built once, outside the measured functions; each
 * call advances the fleet's clock by one inter-arrival time and routes the next
 * request of the pool. Groups are one fleet size × prompt
 * length, with `round-robin` as the baseline.
 *
 * Run with `deno bench benches/policy_bench.ts` (full matrix) or through
 * `deno task bench` (which picks the profile).
 *
 * @module
 */

import { createDecision } from "../src/core/types.ts";
import { policyEntries } from "../src/policy/registry.ts";
import {
  FixtureClock,
  fixtureContext,
  loadedFleet,
  REQUEST_POOL_SIZE,
  requestPool,
} from "../src/testing/fixtures.ts";
import { profileFromEnv } from "./_profile.ts";

const profile = profileFromEnv();

for (const n of profile.fleets) {
  const fleet = loadedFleet(n);
  for (const blocks of profile.promptBlocks) {
    const requests = requestPool(blocks);
    const group = `route n=${n} blocks=${blocks}`;
    for (const entry of policyEntries()) {
      const policy = entry.create({}, fixtureContext());
      policy.prepare(n);
      const out = createDecision();
      const clock = new FixtureClock(n);
      let i = 0;
      Deno.bench({
        name: `${entry.name} n=${n} blocks=${blocks}`,
        group,
        baseline: entry.name === "round-robin",
        fn() {
          clock.tick(fleet);
          policy.route(fleet, requests[i++ & (REQUEST_POOL_SIZE - 1)], out);
        },
      });
    }
  }
}

/**
 * Allocation probe: routes many requests through every built-in policy (and the
 * example user policy) after a warm-up. Run it with `--v8-flags=--expose-gc,--trace-gc,
 * --max-semi-space-size=1,--min-semi-space-size=1,--no-concurrent-recompilation`
 * (synchronous JIT, so the warm-up really ends with optimised code):
 * each measured loop sits between two forced full collections (trace lines with
 * "testing"), and a route that allocates even a few bytes per call fills the 1 MB
 * young generation and shows scavenges between them, while one that allocates
 * nothing shows none. The policy names are printed in order on stderr as one line,
 * `POLICIES a,b,…` (stdout carries V8's trace). A deliberately allocating control
 * policy shows that the check can fail. `tests/policy_alloc_test.ts` runs it.
 *
 * @module
 */
import { createDecision, createMigration, type RouteRequest } from "../src/core/types.ts";
import type { FleetSnapshot } from "../src/core/types.ts";
import { policyEntries } from "../src/policy/registry.ts";
import type { Policy, PolicyFactory } from "../src/policy/types.ts";
import createExample from "../examples/prefix_then_load.ts";
import { benchContext, benchFleet, benchRequests } from "../src/testing/fixtures.ts";

const WARMUP = 30_000;
const MEASURED = 300_000;

let lastPicks: number[] = [];
const control: PolicyFactory = (): Policy => ({
  name: "control-allocates",
  prepare() {},
  route(s: FleetSnapshot, r: RouteRequest, out) {
    lastPicks = [s.prefillLoad.min(), s.decodeLoad.min(), r.id]; // an escaping array
    out.prefill = lastPicks[0];
    out.decode = lastPicks[1];
    out.reason = 2;
  },
});

const factories: [string, PolicyFactory][] = [
  ...policyEntries().map((e) => [e.name, e.create] as [string, PolicyFactory]),
  ["prefix-then-load", createExample],
  ["control-allocates", control],
];

const fleet = benchFleet();
const requests = benchRequests();
const out = createDecision();
const move = createMigration();

function run(policy: Policy, calls: number): void {
  for (let i = 0; i < calls; i++) {
    fleet.nowMs += 1; // whole milliseconds: the probe's own loop never boxes a double
    policy.route(fleet, requests[i & 255], out);
    if ((i & 63) === 0) policy.rebalance?.(fleet, move);
  }
}

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("Run with --v8-flags=--expose-gc,--trace-gc (see the module doc)");
for (const [name, create] of factories) {
  const policy = create(name === "telemetry" ? { migrationBudget: 4 } : {}, benchContext());
  policy.prepare(fleet.n);
  run(policy, WARMUP);
  gc();
  run(policy, MEASURED);
  gc();
}
console.error(`POLICIES ${factories.map(([name]) => name).join(",")}`);

import { equal, ok, throws } from "node:assert/strict";
import { PolicyConfigError } from "../core/errors.ts";
import { createMigration } from "../core/types.ts";
import { buildPolicy, policyContext, type PolicyDeployment, policyRandom } from "./build.ts";
import { createRoundRobin } from "./round_robin.ts";
import { createTelemetry } from "./telemetry.ts";
import type { PolicyFactory } from "./types.ts";
import { pdFleet } from "../testing/fleet.ts";

const DEPLOYMENT: PolicyDeployment = {
  seed: 1,
  sloTtftMs: 500,
  sloTpotMs: 30,
  prefillMsPerToken: 0.03,
  migrationBudget: 8,
};

Deno.test("buildPolicy: built-in names come from the registry", () => {
  equal(buildPolicy("round-robin", {}, DEPLOYMENT).name, "round-robin");
  equal(buildPolicy("llm-d", {}, DEPLOYMENT).name, "llm-d");
});

Deno.test("buildPolicy: other names and paths come from the resolver, built-ins first", () => {
  const seen: string[] = [];
  const resolve = (key: string): PolicyFactory | undefined => {
    seen.push(key);
    return key === "./mine.ts"
      ? (_c, _ctx) => ({ ...createRoundRobin({}, _ctx), name: "mine" })
      : undefined;
  };
  equal(buildPolicy("./mine.ts", {}, DEPLOYMENT, resolve).name, "mine");
  equal(buildPolicy("telemetry", {}, DEPLOYMENT, resolve).name, "telemetry");
  equal(seen.join(","), "./mine.ts", "the resolver is not asked for a built-in name");
  throws(
    () => buildPolicy("./other.ts", {}, DEPLOYMENT, resolve),
    (e: Error) =>
      e instanceof RangeError &&
      /^Cannot build policy: expected a built-in policy \(round-robin, .*\) or a loaded module, got '\.\/other\.ts'$/
        .test(e.message),
  );
  throws(() => buildPolicy("nope", {}, DEPLOYMENT), /got 'nope'$/);
});

Deno.test("buildPolicy: a rejected configuration is a PolicyConfigError naming the policy", () => {
  throws(
    () => buildPolicy("telemetry", { waitWeight: -1 }, DEPLOYMENT),
    (e: Error) =>
      e instanceof PolicyConfigError && e.policy === "telemetry" &&
      e.cause instanceof RangeError &&
      e.message === "Cannot create policy 'telemetry': 'waitWeight' must be at least 0, got -1",
  );
});

Deno.test("policyContext: the deployment's facts, a seeded source, and checks", () => {
  const c = policyContext(DEPLOYMENT);
  equal(c.migrationBudget, 8);
  equal(c.sloTtftMs, 500);
  equal(c.prefillMsPerToken, 0.03);
  const a = policyRandom(1), b = policyContext(DEPLOYMENT).random;
  for (let i = 0; i < 5; i++) equal(a(), b());
  throws(
    () => policyContext({ ...DEPLOYMENT, sloTtftMs: 0 }),
    /^RangeError: Cannot build policy context: 'sloTtftMs' must be a positive number, got 0$/,
  );
  throws(
    () => policyContext({ ...DEPLOYMENT, migrationBudget: 1.5 }),
    /'migrationBudget' must be an integer ≥ 0, got 1\.5$/,
  );
  throws(() => policyContext({ ...DEPLOYMENT, seed: NaN }), TypeError);
});

/** Two decode workers: worker 1 busy and 80% full, worker 2 idle. */
function skewedFleet() {
  const fleet = pdFleet(1, 2);
  fleet.running[1] = 6;
  fleet.kvUsedTokens[1] = 80_000;
  fleet.refresh(1);
  fleet.refresh(2);
  return fleet;
}

/** Whether telemetry, built with `config` on `deployment`, proposes a migration on a skewed fleet. */
function migrates(config: Record<string, unknown>, deployment: PolicyDeployment): boolean {
  const fleet = skewedFleet();
  const policy = buildPolicy("telemetry", config, deployment);
  policy.prepare(fleet.n);
  const out = createMigration();
  policy.rebalance!(fleet, out);
  return out.from === 1 && out.to === 2;
}

Deno.test("telemetry takes its migration budget from the deployment unless its config sets one", () => {
  ok(migrates({}, DEPLOYMENT), "budget 8 from the deployment");
  ok(!migrates({}, { ...DEPLOYMENT, migrationBudget: 0 }), "budget 0 from the deployment");
  ok(migrates({ migrationBudget: 2 }, { ...DEPLOYMENT, migrationBudget: 0 }), "config wins");
  ok(!migrates({ migrationBudget: 0 }, DEPLOYMENT), "config 0 wins");
});

Deno.test("telemetry without a deployment budget keeps its own default (no migration)", () => {
  const fleet = skewedFleet();
  const { migrationBudget: _, ...handBuilt } = policyContext(DEPLOYMENT);
  const policy = createTelemetry({}, handBuilt);
  policy.prepare(fleet.n);
  const out = createMigration();
  policy.rebalance!(fleet, out);
  equal(out.from, -1);
  throws(
    () => createTelemetry({}, { ...handBuilt, migrationBudget: -1 }),
    /^RangeError: Cannot create policy 'telemetry': the context's 'migrationBudget' must be an integer ≥ 0, got -1$/,
  );
});

// The example user policy: it passes the policy contract, and the sim CLI loads it by
// path (with --policy, or mixed into --policies) and runs every built-in with `all`.
import { deepEqual, equal, ok } from "node:assert/strict";
import { policyContract } from "../src/testing/contract.ts";
import { policyNames } from "../src/policy/registry.ts";
import createExample from "../examples/prefix_then_load.ts";

policyContract("prefix-then-load (examples/)", (ctx) => createExample({}, ctx));

async function sim(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "tasks/sim.ts", ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", INIT_CWD: Deno.cwd() },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("sim CLI: --policy loads a module beside the defaults", async () => {
  const r = await sim(
    "--policy",
    "./examples/prefix_then_load.ts",
    "--set",
    "prefix-then-load.maxWaitMs=50",
    "--requests",
    "200",
    "--json",
  );
  equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  deepEqual(report.config.policies, ["round-robin", "telemetry", "prefix-then-load"]);
  deepEqual(report.config.policyConfig, { "prefix-then-load": { maxWaitMs: 50 } });
  const mine = report.results.find((x: { policy: string }) => x.policy === "prefix-then-load");
  equal(mine.completed, 200);
});

Deno.test("sim CLI: --policies all, plus a module path", async () => {
  const r = await sim(
    "--policies",
    "all,./examples/prefix_then_load.ts",
    "--requests",
    "150",
    "--json",
  );
  equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  deepEqual(report.results.map((x: { policy: string }) => x.policy), [
    ...policyNames(),
    "prefix-then-load",
  ]);
  for (const x of report.results) equal(x.completed, 150, x.policy);
});

Deno.test("sim CLI: a bad policy module exits 2 naming the flag", async () => {
  const r = await sim("--policy", "./tests/testdata/not_a_policy.ts", "--requests", "10");
  equal(r.code, 2);
  ok(r.stderr.includes("--policy") && r.stderr.includes("not_a_policy.ts"), r.stderr);
});

Deno.test("sim CLI: --load sets the rate from the estimated capacity", async () => {
  const r = await sim("--load", "0.5", "--workload", "poisson", "--requests", "300", "--json");
  equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const expected = report.capacity.capacityRps * 0.5;
  ok(
    Math.abs(report.config.ratePerS - expected) < 0.01,
    `${report.config.ratePerS} vs ${expected}`,
  );
});

import { deepEqual, equal, rejects, throws } from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { policyNames } from "../policy/registry.ts";
import { buildPolicy } from "../policy/build.ts";
import { isModulePath, loadPolicyModule, policyResolver } from "./policy_modules.ts";
import { simConfigFromFlags } from "./sim_command.ts";

const EXAMPLE = "./examples/prefix_then_load.ts";

Deno.test("isModulePath: paths and script files, not policy names", () => {
  for (const p of ["./a.ts", "../x/y.js", "/abs/p.mjs", "mine.ts"]) equal(isModulePath(p), true, p);
  for (const p of ["round-robin", "llm-d", "all"]) equal(isModulePath(p), false, p);
});

Deno.test("loadPolicyModule: loads the example and names it by its policy", async () => {
  const loaded = await loadPolicyModule(EXAMPLE);
  equal(loaded.name, "prefix-then-load");
  equal(loaded.path, EXAMPLE);
  equal(typeof loaded.create, "function");
});

Deno.test("loadPolicyModule: explains what is wrong with a module", async () => {
  await rejects(loadPolicyModule("./tests/testdata/missing.ts"), (e: Error) => {
    return e instanceof UsageError && /--policy.*cannot load policy module/.test(e.message);
  });
  await rejects(
    loadPolicyModule("./mod.ts", "--policies"),
    /--policies.*must default-export a policy factory.*no default export/,
  );
  await rejects(
    loadPolicyModule("./tests/testdata/not_a_policy.ts"),
    /must return a policy with a non-empty 'name', 'prepare' and 'route'/,
  );
  await rejects(
    loadPolicyModule("./tests/testdata/throwing_policy.ts"),
    /policy factory of '.*throwing_policy.ts' failed: Cannot create policy 'throwing'/,
  );
});

const flags = (extra: Record<string, unknown>) => ({
  workload: "chat",
  requests: 100,
  seed: 1,
  model: "llama3-8b-h100",
  prefillGpus: 4,
  decodeGpus: 4,
  migrationBudget: 0,
  sloTtftMs: 500,
  sloTpotMs: 30,
  set: [],
  policy: [],
  ...extra,
});

Deno.test("simConfigFromFlags: 'all' expands to every built-in policy", () => {
  deepEqual(simConfigFromFlags(flags({ policies: ["all"] })).policies, policyNames());
});

Deno.test("simConfigFromFlags: module paths become their policies' names", async () => {
  const loaded = [await loadPolicyModule(EXAMPLE)];
  const mixed = simConfigFromFlags(flags({ policies: ["round-robin", EXAMPLE] }), loaded);
  deepEqual(mixed.policies, ["round-robin", "prefix-then-load"]);
  const added = simConfigFromFlags(flags({ policy: [EXAMPLE] }), loaded);
  deepEqual(added.policies, ["round-robin", "telemetry", "prefix-then-load"]);
  const set = simConfigFromFlags(
    flags({ policy: [EXAMPLE], set: ["prefix-then-load.maxWaitMs=50"] }),
    loaded,
  );
  deepEqual(set.policyConfig, { "prefix-then-load": { maxWaitMs: 50 } });
});

Deno.test("simConfigFromFlags: rejects clashes and conflicts", async () => {
  const clone = [await loadPolicyModule("./tests/testdata/round_robin_clone.ts")];
  throws(
    () => simConfigFromFlags(flags({ policy: ["./tests/testdata/round_robin_clone.ts"] }), clone),
    /--policy.*builds a policy named 'round-robin', which is a built-in policy's name/,
  );
  throws(() => simConfigFromFlags(flags({ rate: 10, load: 0.7 })), /--load.*cannot be combined/);
  throws(
    () => simConfigFromFlags(flags({ policies: ["nope"] })),
    /expected a built-in policy .*, got 'nope'/,
  );
});

Deno.test("policyResolver: loaded modules by path and by policy name, for buildPolicy", async () => {
  const loaded = [await loadPolicyModule(EXAMPLE)];
  const resolve = policyResolver(loaded);
  equal(resolve(EXAMPLE), loaded[0].create);
  equal(resolve("prefix-then-load"), loaded[0].create);
  equal(resolve("./other.ts"), undefined);
  const deployment = {
    seed: 1,
    sloTtftMs: 500,
    sloTpotMs: 30,
    prefillMsPerToken: 0.03,
    migrationBudget: 8,
  };
  equal(buildPolicy(EXAMPLE, { maxWaitMs: 50 }, deployment, resolve).name, "prefix-then-load");
});

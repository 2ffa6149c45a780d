import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { Command } from "npm:commander@15.1.0";
import { UsageError } from "../../core/errors.ts";
import { policyNames } from "../../policy/registry.ts";
import { loadPolicyModule } from "../policy_modules.ts";
import {
  addPolicyConfigOptions,
  addPolicyOptions,
  comparedPolicies,
  policyArgs,
  policyConfigs,
  type PolicyFlags,
  policyFlagsFromOpts,
  policyModulePaths,
} from "./policy.ts";

const EXAMPLE = "./examples/prefix_then_load.ts";
const DEFAULTS = ["round-robin", "telemetry"];

/** Parses `args` with the policy flags as `sim` takes them. */
function parse(args: string[]): PolicyFlags {
  const cmd = addPolicyConfigOptions(
    addPolicyOptions(new Command("t"), { policy: "add", policiesHelp: "compare" }),
    { migrationBudget: 8 },
  );
  cmd.exitOverride();
  cmd.parse(args, { from: "user" });
  return policyFlagsFromOpts(cmd.opts(), (key) => cmd.getOptionValueSource(key) === "cli");
}

function usage(flag: string, detail: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof UsageError && e.flag === flag && detail.test(e.message);
}

Deno.test("--policy NAME adds a built-in policy to the compared set, once", () => {
  deepEqual(comparedPolicies(parse(["--policy", "telemetry"]), DEFAULTS, []), DEFAULTS);
  deepEqual(comparedPolicies(parse(["--policy", "llm-d"]), DEFAULTS, []), [...DEFAULTS, "llm-d"]);
  deepEqual(
    comparedPolicies(parse(["--policies", "dynamo", "--policy", "llm-d"]), DEFAULTS, []),
    ["dynamo", "llm-d"],
  );
  deepEqual(
    comparedPolicies(parse(["--policy", "llm-d", "--policy", "llm-d"]), DEFAULTS, []),
    [...DEFAULTS, "llm-d"],
  );
  deepEqual(comparedPolicies(parse(["--policies", "all"]), DEFAULTS, []), policyNames());
});

Deno.test("--policy PATH and --policies paths name the policies their modules build", async () => {
  const flags = parse(["--policies", `round-robin,${EXAMPLE}`, "--policy", EXAMPLE]);
  deepEqual(policyModulePaths(flags), [EXAMPLE]);
  const loaded = [await loadPolicyModule(EXAMPLE)];
  deepEqual(comparedPolicies(flags, DEFAULTS, loaded), ["round-robin", "prefix-then-load"]);
  deepEqual(
    comparedPolicies(parse(["--policy", EXAMPLE]), DEFAULTS, loaded),
    [...DEFAULTS, "prefix-then-load"],
  );
});

Deno.test("unknown names, repeats in --policies and clashing modules name the flag", async () => {
  throws(
    () => comparedPolicies(parse(["--policy", "nope"]), DEFAULTS, []),
    usage("--policy", /expected a built-in policy \(.*\) or a module path, got 'nope'$/),
  );
  throws(
    () => comparedPolicies(parse(["--policies", "telemetry,nope"]), DEFAULTS, []),
    usage("--policies", /'all' or a module path, got 'nope'$/),
  );
  throws(
    () => comparedPolicies(parse(["--policies", "llm-d,llm-d"]), DEFAULTS, []),
    usage("--policies", /expected each policy once, got 'llm-d,llm-d'$/),
  );
  const twin = "./tests/testdata/prefix_then_load_twin.ts";
  const loaded = [await loadPolicyModule(EXAMPLE), await loadPolicyModule(twin)];
  throws(
    () => comparedPolicies(parse(["--policy", EXAMPLE, "--policy", twin]), DEFAULTS, loaded),
    usage("--policy", /modules '.*' and '.*' both build a policy named 'prefix-then-load'/),
  );
});

Deno.test("--set: per policy, numbers parsed, only for policies that run", () => {
  const flags = parse(["--set", "telemetry.migrationMargin=0.2", "--set", "llm-d.queueWeight=abc"]);
  deepEqual(policyConfigs(flags, [...DEFAULTS, "llm-d"]), {
    telemetry: { migrationMargin: 0.2 },
    "llm-d": { queueWeight: "abc" },
  });
  throws(
    () => policyConfigs(flags, DEFAULTS),
    usage("--set", /expected a policy that runs \(round-robin, telemetry\), got 'llm-d'/),
  );
  throws(() => parse(["--set", "garbage"]), usage("--set", /policy\.field=value, got 'garbage'/));
});

Deno.test("--set P.migrationBudget conflicts with a different --migration-budget only", () => {
  const own = parse(["--set", "telemetry.migrationBudget=4"]);
  equal(own.migrationBudget, 8);
  equal(own.migrationBudgetGiven, false);
  deepEqual(policyConfigs(own, DEFAULTS), { telemetry: { migrationBudget: 4 } });
  const same = parse(["--set", "telemetry.migrationBudget=4", "--migration-budget", "4"]);
  deepEqual(policyConfigs(same, DEFAULTS), { telemetry: { migrationBudget: 4 } });
  throws(
    () =>
      policyConfigs(
        parse(["--migration-budget", "8", "--set", "telemetry.migrationBudget=4"]),
        DEFAULTS,
      ),
    usage("--set", /'telemetry\.migrationBudget=4' conflicts with --migration-budget 8/),
  );
});

Deno.test("policyArgs gives back the flags the user gave", () => {
  const args = [
    "--policies",
    "all",
    "--policy",
    EXAMPLE,
    "--set",
    "a.b=1",
    "--migration-budget",
    "3",
  ];
  deepEqual(policyArgs(parse(args)), args);
  deepEqual(policyArgs(parse([])), []);
});

Deno.test("--policy as one policy (scoreboard, proxy): a single value with a default", () => {
  const cmd = addPolicyOptions(new Command("t"), { policy: "one", policyDefault: "telemetry" });
  cmd.parse([], { from: "user" });
  deepEqual(policyFlagsFromOpts(cmd.opts()).policy, ["telemetry"]);
  cmd.parse(["--policy", EXAMPLE], { from: "user" });
  deepEqual(policyFlagsFromOpts(cmd.opts()).policy, [EXAMPLE]);
});

Deno.test("a module path that was not loaded is named as such", () => {
  throws(
    () => comparedPolicies(parse(["--policy", EXAMPLE]), DEFAULTS, []),
    usage("--policy", /expected a policy module loaded before the run .*, got '.*prefix/),
  );
});

Deno.test("--set: unknown fields and repeated fields are refused up front; modules without a spec warn", async () => {
  // A built-in policy has a spec: a field it lacks is refused before anything runs.
  throws(
    () => policyConfigs(parse(["--set", "least-loaded.x=1"]), ["least-loaded"]),
    usage(
      "--set",
      /expected a field of policy 'least-loaded' \(.*\), got 'x' in 'least-loaded\.x=1'/,
    ),
  );
  throws(
    () => policyConfigs(parse(["--set", "round-robin.migrationBudget=1"]), DEFAULTS),
    usage("--set", /policy 'round-robin' \(it takes none\), got 'migrationBudget'/),
  );
  // The same field twice: the recorded config would say one value, so both are refused.
  throws(
    () =>
      policyConfigs(
        parse([
          "--set",
          "telemetry.migrationMargin=0.1",
          "--set",
          "telemetry.migrationMargin=0.2",
        ]),
        DEFAULTS,
      ),
    usage(
      "--set",
      /'telemetry\.migrationMargin=0\.2' conflicts with 'telemetry\.migrationMargin=0\.1'/,
    ),
  );
  // A module exporting its spec is checked like a built-in one.
  const example = await loadPolicyModule(EXAMPLE);
  ok(example.spec && "maxWaitMs" in example.spec);
  const names = [...DEFAULTS, "prefix-then-load"];
  throws(
    () => policyConfigs(parse(["--set", "prefix-then-load.bogus=1"]), names, [example]),
    usage("--set", /expected a field of policy 'prefix-then-load' \(maxWaitMs\), got 'bogus'/),
  );
  // A module without one: accepted, with one warning per field.
  const clone = await loadPolicyModule("./tests/testdata/policies/no_spec.ts");
  const warnings: string[] = [];
  deepEqual(
    policyConfigs(parse(["--set", "no-spec.x=1"]), ["no-spec"], [clone], (l) => warnings.push(l)),
    { "no-spec": { x: 1 } },
  );
  equal(warnings.length, 1);
  ok(/--set no-spec\.x=1: module '.*no_spec\.ts' exports no 'spec'/.test(warnings[0]), warnings[0]);
});

import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { workloadTemplates } from "../workload/catalog.ts";
import {
  DISTRIBUTION_QUANTILES,
  parseExtraArgs,
  resolveTargets,
  runTarget,
  splitArgs,
  targetConfig,
  targetNames,
} from "./bench_targets.ts";

Deno.test("every named workload is a target dynamic_router:<workload>", () => {
  deepEqual(targetNames(), workloadTemplates().map((t) => `dynamic_router:${t.name}`));
});

Deno.test("resolveTargets expands the chapter, accepts labs/, drops repeats", () => {
  deepEqual(resolveTargets(["dynamic_router"]), targetNames());
  deepEqual(
    resolveTargets(["labs/dynamic_router:seed-lab", "dynamic_router:chat", "dynamic_router:chat"]),
    ["dynamic_router:seed-lab", "dynamic_router:chat"],
  );
  throws(
    () => resolveTargets(["dynamic_router:nope"]),
    (e: unknown) => e instanceof UsageError && e.flag === "--targets" && e.message.includes("nope"),
  );
});

Deno.test("splitArgs splits like a shell on spaces and quotes", () => {
  deepEqual(splitArgs("  --rate 40   --set 'a.b=c d' --x \"\" "), [
    "--rate",
    "40",
    "--set",
    "a.b=c d",
    "--x",
    "",
  ]);
  deepEqual(splitArgs(""), []);
  throws(() => splitArgs("--set 'open"), UsageError);
});

Deno.test("parseExtraArgs collects flags per target; the chapter applies to all", () => {
  const m = parseExtraArgs([
    "dynamic_router:seed-lab=--migration-budget 8",
    "dynamic_router:seed-lab=--rate 25",
    "dynamic_router=--seed 3",
  ]);
  deepEqual(m.get("dynamic_router:seed-lab"), [
    "--migration-budget",
    "8",
    "--rate",
    "25",
    "--seed",
    "3",
  ]);
  deepEqual(m.get("dynamic_router:chat"), ["--seed", "3"]);
  for (const bad of ["--migration-budget 8", "=--rate 1", "dynamic_router:zzz=--rate 1"]) {
    throws(
      () => parseExtraArgs([bad]),
      (e: unknown) => e instanceof UsageError && e.flag === "--target-extra-arg",
    );
  }
});

Deno.test("targetConfig uses sim's flags: defaults, seed-lab fleet, extra flags win", () => {
  const lab = targetConfig("dynamic_router:seed-lab", 500, []);
  equal(lab.workload, "seed-lab");
  equal(lab.requests, 500);
  equal(lab.prefillGpus, 2);
  equal(lab.decodeGpus, 2);
  deepEqual(lab.policies, ["round-robin", "telemetry"]);
  const tuned = targetConfig("dynamic_router:seed-lab", 500, [
    "--migration-budget",
    "8",
    "--decode-gpus",
    "3",
    "--requests",
    "70",
  ]);
  equal(tuned.migrationBudget, 8);
  equal(tuned.decodeGpus, 3);
  equal(tuned.requests, 70);
  const chat = targetConfig("dynamic_router:chat", 100, ["--mode", "optimized"]);
  equal(chat.workload, "chat");
  deepEqual(chat.policies, ["telemetry"]);
  equal(chat.prefillGpus, 4); // sim's default fleet for non-lab workloads
});

Deno.test("targetConfig rejects bad or conflicting flags, naming the target", () => {
  const cases: [string[], RegExp][] = [
    [["--workload", "chat"], /'--workload' cannot be given/],
    [["--rate", "fast"], /dynamic_router:seed-lab: .*--rate/],
    [["--no-such-flag"], /unknown option/],
    [["--policies", "nope"], /expected a built-in policy .*, got 'nope'/],
    [["--json"], /'--json' cannot be given/],
  ];
  for (const [args, message] of cases) {
    throws(
      () => targetConfig("dynamic_router:seed-lab", 100, args),
      (e: unknown) =>
        e instanceof UsageError && e.flag === "--target-extra-arg" && message.test(e.message),
    );
  }
});

Deno.test("runTarget records baseline and optimized with consistent distributions", async () => {
  const config = targetConfig("dynamic_router:seed-lab", 400, []);
  const r = await runTarget("dynamic_router:seed-lab", config, []);
  equal(r.target, "dynamic_router:seed-lab");
  deepEqual(r.policies.map((p) => p.summary.policy), ["round-robin", "telemetry"]);
  for (const p of r.policies) {
    equal(p.ttftMs.count, p.summary.completed);
    deepEqual(p.ttftMs.quantiles.map(([q]) => q), [...DISTRIBUTION_QUANTILES]);
    const values = p.ttftMs.quantiles.map(([, v]) => v);
    for (let i = 1; i < values.length; i++) ok(values[i] >= values[i - 1], "quantiles ascend");
    const p50 = p.ttftMs.quantiles.find(([q]) => q === 0.5)![1];
    equal(p50, p.summary.ttftMs.p50);
    equal(p.tpotMs.mean, p.summary.tpotMs.mean);
    ok(p.wallS > 0 && p.requestsPerWallS === 400 / p.wallS);
  }
});

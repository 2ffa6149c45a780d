import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import { runTask } from "./_cli.ts";

const SMALL = ["--requests", "300"];

Deno.test("sim --help documents every flag and exits 0", async () => {
  const r = await runTask("sim", ["--help"]);
  equal(r.code, 0, r.stderr);
  for (
    const flag of [
      "--policies",
      "--mode",
      "--prefill-gpus",
      "--decode-gpus",
      "--migration-budget",
      "--seed",
      "--requests",
      "--rate",
      "--workload",
      "--model",
      "--slo-ttft-ms",
      "--slo-tpot-ms",
      "--json",
    ]
  ) ok(r.stdout.includes(flag), `help lacks ${flag}`);
});

Deno.test("sim --json prints one JSON object with the documented shape", async () => {
  const r = await runTask("sim", [...SMALL, "--json"]);
  equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  equal(lines.length, 1, "exactly one line on stdout");
  const obj = JSON.parse(lines[0]);
  deepEqual(Object.keys(obj).sort(), ["config", "results"]);
  deepEqual(obj.results.map((x: { policy: string }) => x.policy), ["round-robin", "telemetry"]);
  for (const res of obj.results) {
    for (
      const key of [
        "completed",
        "shed",
        "migrations",
        "prefixHitRate",
        "sloAttainment",
        "goodputRps",
      ]
    ) {
      equal(typeof res[key], "number", `${key} is a number`);
    }
    for (const dist of ["ttftMs", "tpotMs"]) {
      for (const k of ["mean", "p50", "p90", "p99", "max", "std"]) {
        equal(typeof res[dist][k], "number", `${dist}.${k}`);
      }
    }
    equal(res.completed + res.shed, 300);
  }
  equal(obj.config.requests, 300);
});

Deno.test("sim --json is byte-identical for a seed and differs for another seed", async () => {
  const a = await runTask("sim", [...SMALL, "--json", "--seed", "5"]);
  const b = await runTask("sim", [...SMALL, "--json", "--seed", "5"]);
  const c = await runTask("sim", [...SMALL, "--json", "--seed", "6"]);
  equal(a.code, 0, a.stderr);
  equal(a.stdout, b.stdout);
  notEqual(
    JSON.stringify(JSON.parse(a.stdout).results),
    JSON.stringify(JSON.parse(c.stdout).results),
  );
});

Deno.test("sim --mode picks the lab's policies; --migration-budget 0 gives 0 migrations", async () => {
  const base = await runTask("sim", [...SMALL, "--json", "--mode", "baseline"]);
  deepEqual(JSON.parse(base.stdout).results.map((x: { policy: string }) => x.policy), [
    "round-robin",
  ]);
  const opt = await runTask("sim", [
    ...SMALL,
    "--json",
    "--mode",
    "optimized",
    "--workload",
    "skewed",
    "--migration-budget",
    "0",
  ]);
  const res = JSON.parse(opt.stdout).results;
  deepEqual(res.map((x: { policy: string }) => x.policy), ["telemetry"]);
  equal(res[0].migrations, 0);
});

Deno.test("sim prints a readable table by default", async () => {
  const r = await runTask("sim", SMALL);
  equal(r.code, 0, r.stderr);
  for (const word of ["round-robin", "telemetry", "TTFT", "p99", "TPOT", "prefix hit", "goodput"]) {
    ok(r.stdout.includes(word), `table lacks '${word}'`);
  }
  equal(r.stderr, "", "no progress output when not on a terminal");
});

const BAD: [string[], string][] = [
  [["--rate", "abc"], "--rate"],
  [["--rate", "-3"], "--rate"],
  [["--requests", "0"], "--requests"],
  [["--requests", "1.5"], "--requests"],
  [["--seed", "x"], "--seed"],
  [["--prefill-gpus", "two"], "--prefill-gpus"],
  [["--prefill-gpus", "0"], "--prefill-gpus"],
  [["--decode-gpus", "0"], "--decode-gpus"],
  [["--migration-budget", "-1"], "--migration-budget"],
  [["--slo-ttft-ms", "0"], "--slo-ttft-ms"],
  [["--slo-tpot-ms", "nan"], "--slo-tpot-ms"],
  [["--mode", "fast"], "--mode"],
  [["--mode", "both", "--policies", "telemetry"], "--mode"],
  [["--policies", "telemetry,nope"], "--policies"],
  [["--policies", "telemetry,,round-robin"], "--policies"],
  [["--workload", "nope"], "--workload"],
  [["--model", "nope"], "--model"],
  [["--set", "telemetry.noSuchField=1"], "--set"],
  [["--set", "telemetry.waitWeight=-1"], "--set"],
  [["--set", "garbage"], "--set"],
  [["--policy", "nope"], "--policy"],
  [["--set", "llm-d.prefixWeight=1"], "--set"],
  [["--migration-budget", "8", "--set", "telemetry.migrationBudget=4"], "--migration-budget"],
  [["--bogus"], "--bogus"],
  [["--rate"], "--rate"],
];

for (const [args, flag] of BAD) {
  Deno.test(`sim ${args.join(" ")} exits 2 naming ${flag}`, async () => {
    const r = await runTask("sim", [...SMALL, ...args]);
    equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
    ok(r.stderr.includes(flag), `stderr does not name ${flag}: ${r.stderr}`);
    equal(r.stdout, "", "nothing on stdout");
  });
}

const policiesOf = (stdout: string): string[] =>
  JSON.parse(stdout).results.map((x: { policy: string }) => x.policy);

Deno.test("sim --policy NAME adds a built-in policy to the compared set, once", async () => {
  const [plain, same, added, mode] = await Promise.all([
    runTask("sim", [...SMALL, "--json"]),
    runTask("sim", [...SMALL, "--json", "--policy", "telemetry"]),
    runTask("sim", [...SMALL, "--json", "--policy", "llm-d"]),
    runTask("sim", [...SMALL, "--json", "--mode", "baseline", "--policy", "telemetry"]),
  ]);
  for (const r of [plain, same, added, mode]) equal(r.code, 0, r.stderr);
  equal(same.stdout, plain.stdout, "--policy telemetry is the default comparison");
  deepEqual(policiesOf(added.stdout), ["round-robin", "telemetry", "llm-d"]);
  deepEqual(policiesOf(mode.stdout), ["round-robin", "telemetry"]);
  const help = await runTask("sim", ["--help"]);
  ok(help.stdout.includes("--policy <name|path>"), help.stdout);
});

Deno.test("sim: the deployment's --migration-budget reaches telemetry; its own --set wins", async () => {
  const trace = ["--trace", "data/traces/mooncake/conversation_trace.jsonl.gz", "--limit", "1500"];
  const run = (...args: string[]) =>
    runTask("sim", [...trace, "--mode", "optimized", "--json", ...args]);
  const [deployment, off, own, same] = await Promise.all([
    run(),
    run("--migration-budget", "0"),
    run("--set", "telemetry.migrationBudget=0"),
    run("--migration-budget", "0", "--set", "telemetry.migrationBudget=0"),
  ]);
  for (const r of [deployment, off, own, same]) equal(r.code, 0, r.stderr);
  const migrations = (r: { stdout: string }) => JSON.parse(r.stdout).results[0].migrations;
  ok(migrations(deployment) > 0, "the default budget (8) migrates");
  equal(migrations(off), 0);
  equal(migrations(own), 0);
  equal(migrations(same), 0);
  const config = JSON.parse(own.stdout).config;
  equal(config.migrationBudget, 8);
  deepEqual(config.policyConfig, { telemetry: { migrationBudget: 0 } });
  const clash = await run("--migration-budget", "4", "--set", "telemetry.migrationBudget=0");
  equal(clash.code, 2);
  ok(
    clash.stderr.includes("--set") &&
      clash.stderr.includes("conflicts with --migration-budget 4"),
    clash.stderr,
  );
});

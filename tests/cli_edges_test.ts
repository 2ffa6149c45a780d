import { deepEqual, equal, ok } from "node:assert/strict";
import { runTask } from "./_cli.ts";

Deno.test("sim: a user policy that throws is named with the request, exit 1, not blamed on --set", async () => {
  const r = await runTask("sim", [
    "--requests",
    "20",
    "--policy",
    "tests/testdata/policies/throws.ts",
  ]);
  equal(r.code, 1, r.stderr);
  ok(r.stderr.includes("Policy 'throws' failed on request 0: boom"), r.stderr);
  ok(!r.stderr.includes("--set"), r.stderr);
});

Deno.test("sim --list --json prints the lists as one JSON object", async () => {
  const r = await runTask("sim", ["--list", "--json"]);
  equal(r.code, 0, r.stderr);
  const obj = JSON.parse(r.stdout);
  deepEqual(Object.keys(obj), ["policies", "workloads", "models"]);
  ok(obj.policies.some((p: { name: string }) => p.name === "telemetry"));
});

Deno.test("sim: the header shows the nominal and the offered rate", async () => {
  const r = await runTask("sim", ["--requests", "300", "--workload", "poisson", "--rate", "20"]);
  equal(r.code, 0, r.stderr);
  ok(/20 req\/s nominal, \d+\.\d offered/.test(r.stdout), r.stdout.split("\n")[0]);
});

for (
  const flag of [["--trace", "x.jsonl"], ["--load", "0.7"], ["--seed", "3"], ["--json"], [
    "--out",
    "x",
  ]]
) {
  Deno.test(`sweep rejects ${flag[0]} (it cannot honour it) with exit 2`, async () => {
    const r = await runTask("sweep", ["--seeds", "1", "--requests", "50", ...flag]);
    equal(r.code, 2, r.stderr);
    ok(r.stderr.includes(`${flag[0]} is not supported by sweep`), r.stderr);
  });
}

Deno.test("sweep honours the scenario flags it takes", async () => {
  const r = await runTask("sweep", ["--seeds", "2", "--requests", "300", "--workload", "poisson"]);
  equal(r.code, 0, r.stderr);
  ok(/telemetry has the lower p99 TTFT on \d of 2 seeds/.test(r.stdout), r.stdout);
});

Deno.test("trace:gen --out into a missing directory exits 2 naming --out", async () => {
  const r = await runTask("trace_gen", ["--requests", "5", "--out", "/nonexistent-dir/x.jsonl"], [
    "--allow-read",
    "--allow-write",
    "--allow-env",
  ]);
  equal(r.code, 2, r.stderr);
  ok(r.stderr.includes("--out"), r.stderr);
});

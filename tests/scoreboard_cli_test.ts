// `deno task scoreboard`: --policy names one policy (a built-in name or a module path),
// --policies the ones it is scored against; bad flags exit 2 naming the flag.
import { deepEqual, equal, ok } from "node:assert/strict";
import { runTask } from "./_cli.ts";

const SMALL = ["--workloads", "bursty", "--loads", "0.5", "--seeds", "1", "--requests", "200"];

interface Row {
  policy: { policy: string };
  bestP99: { policy: string };
  bestGoodput: { policy: string };
}

Deno.test("scoreboard: a module scored against the --policies it names", async () => {
  const r = await runTask("scoreboard", [
    ...SMALL,
    "--policy",
    "./examples/prefix_then_load.ts",
    "--policies",
    "round-robin,llm-d",
    "--set",
    "prefix-then-load.maxWaitMs=50",
    "--json",
  ]);
  equal(r.code, 0, r.stderr);
  const rows = JSON.parse(r.stdout) as Row[];
  equal(rows.length, 1);
  equal(rows[0].policy.policy, "prefix-then-load");
  ok(["round-robin", "llm-d"].includes(rows[0].bestP99.policy), rows[0].bestP99.policy);
});

Deno.test("scoreboard: bad policy flags exit 2 naming the flag", async () => {
  const runs = await Promise.all([
    runTask("scoreboard", [...SMALL, "--policy", "nope"]),
    runTask("scoreboard", [...SMALL, "--policies", "telemetry"]),
    runTask("scoreboard", [...SMALL, "--set", "nope.x=1"]),
    runTask("scoreboard", [...SMALL, "--set", "telemetry.noSuchField=1"]),
    runTask("scoreboard", [...SMALL, "--seeds", "1.5"]),
  ]);
  deepEqual(runs.map((r) => r.code), [2, 2, 2, 2, 2], runs.map((r) => r.stderr).join("\n"));
  for (const [i, flag] of ["--policy", "--policies", "--set", "--set", "--seeds"].entries()) {
    ok(runs[i].stderr.includes(flag), runs[i].stderr);
    equal(runs[i].stdout, "");
  }
});

import { deepEqual, equal, ok } from "node:assert/strict";
import { policyNames } from "../policy/registry.ts";
import { formatScoreboard, scoreboard } from "./scoreboard_command.ts";

Deno.test("scoreboard: compares the policy with the best of the others, run by run", async () => {
  const rows = await scoreboard({
    policy: "telemetry",
    workloads: ["bursty"],
    loads: [0.5, 0.9],
    seeds: [1],
    requests: 400,
  });
  deepEqual(rows.map((r) => [r.workload, r.load, r.seed]), [["bursty", 0.5, 1], [
    "bursty",
    0.9,
    1,
  ]]);
  ok(rows[1].ratePerS > rows[0].ratePerS);
  for (const r of rows) {
    equal(r.policy.policy, "telemetry");
    ok(policyNames().includes(r.bestP99.policy) && r.bestP99.policy !== "telemetry");
    equal(r.p99Win, r.policy.ttftMs.p99 < r.bestP99.ttftMs.p99);
    equal(r.goodputWin, r.policy.goodputRps > r.bestGoodput.goodputRps);
  }
  const text = formatScoreboard("telemetry", rows);
  const wins = rows.filter((r) => r.p99Win).length;
  ok(text.includes(`best p99 TTFT in ${wins}/2 runs`), text);
});

import { equal, ok } from "node:assert/strict";
import { Rng } from "../src/core/rng.ts";
import { createPolicy } from "../src/policy/registry.ts";
import { prefillMsPerToken } from "../src/model/model.ts";
import { LLAMA3_8B_H100 } from "../src/model/presets.ts";
import { simulate } from "../src/sim/simulator.ts";
import { workloadTemplate } from "../src/workload/catalog.ts";
import { SyntheticSource } from "../src/workload/synthetic.ts";

const WINDOW_MS = 10_000;

async function runSkewed(budget: number) {
  const policy = createPolicy(
    "telemetry",
    { migrationBudget: budget, migrationWindowMs: WINDOW_MS, migrationMargin: 0.08 },
    {
      random: new Rng(1).source(),
      sloTtftMs: 500,
      sloTpotMs: 30,
      prefillMsPerToken: prefillMsPerToken(LLAMA3_8B_H100),
    },
  );
  const perWindow = new Map<number, number>();
  const moves: [number, number][] = [];
  const { summary } = await simulate({
    model: LLAMA3_8B_H100,
    prefillWorkers: 3,
    decodeWorkers: 3,
    policy,
    workload: new SyntheticSource(
      workloadTemplate("skewed").build({ requests: 3000, ratePerS: 20, seed: 1 }),
    ),
    slo: { ttftMs: 500, tpotMs: 30 },
    onMigration: (decidedMs, from, to) => {
      const w = Math.floor(decidedMs / WINDOW_MS);
      perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
      moves.push([from, to]);
    },
  });
  return { summary, perWindow, moves };
}

Deno.test("migration budget 0 means no migrations", async () => {
  const { summary, moves } = await runSkewed(0);
  equal(summary.migrations, 0);
  equal(moves.length, 0);
  equal(summary.completed, 3000);
});

Deno.test("a positive budget migrates on a skewed workload, never more than the budget per window", async () => {
  for (const budget of [1, 3]) {
    const { summary, perWindow, moves } = await runSkewed(budget);
    ok(summary.migrations > 0, `budget ${budget}: expected migrations`);
    equal(moves.length, summary.migrations);
    for (const [window, count] of perWindow) {
      ok(count <= budget, `window ${window}: ${count} migrations > budget ${budget}`);
    }
    for (const [from, to] of moves) {
      ok(from !== to && from >= 3 && to >= 3, `bad move ${from}→${to}`);
    }
    equal(summary.completed, 3000, "migration loses no request");
  }
});

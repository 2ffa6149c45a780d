/**
 * End-to-end simulation benchmarks.
 *
 * - `sim throughput`: the seed-lab scenario (2 prefill + 2 decode, ~30 req/s,
 *   prompts 100–1200, outputs 32–256) and the same load per GPU on 16 + 16 and
 *   128 + 128 GPUs, under `telemetry`, with `round-robin` as the baseline on the
 *   small fleet. Simulated requests per wall second = requests ÷ average time.
 * - `sim <workload>`: every named workload on 4 prefill + 4 decode GPUs, round-robin
 *   (baseline) vs telemetry: the wall cost of simulating it. The simulated TTFT and
 *   TPOT of these runs are in the `deno task bench` artifacts (per-target results).
 *
 * Request counts and iterations come from the profile (see `_profile.ts`).
 *
 * @module
 */

import { workloadTemplates } from "../src/workload/catalog.ts";
import { profileFromEnv } from "./_profile.ts";
import { runSim, type SimRun } from "./_sim_run.ts";

const profile = profileFromEnv();

/** Bench names of the throughput benches, parsed back by `deno task bench`. */
function throughputName(label: string, run: SimRun): string {
  return `${label} ${run.prefill}P+${run.decode}D ${run.workload} ${run.policy} ` +
    `${run.requests} requests`;
}

const throughput: [string, SimRun, boolean][] = [
  [
    "small",
    {
      workload: "seed-lab",
      requests: profile.smallRequests,
      prefill: 2,
      decode: 2,
      policy: "telemetry",
    },
    false,
  ],
  [
    "small",
    {
      workload: "seed-lab",
      requests: profile.smallRequests,
      prefill: 2,
      decode: 2,
      policy: "round-robin",
    },
    true,
  ],
  [
    "medium",
    {
      workload: "seed-lab",
      requests: profile.mediumRequests,
      prefill: 16,
      decode: 16,
      policy: "telemetry",
    },
    false,
  ],
];
if (profile.largeRequests > 0) {
  throughput.push([
    "large",
    {
      workload: "seed-lab",
      requests: profile.largeRequests,
      prefill: 128,
      decode: 128,
      policy: "telemetry",
    },
    false,
  ]);
}

for (const [label, run, baseline] of throughput) {
  Deno.bench({
    name: throughputName(label, run),
    group: "sim throughput",
    baseline,
    n: profile.simIterations,
    warmup: 1,
    async fn() {
      await runSim(run);
    },
  });
}

for (const t of workloadTemplates()) {
  for (const policy of ["round-robin", "telemetry"]) {
    const run: SimRun = {
      workload: t.name,
      requests: profile.workloadRequests,
      prefill: 4,
      decode: 4,
      policy,
    };
    Deno.bench({
      name: `${t.name} 4P+4D ${policy} ${run.requests} requests`,
      group: `sim ${t.name}`,
      baseline: policy === "round-robin",
      n: profile.simIterations,
      warmup: 1,
      async fn() {
        await runSim(run);
      },
    });
  }
}

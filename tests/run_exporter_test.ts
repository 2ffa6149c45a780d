import { equal, ok, rejects } from "node:assert/strict";
import { join } from "node:path";
import { createRequestRecord } from "../src/core/record.ts";
import type { InferenceRequest, RequestSource } from "../src/core/types.ts";
import { comparePolicies, DEFAULT_SCENARIO, syntheticWorkload } from "../src/sim/compare.ts";
import { RunExporter } from "../src/report/run_exporter.ts";

// A low migration margin so that this short run migrates and migrations.csv has rows.
const CONFIG = {
  ...DEFAULT_SCENARIO,
  workload: "skewed",
  requests: 600,
  ratePerS: 60,
  policyConfig: { telemetry: { migrationMargin: 0.05 } },
};

async function exportTo(dir: string, threaded: boolean): Promise<void> {
  const exporter = new RunExporter({ dir, sampleMs: 200, threaded });
  try {
    const report = await comparePolicies(CONFIG, {
      makeWorkload: (c) => exporter.throttle(syntheticWorkload(c)),
      onPolicyStart: (p) => exporter.startPolicy(p),
      onRequest: (_, r) => exporter.request(r),
      sampleIntervalMs: 200,
      onSample: (_, fleet, t) => exporter.sample(fleet, t),
      onMigration: (_, t, from, to) => exporter.migration(t, from, to),
    });
    await exporter.finish({
      config: { ...CONFIG },
      results: report.results,
      slo: { ttftMs: CONFIG.sloTtftMs, tpotMs: CONFIG.sloTpotMs },
      versions: {},
    });
  } finally {
    exporter.close();
  }
}

Deno.test("a worker-thread export writes the same files as a same-thread one", async () => {
  const root = await Deno.makeTempDir();
  try {
    await exportTo(join(root, "a"), true);
    await exportTo(join(root, "b"), false);
    const files = [
      "requests.csv",
      "timeseries.csv",
      "migrations.csv",
      "summary.json",
      "plots/ttft_cdf.svg",
      "plots/tpot_cdf.svg",
      "plots/latency_tail.svg",
      "plots/queue_depth.svg",
      "plots/kv_usage.svg",
      "plots/migrations.svg",
      "plots/worker_load.svg",
    ];
    for (const f of files) {
      const a = await Deno.readTextFile(join(root, "a", f));
      const b = await Deno.readTextFile(join(root, "b", f));
      ok(a.length > 100, `${f} has content`);
      equal(a, b, `${f} differs between threaded and same-thread export`);
    }
    ok((await Deno.readTextFile(join(root, "a", "migrations.csv"))).split("\n").length > 3);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("throttle makes the source wait while the worker is behind", async () => {
  const dir = await Deno.makeTempDir();
  const exporter = new RunExporter({ dir, sampleMs: 100 });
  try {
    const empty: readonly InferenceRequest[] = [];
    const source: RequestSource = { name: "none", blockTokens: 16, next: () => empty };
    const throttled = exporter.throttle(source);
    equal(throttled.next(), empty, "not behind: answers at once");
    exporter.startPolicy("p");
    const r = { ...createRequestRecord(), ttftMs: 1, e2eMs: 2 };
    // No await in this loop, so the worker cannot acknowledge any batch meanwhile.
    for (let i = 0; i < 400_000; i++) exporter.request(r); // > 64 batches
    const next = throttled.next();
    ok(next instanceof Promise, "behind: the source waits");
    equal(await next, empty);
  } finally {
    exporter.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a failure on the worker reaches the caller", async () => {
  const file = await Deno.makeTempFile();
  const exporter = new RunExporter({ dir: file, sampleMs: 100 }); // a file, not a directory
  try {
    exporter.startPolicy("p");
    await rejects(
      exporter.finish({ config: {}, results: [], slo: { ttftMs: 1, tpotMs: 1 }, versions: {} }),
      /File exists|Not a directory|exists/i,
    );
    const source: RequestSource = { name: "none", blockTokens: 16, next: () => [] };
    await rejects(async () => await exporter.throttle(source).next());
  } finally {
    exporter.close();
    await Deno.remove(file);
  }
});

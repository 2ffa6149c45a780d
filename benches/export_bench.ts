/**
 * What `--out DIR` costs: the default comparison (round-robin and telemetry, chat
 * workload on 4 prefill + 4 decode H100s) at 100k requests, without export, with the
 * export on a worker thread (what `sim --out` does), and with the export on the
 * simulation's own thread. Each export writes requests.csv, timeseries.csv (every
 * 500 ms), migrations.csv, summary.json, six SVG plots and report.html.
 *
 * Run: deno bench --allow-read --allow-write --allow-env benches/export_bench.ts
 * (each iteration simulates 200k requests; expect about a minute).
 *
 * @module
 */

import { exportHooks } from "../src/cli/export_flags.ts";
import { RunExporter } from "../src/metrics/run_exporter.ts";
import { comparePolicies, DEFAULT_SCENARIO } from "../src/sim/compare.ts";

const REQUESTS = 100_000;
const SAMPLE_MS = 500;
const config = { ...DEFAULT_SCENARIO, requests: REQUESTS };
const root = Deno.makeTempDirSync({ prefix: "pdrouter-export-bench-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));

async function simulateAndExport(threaded: boolean): Promise<void> {
  const dir = `${root}/${threaded ? "threaded" : "inline"}`;
  const exporter = new RunExporter({ dir, sampleMs: SAMPLE_MS, threaded });
  try {
    const report = await comparePolicies(config, exportHooks(exporter, SAMPLE_MS));
    await exporter.finish({
      config: { ...config },
      results: report.results,
      slo: { ttftMs: config.sloTtftMs, tpotMs: config.sloTpotMs },
      versions: {},
    });
  } finally {
    exporter.close();
  }
}

const options = { group: "sim 100k requests × 2 policies", n: 5, warmup: 1 };

Deno.bench("no export", { ...options, baseline: true }, async () => {
  await comparePolicies(config);
});

Deno.bench("--out, worker thread (sim --out)", options, async () => {
  await simulateAndExport(true);
});

Deno.bench("--out, same thread", options, async () => {
  await simulateAndExport(false);
});

/**
 * `deno task bench:export`: what `sim --out DIR` adds to a 100k-request simulation.
 *
 * Runs the default comparison (round-robin and telemetry on the chat workload, 4 prefill
 * + 4 decode H100s) at 100k requests per policy, in rounds that interleave three
 * variants — no export, export on a worker thread (what `sim --out` does), export on the
 * simulation's thread — so that drifting load on a shared machine hits all of them
 * alike. Prints, per variant, the median and the best wall time, the median CPU time
 * (all threads), and the overhead of each over no export; the best time is the one
 * least disturbed by other processes. A warm-up round is not counted.
 *
 * Usage: deno task bench:export [--rounds N] [--requests N]
 *
 * @module
 */

import process from "node:process";
import { parseArgs } from "node:util";
import { DEFAULT_SAMPLE_MS, exportHooks } from "../src/cli/export_flags.ts";
import { RunExporter } from "../src/metrics/run_exporter.ts";
import { comparePolicies, DEFAULT_SCENARIO } from "../src/sim/compare.ts";

type Variant = "no export" | "--out (worker thread)" | "--out (same thread)";
const VARIANTS: Variant[] = ["no export", "--out (worker thread)", "--out (same thread)"];

async function once(variant: Variant, requests: number, dir: string): Promise<[number, number]> {
  const config = { ...DEFAULT_SCENARIO, requests };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (variant === "no export") {
    await comparePolicies(config);
  } else {
    const exporter = new RunExporter({
      dir,
      sampleMs: DEFAULT_SAMPLE_MS,
      threaded: variant === "--out (worker thread)",
    });
    try {
      const report = await comparePolicies(config, exportHooks(exporter, DEFAULT_SAMPLE_MS));
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
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return [wallMs, (cpu.user + cpu.system) / 1000];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rounds: { type: "string", default: "5" },
      requests: { type: "string", default: "100000" },
    },
  });
  const rounds = Number(values.rounds), requests = Number(values.requests);
  const dir = await Deno.makeTempDir({ prefix: "pdrouter-export-bench-" });
  const wall = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  const cpu = new Map<Variant, number[]>(VARIANTS.map((v) => [v, []]));
  try {
    for (let r = 0; r <= rounds; r++) {
      for (const v of VARIANTS) {
        const [w, c] = await once(v, requests, dir);
        if (r === 0) continue; // warm-up
        wall.get(v)!.push(w);
        cpu.get(v)!.push(c);
      }
      if (r > 0) console.error(`round ${r}/${rounds} done`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const stats = (v: Variant) => ({
    wall: median(wall.get(v)!),
    best: Math.min(...wall.get(v)!),
    cpu: median(cpu.get(v)!),
  });
  const base = stats("no export");
  const pct = (x: number, b: number) => `${x >= b ? "+" : ""}${((x / b - 1) * 100).toFixed(1)}%`;
  console.log(
    `export overhead · ${requests} requests × ${DEFAULT_SCENARIO.policies.length} policies · ` +
      `sample every ${DEFAULT_SAMPLE_MS} ms · ${rounds} interleaved rounds · ` +
      `load average ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  );
  console.log(
    "variant                 median wall        best wall          median CPU         wall per round (s)",
  );
  for (const v of VARIANTS) {
    const s = stats(v);
    const cell = (x: number, b: number) =>
      `${(x / 1000).toFixed(2)} s`.padStart(7) +
      (v === "no export" ? "" : ` ${pct(x, b)}`).padEnd(10);
    console.log(
      `${v.padEnd(23)} ${cell(s.wall, base.wall)}  ${cell(s.best, base.best)}  ` +
        `${cell(s.cpu, base.cpu)}  ${wall.get(v)!.map((x) => (x / 1000).toFixed(2)).join(" ")}`,
    );
  }
}

/**
 * `deno task bench:export`: what `sim --out DIR` adds to a 100k-request simulation.
 *
 * Runs the default comparison (round-robin and telemetry on the chat workload, 4 prefill
 * + 4 decode H100s) at 100k requests per policy, in rounds that alternate the variants
 * so that drifting load on a shared machine hits all of them alike:
 *
 * - in-process (default): no export; export on a worker thread (what `sim --out` does
 *   for runs this size); export on the simulation's thread. Prints median and best wall
 *   time and median CPU time (all threads) with the overhead over no export.
 * - `--cli`: the real command, `deno task sim --requests N` without and with
 *   `--out DIR`, each in a fresh process (module loading and cold JIT included). Prints
 *   median and best wall time.
 *
 * Each export writes requests.csv, timeseries.csv, migrations.csv, summary.json, six
 * SVG plots and report.html. A warm-up round is not counted.
 *
 * Usage: deno task bench:export [--rounds N] [--requests N] [--sample-ms MS] [--cli]
 *
 * @module
 */

import process from "node:process";
import { Command } from "npm:commander@15.1.0";
import { positiveInt, positiveNumber } from "../src/cli/flags/values.ts";
import { runCommand } from "../src/cli/run_command.ts";
import { DEFAULT_SAMPLE_MS, exportHooks } from "../src/cli/flags/export.ts";
import { RunExporter } from "../src/report/run_exporter.ts";
import { comparePolicies, DEFAULT_SCENARIO } from "../src/sim/compare.ts";

interface Variant {
  readonly name: string;
  /** Runs once; returns CPU ms (NaN when not measured). */
  run(): Promise<number>;
}

function inProcess(requests: number, sampleMs: number, dir: string): Variant[] {
  const config = { ...DEFAULT_SCENARIO, requests };
  const cpuOf = async (f: () => Promise<void>) => {
    const cpu0 = process.cpuUsage();
    await f();
    const cpu = process.cpuUsage(cpu0);
    return (cpu.user + cpu.system) / 1000;
  };
  const exported = (threaded: boolean) => async () => {
    const exporter = new RunExporter({ dir, sampleMs, threaded });
    try {
      const report = await comparePolicies(config, exportHooks(exporter, sampleMs));
      await exporter.finish({
        config: { ...config },
        results: report.results,
        slo: { ttftMs: config.sloTtftMs, tpotMs: config.sloTpotMs },
        versions: {},
      });
    } finally {
      exporter.close();
    }
  };
  return [
    { name: "no export", run: () => cpuOf(async () => void await comparePolicies(config)) },
    { name: "--out, worker thread", run: () => cpuOf(exported(true)) },
    { name: "--out, same thread", run: () => cpuOf(exported(false)) },
  ];
}

function cli(requests: number, sampleMs: number, dir: string): Variant[] {
  const sim = new URL("../tasks/sim.ts", import.meta.url).pathname;
  const run = (extra: string[]) => async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env",
        "--allow-write",
        sim,
        "--requests",
        String(requests),
        ...extra,
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return NaN;
  };
  return [
    { name: "sim", run: run([]) },
    { name: "sim --out", run: run(["--out", dir, "--sample-ms", String(sampleMs)]) },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function build(): Command {
  return new Command("bench:export")
    .description(
      "What `sim --out DIR` adds to the wall time of a large simulation: alternating " +
        "rounds of the default comparison with and without export (in-process, or the real " +
        "command with --cli).",
    )
    .option("--rounds <n>", "measured rounds (one warm-up round is added)", positiveInt, 5)
    .option("--requests <n>", "requests per policy", positiveInt, 100_000)
    .option("--sample-ms <ms>", "time-series sampling interval", positiveNumber, DEFAULT_SAMPLE_MS)
    .option("--cli", "time `deno task sim` in fresh processes instead of in-process runs", false);
}

async function main(values: Record<string, unknown>): Promise<void> {
  const rounds = values.rounds as number, requests = values.requests as number;
  const sampleMs = values.sampleMs as number;
  const dir = await Deno.makeTempDir({ prefix: "pdrouter-export-bench-" });
  const variants = values.cli ? cli(requests, sampleMs, dir) : inProcess(requests, sampleMs, dir);
  const wall = variants.map(() => [] as number[]);
  const cpu = variants.map(() => [] as number[]);
  try {
    for (let r = 0; r <= rounds; r++) {
      for (let i = 0; i < variants.length; i++) {
        const t0 = performance.now();
        const c = await variants[i].run();
        if (r === 0) continue; // warm-up
        wall[i].push(performance.now() - t0);
        cpu[i].push(c);
      }
      if (r > 0) console.error(`round ${r}/${rounds} done`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const pct = (x: number, b: number) => `${x >= b ? "+" : ""}${((x / b - 1) * 100).toFixed(1)}%`;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `export overhead${values.cli ? " (CLI, fresh processes)" : ""} · ${requests} requests × ` +
      `${DEFAULT_SCENARIO.policies.length} policies · sample every ${sampleMs} ms · ` +
      `${rounds} rounds · load average ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
  );
  console.log(
    `${"variant".padEnd(22)}${"median wall".padEnd(20)}${"best wall".padEnd(20)}` +
      `${values.cli ? "" : "median CPU".padEnd(20)}wall per round (s)`,
  );
  const base = { wall: median(wall[0]), best: Math.min(...wall[0]), cpu: median(cpu[0]) };
  variants.forEach((v, i) => {
    const cell = (x: number, b: number) => `${s(x)} ${i === 0 ? "" : pct(x, b)}`.padEnd(20);
    console.log(
      v.name.padEnd(22) + cell(median(wall[i]), base.wall) + cell(Math.min(...wall[i]), base.best) +
        (values.cli ? "" : cell(median(cpu[i]), base.cpu)) +
        wall[i].map((x) => (x / 1000).toFixed(2)).join(" "),
    );
  });
}

if (import.meta.main) Deno.exit(await runCommand(build, main, Deno.args));

/**
 * Scale check: one large simulation in its own process, reporting wall time and
 * peak resident memory: Linux `VmHWM` from `/proc/self/status` when readable (Deno
 * allows that only with `--allow-all`), else the largest `Deno.memoryUsage().rss`
 * sampled every 8,192 finished requests and at the end.
 *
 * ```sh
 * deno run --allow-env --allow-read benches/scale_check.ts --requests 1000000 --gpus 1024 --json
 * ```
 *
 * The default is the target: 10^6 seed-lab requests on 1024 GPUs (512
 * prefill + 512 decode, arrival rate scaled with the fleet: 7680 req/s).
 *
 * @module
 */

import { Command } from "npm:commander@15.1.0";
import { policyNames } from "../src/policy/registry.ts";
import { positiveInt } from "../src/cli/flags/values.ts";
import { runCommand, writeText } from "../src/cli/run_command.ts";
import { UsageError } from "../src/core/errors.ts";
import { workloadTemplates } from "../src/workload/catalog.ts";
import { runSim, scaledRate } from "./_sim_run.ts";

/** What the check reports. */
export interface ScaleResult {
  /** Workload name. */
  workload: string;
  /** Policy name. */
  policy: string;
  /** Requests simulated. */
  requests: number;
  /** Prefill workers. */
  prefill: number;
  /** Decode workers. */
  decode: number;
  /** Arrival rate, requests/s. */
  ratePerS: number;
  /** Wall time of the simulation, s. */
  wallS: number;
  /** Simulated requests per wall second. */
  requestsPerS: number;
  /** Peak resident set size of the process, bytes. */
  peakRssBytes: number;
  /** Where the peak came from: `VmHWM` (exact) or `sampled`. */
  rssSource: "VmHWM" | "sampled";
  /** Events processed. */
  events: number;
  /** Requests completed. */
  completed: number;
}

function vmHwmBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs the check. */
export async function scaleCheck(
  workload: string,
  policy: string,
  requests: number,
  gpus: number,
): Promise<ScaleResult> {
  const prefill = gpus >> 1, decode = gpus - prefill;
  let sampled = Deno.memoryUsage().rss;
  const t0 = performance.now();
  const result = await runSim({
    workload,
    policy,
    requests,
    prefill,
    decode,
    progressEvery: 8192,
    onProgress: () => {
      const rss = Deno.memoryUsage().rss;
      if (rss > sampled) sampled = rss;
    },
  });
  const wallS = (performance.now() - t0) / 1000;
  sampled = Math.max(sampled, Deno.memoryUsage().rss);
  const hwm = vmHwmBytes();
  return {
    workload,
    policy,
    requests,
    prefill,
    decode,
    ratePerS: scaledRate(workload, gpus),
    wallS,
    requestsPerS: requests / wallS,
    peakRssBytes: hwm > 0 ? hwm : sampled,
    rssSource: hwm > 0 ? "VmHWM" : "sampled",
    events: result.events,
    completed: result.summary.completed,
  };
}

function build(): Command {
  return new Command("scale_check")
    .description("Wall time and peak RSS of one large simulation (its own process).")
    .option("--requests <n>", "requests to simulate", positiveInt, 1_000_000)
    .option("--gpus <n>", "GPUs, split evenly into prefill and decode (≥ 2)", positiveInt, 1024)
    .option("--workload <name>", "named workload", "seed-lab")
    .option("--policy <name>", "routing policy", "telemetry")
    .option("--json", "print one JSON object", false);
}

if (import.meta.main) {
  Deno.exit(
    await runCommand(build, async (opts) => {
      const workload = String(opts.workload), policy = String(opts.policy);
      if (!workloadTemplates().some((t) => t.name === workload)) {
        throw new UsageError("--workload", `unknown workload '${workload}'`);
      }
      if (!policyNames().includes(policy)) {
        throw new UsageError("--policy", `unknown policy '${policy}'`);
      }
      const gpus = opts.gpus as number;
      if (gpus < 2) throw new UsageError("--gpus", `expected at least 2, got ${gpus}`);
      const r = await scaleCheck(workload, policy, opts.requests as number, gpus);
      if (opts.json) {
        writeText(Deno.stdout, JSON.stringify(r) + "\n");
        return;
      }
      writeText(
        Deno.stdout,
        `${r.requests} ${r.workload} requests on ${r.prefill}P+${r.decode}D (${r.policy}, ` +
          `${r.ratePerS} req/s): ${r.wallS.toFixed(2)} s wall, ${
            r.requestsPerS.toFixed(0)
          } requests/s, peak RSS ${(r.peakRssBytes / 2 ** 20).toFixed(0)} MiB (${r.rssSource})\n`,
      );
    }, Deno.args),
  );
}

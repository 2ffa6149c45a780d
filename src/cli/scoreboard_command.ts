/**
 * `deno task scoreboard`: one policy against every other built-in policy over
 * workloads × loads × seeds. For each run it reports the policy's p99 TTFT and goodput
 * beside the best of the others, and counts the wins. Loads are fractions of the
 * fleet's capacity as estimated by round-robin probe runs (see `sim --load`).
 *
 * @module
 */

import { Command, InvalidArgumentError } from "commander";
import { UsageError } from "../core/errors.ts";
import type { RunSummary } from "../metrics/recorder.ts";
import { policyNames } from "../policy/registry.ts";
import { estimateCapacity } from "../sim/capacity.ts";
import { comparePolicies, type ComparisonConfig, DEFAULT_SCENARIO } from "../sim/compare.ts";
import { workloadTemplate } from "../workload/catalog.ts";
import { nameList, positiveInt } from "./flags/values.ts";
import { progressEnabled, runCommand, writeText } from "./run_command.ts";
import { fixed, formatTable } from "./table.ts";

/** One run of the scoreboard. */
export interface ScoreboardRow {
  /** Workload name. */
  workload: string;
  /** Load as a fraction of the estimated capacity. */
  load: number;
  /** Seed. */
  seed: number;
  /** Arrival rate used, requests/s. */
  ratePerS: number;
  /** The scored policy's summary. */
  policy: RunSummary;
  /** The other policy with the lowest p99 TTFT. */
  bestP99: RunSummary;
  /** The other policy with the highest goodput. */
  bestGoodput: RunSummary;
  /** Whether the policy's p99 TTFT is strictly lower than every other's. */
  p99Win: boolean;
  /** Whether the policy's goodput is strictly higher than every other's. */
  goodputWin: boolean;
}

/** What {@linkcode scoreboard} runs. */
export interface ScoreboardOptions {
  /** The policy scored against all other built-in policies. */
  policy: string;
  /** Workload names. */
  workloads: string[];
  /** Loads, fractions of capacity. */
  loads: number[];
  /** Seeds. */
  seeds: number[];
  /** Requests per run. */
  requests: number;
  /** Called after each run. */
  onRow?: (row: ScoreboardRow) => void;
}

/**
 * Runs the scoreboard.
 *
 * @example
 * ```ts ignore
 * const rows = await scoreboard({
 *   policy: "telemetry", workloads: ["bursty"], loads: [0.7], seeds: [1], requests: 2000,
 * });
 * console.log(rows[0].p99Win);
 * ```
 * @throws {RangeError} On an unknown policy or workload.
 */
export async function scoreboard(options: ScoreboardOptions): Promise<ScoreboardRow[]> {
  const rows: ScoreboardRow[] = [];
  const others = policyNames().filter((p) => p !== options.policy);
  for (const workload of options.workloads) {
    for (const seed of options.seeds) {
      const base: ComparisonConfig = {
        ...DEFAULT_SCENARIO,
        workload,
        seed,
        requests: options.requests,
        ratePerS: workloadTemplate(workload).defaultRatePerS,
        policies: [options.policy, ...others],
        policyConfig: {},
      };
      const capacity = await estimateCapacity(base);
      for (const load of options.loads) {
        const ratePerS = capacity.capacityRps * load;
        const { results } = await comparePolicies({ ...base, ratePerS });
        const [mine, ...rest] = results;
        const bestP99 = rest.reduce((a, b) => (b.ttftMs.p99 < a.ttftMs.p99 ? b : a));
        const bestGoodput = rest.reduce((a, b) => (b.goodputRps > a.goodputRps ? b : a));
        const row: ScoreboardRow = {
          workload,
          load,
          seed,
          ratePerS,
          policy: mine,
          bestP99,
          bestGoodput,
          p99Win: mine.ttftMs.p99 < bestP99.ttftMs.p99,
          goodputWin: mine.goodputRps > bestGoodput.goodputRps,
        };
        rows.push(row);
        options.onRow?.(row);
      }
    }
  }
  return rows;
}

/** Formats scoreboard rows as a table with a win count. */
export function formatScoreboard(policy: string, rows: readonly ScoreboardRow[]): string {
  const table = formatTable(
    [
      "workload",
      "load",
      "seed",
      "req/s",
      `${policy} p99`,
      "best other p99",
      "",
      `${policy} goodput`,
      "best other goodput",
      "",
      "SLO ok",
    ],
    rows.map((r) => [
      r.workload,
      fixed(r.load * 100) + "%",
      String(r.seed),
      fixed(r.ratePerS, 1),
      fixed(r.policy.ttftMs.p99),
      `${r.bestP99.policy} ${fixed(r.bestP99.ttftMs.p99)}`,
      r.p99Win ? "win" : "LOSE",
      fixed(r.policy.goodputRps, 2),
      `${r.bestGoodput.policy} ${fixed(r.bestGoodput.goodputRps, 2)}`,
      r.goodputWin ? "win" : "LOSE",
      fixed(r.policy.sloAttainment * 100, 1) + "%",
    ]),
  );
  const p99 = rows.filter((r) => r.p99Win).length;
  const good = rows.filter((r) => r.goodputWin).length;
  return `${table}\n\n${policy}: best p99 TTFT in ${p99}/${rows.length} runs, ` +
    `best goodput in ${good}/${rows.length} runs (p99 TTFT in ms, goodput in requests/s)\n`;
}

function numberList(value: string): number[] {
  return nameList(value).map((x) => {
    const n = Number(x);
    if (!(Number.isFinite(n) && n > 0)) {
      throw new InvalidArgumentError(`expected positive numbers, got '${x}'`);
    }
    return n;
  });
}

/** The `scoreboard` command's flags and help. */
export function buildScoreboardCommand(): Command {
  return new Command("scoreboard")
    .description(
      "Score one policy against every other built-in policy: p99 TTFT and goodput over " +
        "workloads × loads (fractions of the estimated fleet capacity) × seeds, on the default " +
        "fleet (4 prefill + 4 decode H100s, Llama-3.1-8B, SLO TTFT 500 ms, TPOT 30 ms).",
    )
    .option("--policy <name>", "the policy to score", "telemetry")
    .option("--workloads <names>", "synthetic workloads", nameList, [
      "chat",
      "bursty",
      "shared-prefix",
    ])
    .option("--loads <fractions>", "loads as fractions of capacity", numberList, [0.7, 0.95])
    .option("--seeds <list>", "seeds", numberList, [1, 2, 3])
    .option("--requests <n>", "requests per run", positiveInt, DEFAULT_SCENARIO.requests)
    .option("--json", "print one JSON array of rows instead of the table", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  deno task scoreboard\n" +
        "  deno task scoreboard --workloads bursty --loads 0.95 --seeds 1,2,3,4,5",
    );
}

/** Runs the `scoreboard` command on `args`; returns the exit code. */
export function runScoreboardCommand(args: readonly string[]): Promise<number> {
  return runCommand(buildScoreboardCommand, async (opts) => {
    const policy = String(opts.policy);
    if (!policyNames().includes(policy)) {
      throw new UsageError(
        "--policy",
        `unknown policy '${policy}' (known: ${policyNames().join(", ")})`,
      );
    }
    const workloads = opts.workloads as string[];
    for (const w of workloads) {
      try {
        workloadTemplate(w);
      } catch (e) {
        throw new UsageError("--workloads", (e as Error).message);
      }
    }
    const seeds = opts.seeds as number[];
    if (seeds.some((s) => !Number.isInteger(s))) {
      throw new UsageError("--seeds", `expected integers, got '${seeds.join(",")}'`);
    }
    const progress = !opts.json && progressEnabled();
    const rows = await scoreboard({
      policy,
      workloads,
      loads: opts.loads as number[],
      seeds,
      requests: opts.requests as number,
      onRow: progress
        ? (r) => writeText(Deno.stderr, `\r\x1b[K${r.workload} load ${r.load} seed ${r.seed} done`)
        : undefined,
    });
    if (progress) writeText(Deno.stderr, "\r\x1b[K");
    writeText(
      Deno.stdout,
      opts.json ? JSON.stringify(rows) + "\n" : formatScoreboard(policy, rows),
    );
  }, args);
}

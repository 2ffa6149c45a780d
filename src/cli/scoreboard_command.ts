/**
 * `deno task scoreboard`: one policy against every other built-in policy over
 * workloads × loads × seeds. For each run it reports the policy's p99 TTFT and goodput
 * beside the best of the others, and counts the wins. Loads are fractions of the
 * fleet's capacity (the steady state of the workload's mix; see `sim --load`).
 *
 * @module
 */

import { Command } from "npm:commander@15.1.0";
import { cannot, PolicyConfigError, UsageError } from "../core/errors.ts";
import type { RunSummary } from "../metrics/recorder.ts";
import { policyNames } from "../policy/registry.ts";
import type { PolicyConfig, PolicyFactory } from "../policy/types.ts";
import { estimateCapacity } from "../sim/capacity.ts";
import { comparePolicies, type ComparisonConfig, DEFAULT_SCENARIO } from "../sim/compare.ts";
import { workloadTemplate } from "../workload/catalog.ts";
import { nameList, positiveNumberList } from "./flags/values.ts";
import {
  addPolicyConfigOptions,
  addPolicyOptions,
  comparedPolicies,
  loadPolicyModules,
  policyConfigs,
  policyFlagsFromOpts,
} from "./flags/policy.ts";
import { addWorkloadOptions, checkWorkloads } from "./flags/workload.ts";
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
  /** The policy scored (by name), against every other built-in policy or `against`. */
  policy: string;
  /** The policies it is scored against (default: every other built-in policy). */
  against?: readonly string[];
  /** Factories of policies that are not built in (user modules), by name. */
  factories?: Readonly<Record<string, PolicyFactory>>;
  /** Per-policy configuration (`--set`), by name. */
  policyConfig?: Record<string, PolicyConfig>;
  /** The deployment's migration budget (default: the default scenario's). */
  migrationBudget?: number;
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
 * @throws {RangeError} On an unknown policy or workload, or no policy to score against.
 * @throws {PolicyConfigError} When a policy rejects its configuration.
 */
export async function scoreboard(options: ScoreboardOptions): Promise<ScoreboardRow[]> {
  const rows: ScoreboardRow[] = [];
  const others = (options.against ?? policyNames()).filter((p) => p !== options.policy);
  if (others.length === 0) {
    throw new RangeError(
      cannot("score a policy", "expected another policy to score it against", options.policy),
    );
  }
  for (const workload of options.workloads) {
    for (const seed of options.seeds) {
      const base: ComparisonConfig = {
        ...DEFAULT_SCENARIO,
        workload,
        seed,
        requests: options.requests,
        ratePerS: workloadTemplate(workload).defaultRatePerS,
        migrationBudget: options.migrationBudget ?? DEFAULT_SCENARIO.migrationBudget,
        policies: [options.policy, ...others],
        policyConfig: options.policyConfig ?? {},
      };
      const capacity = await estimateCapacity(base);
      for (const load of options.loads) {
        const ratePerS = capacity.capacityRps * load;
        const { results } = await comparePolicies({ ...base, ratePerS }, {
          policies: options.factories,
        });
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

/** The `scoreboard` command's flags and help. */
export function buildScoreboardCommand(): Command {
  const cmd = new Command("scoreboard")
    .description(
      "Score one policy against every other built-in policy: p99 TTFT and goodput over " +
        "workloads × loads (fractions of the estimated fleet capacity) × seeds, on the default " +
        "fleet (4 prefill + 4 decode H100s, Llama-3.1-8B, SLO TTFT 500 ms, TPOT 30 ms).",
    );
  addPolicyOptions(cmd, {
    policy: "one",
    policyHelp: "the policy to score",
    policyDefault: "telemetry",
    policiesHelp: "the policies to score it against (default: every other built-in policy; " +
      "the scored policy is left out)",
  });
  cmd
    .option("--workloads <names>", "synthetic workloads", nameList, [
      "chat",
      "bursty",
      "shared-prefix",
    ])
    .option(
      "--loads <fractions>",
      "loads as fractions of capacity",
      positiveNumberList,
      [0.7, 0.95],
    )
    .option("--seeds <list>", "seeds", positiveNumberList, [1, 2, 3]);
  addWorkloadOptions(cmd, DEFAULT_SCENARIO, ["requests"]);
  addPolicyConfigOptions(cmd, DEFAULT_SCENARIO);
  return cmd
    .option("--json", "print one JSON array of rows instead of the table", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  deno task scoreboard\n" +
        "  deno task scoreboard --workloads bursty --loads 0.95 --seeds 1,2,3,4,5\n" +
        "  deno task scoreboard --policy ./examples/prefix_then_load.ts --policies round-robin,llm-d",
    );
}

/** Runs the `scoreboard` command on `args`; returns the exit code. */
export function runScoreboardCommand(args: readonly string[]): Promise<number> {
  return runCommand(buildScoreboardCommand, async (opts, _args, cmd) => {
    const flags = policyFlagsFromOpts(opts, (key) => cmd.getOptionValueSource(key) === "cli");
    const loaded = await loadPolicyModules(flags);
    const [policy] = comparedPolicies({ ...flags, policies: undefined }, [], loaded);
    const against = comparedPolicies(
      { ...flags, policy: [] },
      policyNames(),
      loaded,
    ).filter((p) => p !== policy);
    if (against.length === 0) {
      throw new UsageError(
        "--policies",
        `expected a policy besides the scored '${policy}', got '${flags.policies!.join(",")}'`,
      );
    }
    const policyConfig = policyConfigs(
      flags,
      [policy, ...against],
      loaded,
      (l) => writeText(Deno.stderr, l),
    );
    const workloads = opts.workloads as string[];
    checkWorkloads(workloads, "--workloads");
    const seeds = opts.seeds as number[];
    if (seeds.some((s) => !Number.isInteger(s))) {
      throw new UsageError("--seeds", `expected integers, got '${seeds.join(",")}'`);
    }
    const progress = progressEnabled();
    let rows;
    try {
      rows = await scoreboard({
        policy,
        against,
        factories: Object.fromEntries(loaded.map((l) => [l.name, l.create])),
        policyConfig,
        migrationBudget: flags.migrationBudget,
        workloads,
        loads: opts.loads as number[],
        seeds,
        requests: opts.requests as number,
        onRow: progress
          ? (r) =>
            writeText(Deno.stderr, `\r\x1b[K${r.workload} load ${r.load} seed ${r.seed} done`)
          : undefined,
      });
    } catch (e) {
      // A policy factory rejecting its configuration is a usage error of --set.
      if (e instanceof PolicyConfigError) throw new UsageError("--set", e.message, { cause: e });
      throw e;
    } finally {
      if (progress) writeText(Deno.stderr, "\r\x1b[K");
    }
    writeText(
      Deno.stdout,
      opts.json ? JSON.stringify(rows) + "\n" : formatScoreboard(policy, rows),
    );
  }, args);
}

/**
 * `deno task compare`: every built-in policy side by side on the default synthetic
 * scenario, the Mooncake conversation trace and the Azure conv trace, each at fractions
 * of the fleet's estimated capacity, written as markdown tables: the tables of
 * `docs/results.md`, which `deno task docs` rewrites from this command's output.
 *
 * @module
 */

import { Command } from "npm:commander@15.1.0";
import { PolicyConfigError, UsageError } from "../core/errors.ts";
import { policyNames } from "../policy/registry.ts";
import type { PolicyConfig, PolicyFactory } from "../policy/types.ts";
import { estimateCapacity } from "../sim/capacity.ts";
import { comparePolicies, type ComparisonConfig, DEFAULT_SCENARIO } from "../sim/compare.ts";
import { scanTrace, TraceSource } from "../workload/trace_reader.ts";
import { offeredRate, rateScaledTrace } from "../workload/trace_rate.ts";
import { positiveInt, positiveNumberList } from "./flags/values.ts";
import {
  addPolicyConfigOptions,
  addPolicyOptions,
  comparedPolicies,
  loadPolicyModules,
  policyArgs,
  policyConfigs,
  policyFlagsFromOpts,
} from "./flags/policy.ts";
import { addWorkloadOptions } from "./flags/workload.ts";
import { progressEnabled, runCommand, writeText } from "./run_command.ts";
import { userPath } from "./user_path.ts";
import { formatResultsMarkdown, type SideBySideRun } from "./results_markdown.ts";

/** A trace run of the comparison: which file, on which fleet, under which SLOs. */
export interface TraceScenario {
  /** Title used in the tables. */
  title: string;
  /** Trace path relative to the repository root (as printed in commands). */
  path: string;
  /** Prefill pool size. */
  prefillGpus: number;
  /** Decode pool size. */
  decodeGpus: number;
  /** TTFT objective, ms. */
  sloTtftMs: number;
  /** TPOT objective, ms. */
  sloTpotMs: number;
}

/**
 * The two traces and their fleets. Mooncake runs on 3 prefill + 3 decode so that 70%
 * of capacity is close to the trace's own rate (≈ 1.2×); Azure conv runs on the default
 * 4 + 4 fleet (its short prompts need its arrivals compressed ≈ 19–26×). Both use
 * MLPerf Inference's llama3_1-8b server SLOs (TTFT 2 s, TPOT 100 ms).
 */
export const COMPARE_TRACES: readonly TraceScenario[] = [
  {
    title: "Mooncake conversation",
    path: "data/traces/mooncake/conversation_trace.jsonl.gz",
    prefillGpus: 3,
    decodeGpus: 3,
    sloTtftMs: 2000,
    sloTpotMs: 100,
  },
  {
    title: "Azure conv 2023",
    path: "data/traces/azure-llm-2023/AzureLLMInferenceTrace_conv.csv.gz",
    prefillGpus: 4,
    decodeGpus: 4,
    sloTtftMs: 2000,
    sloTpotMs: 100,
  },
];

/** What {@linkcode sideBySide} runs. */
export interface SideBySideOptions {
  /** Loads, fractions of the estimated capacity. */
  loads: readonly number[];
  /** Requests of the synthetic runs. */
  requests: number;
  /** Seed (workload and policies). */
  seed: number;
  /** Replay only the first N requests of each trace (`Infinity`: all). */
  traceLimit: number;
  /** Trace runs. */
  traces: readonly TraceScenario[];
  /** Repository root that trace paths are relative to. */
  root: string;
  /** Policies compared, by name (default: every built-in policy). */
  policies?: readonly string[];
  /** Factories of policies that are not built in (user modules), by name. */
  factories?: Readonly<Record<string, PolicyFactory>>;
  /** Per-policy configuration (`--set`), by name. */
  policyConfig?: Record<string, PolicyConfig>;
  /** The deployment's migration budget (default: the default scenario's). */
  migrationBudget?: number;
  /** The policy flags of the printed `deno task sim` commands (default: `--policies all`). */
  policyArgs?: readonly string[];
  /** Called when a run starts. */
  onRun?: (title: string) => void;
}

function pct(load: number): string {
  return `${Number((load * 100).toFixed(1))}%`;
}

function fleetText(c: ComparisonConfig): string {
  return `${c.prefillGpus} prefill + ${c.decodeGpus} decode H100 (${c.model}) · SLO TTFT ` +
    `${c.sloTtftMs} ms, TPOT ${c.sloTpotMs} ms`;
}

/**
 * Runs every built-in policy on the default synthetic scenario and on each trace, at
 * each load. Rates follow `deno task sim --load` exactly (synthetic: the rate rounded
 * to 0.01 req/s; traces: the rate-scale rounded to 4 significant digits), so each
 * run's printed command reproduces its numbers.
 *
 * @throws {InputError} On an unreadable or malformed trace.
 */
export async function sideBySide(options: SideBySideOptions): Promise<SideBySideRun[]> {
  const runs: SideBySideRun[] = [];
  const policies = [...(options.policies ?? policyNames())];
  const policyConfig = options.policyConfig ?? {};
  const migrationBudget = options.migrationBudget ?? DEFAULT_SCENARIO.migrationBudget;
  const hooks = { policies: options.factories };
  const simPolicyArgs = (options.policyArgs ?? ["--policies", "all"]).map(shellWord).join(" ");
  const synth: ComparisonConfig = {
    ...DEFAULT_SCENARIO,
    requests: options.requests,
    seed: options.seed,
    migrationBudget,
    policies,
    policyConfig,
  };
  const common = options.seed !== DEFAULT_SCENARIO.seed ? ` --seed ${options.seed}` : "";
  const capacity = await estimateCapacity(synth);
  for (const load of options.loads) {
    const title = `Default synthetic (${synth.workload}), ${pct(load)}`;
    options.onRun?.(title);
    const ratePerS = Number((capacity.capacityRps * load).toFixed(2));
    const { results } = await comparePolicies({ ...synth, ratePerS }, hooks);
    runs.push({
      title,
      detail: `${ratePerS} req/s (${pct(load)} of ${capacity.capacityRps.toFixed(1)} req/s, ` +
        `${capacity.bottleneck}-bound), ${synth.requests} requests · ${fleetText(synth)}`,
      command: `deno task sim ${simPolicyArgs} --load ${load}` +
        (options.requests !== DEFAULT_SCENARIO.requests ? ` --requests ${options.requests}` : "") +
        common,
      results,
    });
  }
  for (const t of options.traces) {
    const traceOptions = {
      path: options.root + t.path,
      format: "auto" as const,
      limit: options.traceLimit,
    };
    const stats = await scanTrace(traceOptions);
    const known = { ...traceOptions, format: stats.format };
    const base: ComparisonConfig = {
      ...DEFAULT_SCENARIO,
      workload: "trace",
      requests: stats.requests,
      seed: options.seed,
      prefillGpus: t.prefillGpus,
      decodeGpus: t.decodeGpus,
      sloTtftMs: t.sloTtftMs,
      sloTpotMs: t.sloTpotMs,
      migrationBudget,
      policies,
      policyConfig,
      ratePerS: 0,
    };
    const offered = offeredRate(known, stats);
    base.ratePerS = Number(offered.toFixed(3));
    const scaled = rateScaledTrace(known, stats, base.ratePerS);
    const cap = await estimateCapacity(base, { makeWorkload: scaled.makeWorkload });
    for (const load of options.loads) {
      const title = `${t.title}, ${pct(load)}`;
      options.onRun?.(title);
      const rateScale = scaled.roundedRateScaleFor(cap.capacityRps * load);
      const { results } = await comparePolicies(base, {
        ...hooks,
        makeWorkload: () => new TraceSource({ ...known, rateScale }),
      });
      runs.push({
        title,
        detail: `rate-scale ${rateScale} = ${(offered * rateScale).toFixed(2)} req/s ` +
          `(${pct(load)} of ${cap.capacityRps.toFixed(2)} req/s, ${cap.bottleneck}-bound), ` +
          `${stats.requests} requests · ${fleetText(base)}`,
        command:
          `deno task sim ${simPolicyArgs} --trace ${t.path} --prefill-gpus ${t.prefillGpus} ` +
          `--decode-gpus ${t.decodeGpus} --slo-ttft-ms ${t.sloTtftMs} --slo-tpot-ms ` +
          `${t.sloTpotMs} --load ${load}` +
          (Number.isFinite(options.traceLimit) ? ` --limit ${options.traceLimit}` : "") + common,
        results,
      });
    }
  }
  return runs;
}

/** `arg` as one shell word: as is when plain, else in single quotes. */
function shellWord(arg: string): string {
  return /^[A-Za-z0-9_.,=:\/+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

/** The `compare` command's flags and help. */
export function buildCompareCommand(): Command {
  const cmd = new Command("compare")
    .description(
      "Run every built-in policy side by side on the default synthetic scenario, the " +
        "Mooncake conversation trace (3 prefill + 3 decode) and the Azure conv trace (4 + 4), " +
        "each at 70% and 95% of the fleet's capacity (see sim --load), " +
        "and print markdown tables: p50/p99 TTFT, mean TPOT, SLO attainment and goodput per " +
        "policy, the best of each column in bold.",
    )
    .option("--out <file>", "write the markdown to a file instead of stdout")
    .option(
      "--loads <fractions>",
      "loads as fractions of capacity",
      positiveNumberList,
      [0.7, 0.95],
    );
  addPolicyOptions(cmd, {
    policiesHelp: "policies to compare (default: all)",
    policy: "add",
    policyHelp: "also compare one policy, unless it is compared already",
  });
  addWorkloadOptions(cmd, DEFAULT_SCENARIO, ["requests", "seed"]);
  addPolicyConfigOptions(cmd, DEFAULT_SCENARIO);
  return cmd
    .option(
      "--trace-limit <n>",
      "replay only the first n requests of each trace (quick checks)",
      positiveInt,
    )
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  deno task compare                      # the tables of docs/results.md, to stdout\n" +
        "  deno task compare --out results.md\n" +
        "  deno task compare --requests 2000 --trace-limit 3000 --loads 0.8\n" +
        "  deno task compare --policies round-robin,telemetry --policy ./examples/prefix_then_load.ts",
    );
}

/** Runs the `compare` command on `args`; returns the exit code. */
export function runCompareCommand(args: readonly string[]): Promise<number> {
  return runCommand(buildCompareCommand, async (opts, _args, cmd) => {
    const flags = policyFlagsFromOpts(opts, (key) => cmd.getOptionValueSource(key) === "cli");
    const loaded = await loadPolicyModules(flags);
    const policies = comparedPolicies(flags, policyNames(), loaded);
    const policyConfig = policyConfigs(
      flags,
      policies,
      loaded,
      (l) => writeText(Deno.stderr, l),
    );
    const loads = opts.loads as number[];
    const out = opts.out === undefined ? undefined : userPath(String(opts.out));
    if (out !== undefined) await writeOut(out, ""); // fail before the runs, not after
    const progress = progressEnabled();
    let runs;
    try {
      runs = await sideBySide({
        loads,
        requests: opts.requests as number,
        seed: opts.seed as number,
        traceLimit: (opts.traceLimit as number | undefined) ?? Infinity,
        traces: COMPARE_TRACES,
        root: new URL("../../", import.meta.url).pathname,
        policies,
        factories: Object.fromEntries(loaded.map((l) => [l.name, l.create])),
        policyConfig,
        migrationBudget: flags.migrationBudget,
        policyArgs: flags.policies
          ? policyArgs(flags)
          : ["--policies", "all", ...policyArgs(flags)],
        onRun: progress ? (title) => writeText(Deno.stderr, `\r\x1b[K${title} …`) : undefined,
      });
    } catch (e) {
      // A policy factory rejecting its configuration is a usage error of --set.
      if (e instanceof PolicyConfigError) throw new UsageError("--set", e.message, { cause: e });
      throw e;
    } finally {
      if (progress) writeText(Deno.stderr, "\r\x1b[K");
    }
    const md = formatResultsMarkdown(runs);
    if (out !== undefined) {
      await writeOut(out, md);
      writeText(Deno.stderr, `wrote ${out}\n`);
    } else writeText(Deno.stdout, md);
  }, args);
}

async function writeOut(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (e) {
    throw new UsageError("--out", `cannot write '${path}': ${(e as Error).message}`);
  }
}

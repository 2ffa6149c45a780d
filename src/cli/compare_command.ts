/**
 * `deno task compare`: every built-in policy side by side on the default synthetic
 * scenario, the Mooncake conversation trace and the Azure conv trace, each at fractions
 * of the fleet's estimated capacity, written as markdown tables: the tables of
 * `docs/results.md`, which `deno task docs` rewrites from this command's output.
 *
 * @module
 */

import { Command, InvalidArgumentError } from "commander";
import { UsageError } from "../core/errors.ts";
import { policyNames } from "../policy/registry.ts";
import { estimateCapacity } from "../sim/capacity.ts";
import { comparePolicies, type ComparisonConfig, DEFAULT_SCENARIO } from "../sim/compare.ts";
import { scanTrace, TraceSource } from "../workload/trace_reader.ts";
import { offeredRate, rateScaledTrace } from "../workload/trace_rate.ts";
import { nameList, positiveInt, progressEnabled, runCommand, writeText } from "./flags.ts";
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
  const policies = policyNames();
  const synth: ComparisonConfig = {
    ...DEFAULT_SCENARIO,
    requests: options.requests,
    seed: options.seed,
    policies,
    policyConfig: {},
  };
  const common = options.seed !== DEFAULT_SCENARIO.seed ? ` --seed ${options.seed}` : "";
  const capacity = await estimateCapacity(synth);
  for (const load of options.loads) {
    const title = `Default synthetic (${synth.workload}), ${pct(load)}`;
    options.onRun?.(title);
    const ratePerS = Number((capacity.capacityRps * load).toFixed(2));
    const { results } = await comparePolicies({ ...synth, ratePerS });
    runs.push({
      title,
      detail: `${ratePerS} req/s (${pct(load)} of ${capacity.capacityRps.toFixed(1)} req/s, ` +
        `${capacity.bottleneck}-bound), ${synth.requests} requests · ${fleetText(synth)}`,
      command: `deno task sim --policies all --load ${load}` +
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
      policies,
      policyConfig: {},
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
        makeWorkload: () => new TraceSource({ ...known, rateScale }),
      });
      runs.push({
        title,
        detail: `rate-scale ${rateScale} = ${(offered * rateScale).toFixed(2)} req/s ` +
          `(${pct(load)} of ${cap.capacityRps.toFixed(2)} req/s, ${cap.bottleneck}-bound), ` +
          `${stats.requests} requests · ${fleetText(base)}`,
        command: `deno task sim --policies all --trace ${t.path} --prefill-gpus ${t.prefillGpus} ` +
          `--decode-gpus ${t.decodeGpus} --slo-ttft-ms ${t.sloTtftMs} --slo-tpot-ms ` +
          `${t.sloTpotMs} --load ${load}` +
          (Number.isFinite(options.traceLimit) ? ` --limit ${options.traceLimit}` : "") + common,
        results,
      });
    }
  }
  return runs;
}

function fractions(value: string): number[] {
  return nameList(value).map((x) => {
    const n = Number(x);
    if (!(Number.isFinite(n) && n > 0)) {
      throw new InvalidArgumentError(`expected positive fractions, got '${x}'`);
    }
    return n;
  });
}

/** The `compare` command's flags and help. */
export function buildCompareCommand(): Command {
  return new Command("compare")
    .description(
      "Run every built-in policy side by side on the default synthetic scenario, the " +
        "Mooncake conversation trace (3 prefill + 3 decode) and the Azure conv trace (4 + 4), " +
        "each at 70% and 95% of the fleet's capacity (estimated by round-robin probe runs), " +
        "and print markdown tables: p50/p99 TTFT, mean TPOT, SLO attainment and goodput per " +
        "policy, the best of each column in bold.",
    )
    .option("--out <file>", "write the markdown to a file instead of stdout")
    .option("--loads <fractions>", "loads as fractions of capacity", fractions, [0.7, 0.95])
    .option(
      "--requests <n>",
      "requests of the synthetic runs",
      positiveInt,
      DEFAULT_SCENARIO.requests,
    )
    .option("--seed <n>", "seed of the workload and the policies", positiveInt, 1)
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
        "  deno task compare --requests 2000 --trace-limit 3000 --loads 0.8",
    );
}

/** Runs the `compare` command on `args`; returns the exit code. */
export function runCompareCommand(args: readonly string[]): Promise<number> {
  return runCommand(buildCompareCommand, async (opts) => {
    const loads = opts.loads as number[];
    const out = opts.out === undefined ? undefined : String(opts.out);
    if (out !== undefined) await writeOut(out, ""); // fail before the runs, not after
    const progress = progressEnabled();
    const runs = await sideBySide({
      loads,
      requests: opts.requests as number,
      seed: opts.seed as number,
      traceLimit: (opts.traceLimit as number | undefined) ?? Infinity,
      traces: COMPARE_TRACES,
      root: new URL("../../", import.meta.url).pathname,
      onRun: progress ? (title) => writeText(Deno.stderr, `\r\x1b[K${title} …`) : undefined,
    });
    if (progress) writeText(Deno.stderr, "\r\x1b[K");
    const md = formatResultsMarkdown(runs);
    if (out !== undefined) await writeOut(out, md);
    else writeText(Deno.stdout, md);
  }, args);
}

async function writeOut(path: string, text: string): Promise<void> {
  try {
    await Deno.writeTextFile(path, text);
  } catch (e) {
    throw new UsageError("--out", `cannot write '${path}': ${(e as Error).message}`);
  }
}

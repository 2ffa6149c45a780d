/**
 * `deno task sim`: compare routing policies on a simulated P/D fleet and print a
 * table (or one JSON object with `--json`).
 *
 * @module
 */

import { Command, Option } from "npm:commander@15.1.0";
import { PolicyConfigError, UsageError } from "../core/errors.ts";
import type { RunSummary } from "../metrics/recorder.ts";
import { policyEntries } from "../policy/registry.ts";
import {
  comparePolicies,
  type ComparisonConfig,
  createComparisonPolicies,
  DEFAULT_SCENARIO,
} from "../sim/compare.ts";
import { type CapacityEstimate, estimateCapacity } from "../sim/capacity.ts";
import { rateScaledTrace } from "../workload/trace_rate.ts";
import type { LoadedPolicy } from "./policy_modules.ts";
import { kvCapacityTokens } from "../model/model.ts";
import { modelPresets } from "../model/presets.ts";
import { workloadTemplates } from "../workload/catalog.ts";
import { detectFileFormat, scanTrace, TraceSource } from "../workload/trace_reader.ts";
import { oneOf, positiveNumber } from "./flags/values.ts";
import { progressEnabled, runCommand, writeText } from "./run_command.ts";
import { userPath } from "./user_path.ts";
import { fixed, formatTable } from "./table.ts";
import {
  addTraceOptions,
  offeredRatePerS,
  skippedLine,
  type TraceFlags,
  traceFlagsFromOpts,
  traceOptions,
  type TraceReport,
  traceReport,
} from "./flags/trace.ts";
import {
  addExportOptions,
  exportedText,
  exportFlagsFromOpts,
  exportHooks,
  openExporter,
  softwareVersions,
} from "./flags/export.ts";
import {
  addPolicyConfigOptions,
  addPolicyOptions,
  comparedPolicies,
  loadPolicyModules,
  policyConfigs,
  policyFlagsFromOpts,
} from "./flags/policy.ts";
import { addWorkloadOptions, workloadFlagsFromOpts } from "./flags/workload.ts";
import { addFleetOptions, fleetFlagsFromOpts } from "./flags/fleet.ts";
import { addSloOptions, sloFlagsFromOpts } from "./flags/slo.ts";

const MODES = ["baseline", "optimized", "both"] as const;
const MODE_POLICIES: Record<(typeof MODES)[number], string[]> = {
  baseline: ["round-robin"],
  optimized: ["telemetry"],
  both: ["round-robin", "telemetry"],
};

/** The `sim` command's flags and help. */
export function buildSimCommand(options: { readonly examples?: boolean } = {}): Command {
  const d = DEFAULT_SCENARIO;
  const cmd = new Command("sim")
    .description(
      "Simulate disaggregated prefill/decode pools and compare routing policies side by side.\n" +
        "Defaults run the built-in scenario: multi-turn chat on 4 prefill + 4 decode H100s " +
        "(Llama-3.1-8B), round-robin vs telemetry.",
    );
  addPolicyOptions(cmd, {
    policiesHelp: "policies to compare",
    policy: "add",
    policyHelp: "also compare one policy, after the default set (or --policies, --mode), " +
      "unless it is in it already",
  });
  cmd.addOption(
    new Option(
      "--mode <mode>",
      "the original lab's flag: baseline = round-robin, " +
        "optimized = telemetry, both = the two side by side",
    ).argParser(oneOf(MODES)),
  );
  addWorkloadOptions(cmd, d);
  cmd.option(
    "--load <fraction>",
    "arrival rate as a fraction of the fleet's capacity (e.g. 0.7, 0.95); replaces --rate, " +
      "or with --trace --rate-scale (the trace's arrival times are scaled to reach it). " +
      "Capacity: the rate at which the steady state of the workload's mix needs all of the " +
      "busier pool's time under round-robin, from probe runs of 20000 requests whatever " +
      "--requests (a trace: its replayed rows), the first quarter left out as warm-up, each " +
      "request costed as on a saturated worker",
    positiveNumber,
  );
  addFleetOptions(cmd, d);
  addPolicyConfigOptions(cmd, d);
  addSloOptions(cmd, { ttftMs: d.sloTtftMs, tpotMs: d.sloTpotMs });
  cmd.option("--json", "print one JSON object to stdout and nothing else there", false);
  addExportOptions(cmd);
  cmd.option("--list", "list policies, workloads and model presets, then exit", false);
  if (options.examples !== false) {
    cmd.addHelpText(
      "after",
      "\nExamples:\n" +
        "  deno task sim                                  # the default comparison\n" +
        "  deno task sim --mode baseline --seed 7\n" +
        "  deno task sim --workload bursty --rate 50 --prefill-gpus 6 --decode-gpus 2 --json\n" +
        "  deno task sim --policies all --workload shared-prefix --load 0.95\n" +
        "  deno task sim --policy llm-d                   # round-robin, telemetry and llm-d\n" +
        "  deno task sim --policy ./examples/prefix_then_load.ts\n" +
        "  deno task sim --set telemetry.migrationMargin=0.1 --migration-budget 16\n" +
        "  deno task sim --trace data/traces/mooncake/conversation_trace.jsonl.gz " +
        "--prefill-gpus 3 --decode-gpus 3 --rate-scale 1.2\n" +
        "  deno task sim --trace data/traces/mooncake/conversation_trace.jsonl.gz " +
        "--prefill-gpus 3 --decode-gpus 3 --load 0.7 --policies all\n" +
        "  deno task sim --out out/run1 --sample-ms 250   # then open out/run1/report.html",
    );
  }
  return addTraceOptions(cmd);
}

/**
 * Resolves parsed flags into a {@linkcode ComparisonConfig}; throws UsageError on
 * conflicts. `loaded` are the policy modules the flags name ({@linkcode loadPolicyModules}):
 * a `--policies` entry that is a path becomes the loaded policy's name, and each
 * `--policy` joins the compared set (after the defaults when `--policies` and `--mode`
 * are absent) unless it is in it already. `explicit(key)` tells whether the user gave
 * an option rather than its default (it decides whether `--migration-budget` conflicts
 * with a `--set P.migrationBudget`); without it, none counts as given.
 */
export function simConfigFromFlags(
  opts: Record<string, unknown>,
  loaded: readonly LoadedPolicy[] = [],
  explicit: (key: string) => boolean = () => false,
  warn: (line: string) => void = () => {},
): ComparisonConfig {
  if (opts.policies && opts.mode) {
    throw new UsageError("--mode", "cannot be combined with --policies; use one of them");
  }
  if (opts.load !== undefined && opts.rate !== undefined) {
    throw new UsageError("--load", "cannot be combined with --rate; use one of them");
  }
  const policyFlags = policyFlagsFromOpts(opts, explicit);
  const base = opts.mode
    ? MODE_POLICIES[opts.mode as keyof typeof MODE_POLICIES]
    : DEFAULT_SCENARIO.policies;
  const policies = comparedPolicies(policyFlags, base, loaded);
  const workload = workloadFlagsFromOpts(opts);
  const fleet = fleetFlagsFromOpts(opts);
  const slo = sloFlagsFromOpts(opts);
  return {
    workload: workload.workload,
    requests: workload.requests,
    ratePerS: workload.ratePerS,
    seed: workload.seed,
    model: fleet.model,
    prefillGpus: fleet.prefillGpus,
    decodeGpus: fleet.decodeGpus,
    migrationBudget: policyFlags.migrationBudget,
    sloTtftMs: slo.ttftMs,
    sloTpotMs: slo.tpotMs,
    policies,
    policyConfig: policyConfigs(policyFlags, policies, loaded, warn),
  };
}

function listData() {
  return {
    policies: policyEntries().map((e) => ({ name: e.name, description: e.description })),
    workloads: workloadTemplates().map((t) => ({
      name: t.name,
      defaultRatePerS: t.defaultRatePerS,
      description: t.description,
    })),
    models: modelPresets().map((m) => ({
      name: m.name,
      kvCapacityTokens: kvCapacityTokens(m),
      tensorParallel: m.tensorParallel,
      description: m.description,
    })),
  };
}

function listText(): string {
  const lines = ["Policies:"];
  for (const e of policyEntries()) lines.push(`  ${e.name.padEnd(14)} ${e.description}`);
  lines.push("", "Workloads (default rate in req/s):");
  for (const t of workloadTemplates()) {
    lines.push(`  ${t.name.padEnd(14)} ${String(t.defaultRatePerS).padStart(4)}  ${t.description}`);
  }
  lines.push("", "Model presets (KV capacity per worker, GPUs per worker = TP):");
  for (const m of modelPresets()) {
    lines.push(
      `  ${m.name.padEnd(19)} ${
        String(kvCapacityTokens(m)).padStart(8)
      } tokens  TP ${m.tensorParallel}  ` +
        m.description,
    );
  }
  return lines.join("\n") + "\n";
}

/**
 * Formats a comparison as the human-readable report (`headLine` replaces the first
 * line, e.g. for a trace replay).
 */
export function formatComparison(
  config: ComparisonConfig,
  results: readonly RunSummary[],
  headLine?: string,
): string {
  const offered = results[0]?.offeredRps ?? 0;
  const head = headLine ??
    `pdrouter sim · workload ${config.workload} (${config.requests} requests, ` +
      `${config.ratePerS} req/s nominal, ${
        offered > 0 || config.requests < 2 ? `${offered.toFixed(1)} offered` : "all at t = 0"
      }, seed ${config.seed}) · ${config.prefillGpus} prefill + ` +
      `${config.decodeGpus} decode × ${config.model} · SLO TTFT ${config.sloTtftMs} ms, ` +
      `TPOT ${config.sloTpotMs} ms`;
  const rows = results.map((r) => [
    r.policy,
    String(r.completed),
    String(r.shed),
    fixed(r.ttftMs.mean),
    fixed(r.ttftMs.p50),
    fixed(r.ttftMs.p90),
    fixed(r.ttftMs.p99),
    fixed(r.ttftMs.std),
    fixed(r.tpotMs.mean, 1),
    fixed(r.tpotMs.p50, 1),
    fixed(r.tpotMs.p99, 1),
    String(r.migrations),
    fixed(r.prefixHitRate * 100, 1) + "%",
    fixed(r.sloAttainment * 100, 1) + "%",
    fixed(r.goodputRps, 2),
  ]);
  const table = formatTable([
    "policy",
    "done",
    "shed",
    "TTFT mean",
    "p50",
    "p90",
    "p99",
    "std",
    "TPOT mean",
    "p50",
    "p99",
    "migr",
    "prefix hit",
    "SLO ok",
    "goodput/s",
  ], rows);
  const out = [
    head,
    "",
    table,
    "",
    "TTFT and TPOT in ms; goodput = requests meeting both SLOs per second.",
  ];
  const base = results.find((r) => r.policy === "round-robin");
  if (base) {
    for (const r of results) {
      if (r === base) continue;
      out.push(
        `${r.policy} vs round-robin: p99 TTFT ${ratio(r.ttftMs.p99, base.ttftMs.p99)}, ` +
          `TTFT std ${ratio(r.ttftMs.std, base.ttftMs.std)}, mean TPOT ${
            ratio(r.tpotMs.mean, base.tpotMs.mean)
          }, goodput ${ratio(r.goodputRps, base.goodputRps)}` +
          (r.shed > base.shed
            ? ` (latencies over completed requests only: ${r.policy} shed ${r.shed})`
            : ""),
      );
    }
  }
  return out.join("\n") + "\n";
}

/**
 * `12.34 req/s offered`, or, when every replayed request arrives at the same instant
 * (no rate to speak of), `one burst of N requests at t = 0`.
 */
export function offeredText(offeredRatePerS: number, requests: number): string {
  if (offeredRatePerS > 0 || requests < 2) return `${offeredRatePerS.toFixed(2)} req/s offered`;
  return `one burst of ${requests} requests at t = 0`;
}

function ratio(a: number, b: number): string {
  return b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : "-";
}

/** Runs the `sim` command on `args`; returns the exit code. */
export function runSimCommand(args: readonly string[]): Promise<number> {
  return runCommand(buildSimCommand, async (opts, _args, cmd) => {
    if (opts.list) {
      writeText(Deno.stdout, opts.json ? JSON.stringify(listData()) + "\n" : listText());
      return;
    }
    const explicit = (key: string) => cmd.getOptionValueSource(key) === "cli";
    const loaded = await loadPolicyModules(policyFlagsFromOpts(opts, explicit));
    const trace = traceFlagsFromOpts(opts, explicit);
    let config = simConfigFromFlags(opts, loaded, explicit, (l) => writeText(Deno.stderr, l));
    const factories = Object.fromEntries(loaded.map((l) => [l.name, l.create]));
    // Every policy's configuration is checked by its factory before any run (--load
    // probes included), so that a bad --set fails at once.
    try {
      createComparisonPolicies(config, { policies: factories });
    } catch (e) {
      if (e instanceof PolicyConfigError) throw new UsageError("--set", e.message, { cause: e });
      throw e;
    }
    const load = opts.load as number | undefined;
    let replay: TraceReplay | null = null;
    let capacity: CapacityEstimate | undefined;
    if (trace) {
      if (load !== undefined && opts.rateScale !== undefined) {
        throw new UsageError("--load", "cannot be combined with --rate-scale; use one of them");
      }
      replay = await prepareTrace(trace, config, explicit("rate"), load);
      config = replay.config;
      capacity = replay.capacity;
    } else if (load !== undefined) {
      capacity = await estimateCapacity(config);
      config.ratePerS = Number((capacity.capacityRps * load).toFixed(2));
    }
    const exporter = openExporter(
      exportFlagsFromOpts(opts),
      config.requests * config.policies.length,
    );
    const progress = progressEnabled();
    let report;
    try {
      report = await comparePolicies(config, {
        ...(exporter
          ? exportHooks(exporter.exporter, exporter.sampleMs, replay?.makeWorkload)
          : { makeWorkload: replay?.makeWorkload }),
        policies: factories,
        progressEvery: 250,
        onProgress: progress
          ? (policy, finished, nowMs) =>
            writeText(
              Deno.stderr,
              `\r\x1b[K[${policy}] ${finished}/${config.requests} requests · simulated ${
                (nowMs / 1000).toFixed(1)
              } s`,
            )
          : undefined,
      });
    } catch (e) {
      // A policy factory rejecting its configuration is a usage error of --set.
      if (e instanceof PolicyConfigError) throw new UsageError("--set", e.message, { cause: e });
      throw e;
    } finally {
      if (progress) writeText(Deno.stderr, "\r\x1b[K");
      if (exporter && !report) exporter.close();
    }
    if (exporter) {
      try {
        const files = await exporter.finish({
          config: replay ? { ...report.config, trace: replay.report } : { ...report.config },
          results: report.results,
          slo: { ttftMs: config.sloTtftMs, tpotMs: config.sloTpotMs },
          versions: softwareVersions(),
          command: ["deno", "task", "sim", ...args],
        });
        writeText(Deno.stderr, exportedText(exporter.dir, files));
      } finally {
        exporter.close();
      }
    }
    if (opts.json) {
      const jsonConfig = replay ? { ...report.config, trace: replay.report } : report.config;
      writeText(
        Deno.stdout,
        JSON.stringify({ config: jsonConfig, capacity, results: report.results }) + "\n",
      );
    } else {
      if (capacity) {
        writeText(
          Deno.stdout,
          `load ${load} × estimated capacity ${capacity.capacityRps.toFixed(1)} req/s ` +
            `(${capacity.bottleneck}-bound under round-robin) = ` +
            (replay ? `rate-scale ${replay.rateScale}, ` : "") + `${config.ratePerS} req/s\n`,
        );
      }
      writeText(Deno.stdout, formatComparison(report.config, report.results, replay?.head));
    }
  }, args);
}

/** A validated trace replay: the run's config, a source factory and what to report. */
interface TraceReplay {
  config: ComparisonConfig;
  makeWorkload: () => TraceSource;
  report: TraceReport;
  head: string;
  /** The rate-scale replayed (`--rate-scale`, or the one `--load` chose). */
  rateScale: number;
  /** With `--load`: the trace's capacity on the fleet. */
  capacity?: CapacityEstimate;
}

/**
 * Detects the trace's format and reads it once to validate every row before any
 * simulation starts (bad input fails fast, with exit code 2). With `load`, the trace's
 * capacity on the fleet is estimated (round-robin probe runs, the trace's arrival times
 * scaled) and the replay's rate-scale set to `load` × that.
 */
async function prepareTrace(
  trace: TraceFlags,
  base: ComparisonConfig,
  rateGiven: boolean,
  load?: number,
): Promise<TraceReplay> {
  const format = await detectFileFormat(userPath(trace.path), trace.format);
  if (format !== "lengths" && rateGiven) {
    throw new UsageError(
      "--rate",
      `the ${format} trace has its own arrival times; use --rate-scale X (or --load F) to ` +
        "change the load",
    );
  }
  let options = traceOptions(trace, format, base.ratePerS, base.seed);
  let stats = await scanTrace(options);
  const line = skippedLine(trace, stats);
  if (line) writeText(Deno.stderr, line);
  if (stats.requests === 0) {
    throw new UsageError(
      Number.isFinite(trace.durationS) ? "--duration" : "--start",
      `the window selects no requests of ${trace.path} (${stats.beforeStart} rows lie before ` +
        `--start ${trace.startS} s)`,
    );
  }
  const nominal = (): number =>
    Number((format === "lengths" ? base.ratePerS * options.rateScale! : offeredRatePerS(stats))
      .toFixed(3));
  let config: ComparisonConfig = {
    ...base,
    workload: "trace",
    requests: stats.requests,
    ratePerS: nominal(),
  };
  let flags = trace;
  let capacity: CapacityEstimate | undefined;
  if (load !== undefined) {
    let scaled;
    try {
      scaled = rateScaledTrace(options, stats, config.ratePerS);
    } catch {
      throw new UsageError(
        "--load",
        `cannot scale ${trace.path}: its ${stats.requests} replayed requests arrive at one ` +
          "instant, so the trace has no rate to scale",
      );
    }
    capacity = await estimateCapacity(config, { makeWorkload: scaled.makeWorkload });
    const rateScale = scaled.roundedRateScaleFor(capacity.capacityRps * load);
    // Arrival times scale with 1 / rate-scale; the rows themselves are unchanged.
    stats = { ...stats, lastArrivalMs: stats.lastArrivalMs * options.rateScale! / rateScale };
    flags = { ...trace, rateScale };
    options = { ...options, rateScale };
    config = { ...config, ratePerS: nominal() };
  }
  const offered = offeredRatePerS(stats);
  const head = `pdrouter sim · trace ${trace.path} (${format}, ${stats.requests} requests, ` +
    `rate-scale ${flags.rateScale}, ${offeredText(offered, stats.requests)}` +
    (format === "lengths" ? `, Poisson arrivals, seed ${base.seed}` : "") +
    `) · ${base.prefillGpus} prefill + ${base.decodeGpus} decode × ${base.model} · ` +
    `SLO TTFT ${base.sloTtftMs} ms, TPOT ${base.sloTpotMs} ms`;
  const final = options;
  return {
    config,
    makeWorkload: () => new TraceSource(final),
    report: traceReport(flags, stats),
    head,
    rateScale: flags.rateScale,
    capacity,
  };
}

/**
 * `deno task sim`: compare routing policies on a simulated P/D fleet and print a
 * table (or one JSON object with `--json`).
 *
 * @module
 */

import { Command, Option } from "commander";
import { UsageError } from "../core/errors.ts";
import type { RunSummary } from "../metrics/recorder.ts";
import { policyEntries, policyNames } from "../policy/registry.ts";
import type { PolicyConfig } from "../policy/types.ts";
import { comparePolicies, type ComparisonConfig, DEFAULT_SCENARIO } from "../sim/compare.ts";
import { kvCapacityTokens } from "../sim/model.ts";
import { modelPresets } from "../sim/presets.ts";
import { workloadTemplate, workloadTemplates } from "../sim/workload/catalog.ts";
import {
  integer,
  nameList,
  nonNegativeInt,
  oneOf,
  positiveInt,
  positiveNumber,
  progressEnabled,
  runCommand,
  writeText,
} from "./flags.ts";
import { fixed, formatTable } from "./table.ts";
import {
  DEFAULT_SAMPLE_MS,
  exportedText,
  exportHooks,
  openExporter,
  softwareVersions,
} from "./export_flags.ts";

const MODES = ["baseline", "optimized", "both"] as const;
const MODE_POLICIES: Record<(typeof MODES)[number], string[]> = {
  baseline: ["round-robin"],
  optimized: ["telemetry"],
  both: ["round-robin", "telemetry"],
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The `sim` command's flags and help. */
export function buildSimCommand(): Command {
  const d = DEFAULT_SCENARIO;
  return new Command("sim")
    .description(
      "Simulate disaggregated prefill/decode pools and compare routing policies side by side.\n" +
        "Defaults run the built-in scenario: multi-turn chat on 4 prefill + 4 decode H100s " +
        "(Llama-3.1-8B), round-robin vs telemetry.",
    )
    .addOption(
      new Option(
        "--policies <names>",
        `policies to compare, comma-separated (${policyNames().join(", ")})`,
      ).argParser(nameList),
    )
    .addOption(
      new Option(
        "--mode <mode>",
        "the original lab's flag: baseline = round-robin, " +
          "optimized = telemetry, both = the two side by side",
      ).argParser(oneOf(MODES)),
    )
    .option("--workload <name>", `synthetic workload (see --list)`, d.workload)
    .option("--requests <n>", "requests to simulate", positiveInt, d.requests)
    .option(
      "--rate <r>",
      "mean arrival rate, requests/s (default: the workload's own)",
      positiveNumber,
    )
    .option("--seed <n>", "seed of the workload and the policies", integer, d.seed)
    .option("--model <preset>", "model/GPU timing preset (see --list)", d.model)
    .option("--prefill-gpus <n>", "prefill pool size", nonNegativeInt, d.prefillGpus)
    .option("--decode-gpus <n>", "decode pool size", positiveInt, d.decodeGpus)
    .option(
      "--migration-budget <n>",
      "decode migrations allowed per 10 s window of simulated time (0 disables)",
      nonNegativeInt,
      d.migrationBudget,
    )
    .option(
      "--slo-ttft-ms <ms>",
      "TTFT objective for attainment and goodput",
      positiveNumber,
      d.sloTtftMs,
    )
    .option(
      "--slo-tpot-ms <ms>",
      "TPOT objective for attainment and goodput",
      positiveNumber,
      d.sloTpotMs,
    )
    .option(
      "--set <policy.field=value>",
      "override a policy config field, e.g. telemetry.migrationMargin=0.2 (repeatable)",
      collect,
      [] as string[],
    )
    .option("--json", "print one JSON object to stdout and nothing else there", false)
    .option(
      "--out <dir>",
      "also write requests.csv, timeseries.csv, migrations.csv, summary.json, plots/*.svg " +
        "and report.html into <dir> (created when missing)",
    )
    .option(
      "--sample-ms <ms>",
      `with --out: simulated ms between fleet samples in timeseries.csv (default ${DEFAULT_SAMPLE_MS})`,
      positiveNumber,
    )
    .option("--list", "list policies, workloads and model presets, then exit", false)
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  deno task sim                                  # the default comparison\n" +
        "  deno task sim --mode baseline --seed 7\n" +
        "  deno task sim --workload bursty --rate 50 --prefill-gpus 6 --decode-gpus 2 --json\n" +
        "  deno task sim --set telemetry.migrationMargin=0.1 --migration-budget 16\n" +
        "  deno task sim --out out/run1 --sample-ms 250   # then open out/run1/report.html",
    );
}

/** Resolves parsed flags into a {@linkcode ComparisonConfig}; throws UsageError on conflicts. */
export function simConfigFromFlags(opts: Record<string, unknown>): ComparisonConfig {
  if (opts.policies && opts.mode) {
    throw new UsageError("--mode", "cannot be combined with --policies; use one of them");
  }
  const policies = (opts.policies as string[] | undefined) ??
    (opts.mode ? MODE_POLICIES[opts.mode as keyof typeof MODE_POLICIES] : [
      ...DEFAULT_SCENARIO.policies,
    ]);
  const known = policyNames();
  for (const p of policies) {
    if (!known.includes(p)) {
      throw new UsageError("--policies", `unknown policy '${p}' (known: ${known.join(", ")})`);
    }
  }
  if (new Set(policies).size !== policies.length) {
    throw new UsageError("--policies", `a policy is listed twice in '${policies.join(",")}'`);
  }
  const workload = String(opts.workload);
  let template;
  try {
    template = workloadTemplate(workload);
  } catch (e) {
    throw new UsageError("--workload", (e as Error).message);
  }
  const model = String(opts.model);
  if (!modelPresets().some((m) => m.name === model)) {
    throw new UsageError(
      "--model",
      `unknown preset '${model}' (known: ${modelPresets().map((m) => m.name).join(", ")})`,
    );
  }
  const prefillGpus = opts.prefillGpus as number;
  if (prefillGpus < 1) {
    throw new UsageError("--prefill-gpus", "the prefill pool needs at least 1 GPU");
  }
  return {
    workload,
    requests: opts.requests as number,
    ratePerS: (opts.rate as number | undefined) ?? template.defaultRatePerS,
    seed: opts.seed as number,
    model,
    prefillGpus,
    decodeGpus: opts.decodeGpus as number,
    migrationBudget: opts.migrationBudget as number,
    sloTtftMs: opts.sloTtftMs as number,
    sloTpotMs: opts.sloTpotMs as number,
    policies,
    policyConfig: parseSets(opts.set as string[], policies),
  };
}

function parseSets(sets: string[], policies: string[]): Record<string, PolicyConfig> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of sets) {
    const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)=(.*)$/.exec(s);
    if (!m) throw new UsageError("--set", `expected policy.field=value, got '${s}'`);
    const [, policy, field, raw] = m;
    if (!policies.includes(policy)) {
      throw new UsageError(
        "--set",
        `policy '${policy}' is not being compared (${policies.join(", ")})`,
      );
    }
    let value: unknown = raw;
    if (raw !== "" && Number.isFinite(Number(raw))) value = Number(raw);
    (out[policy] ??= {})[field] = value;
  }
  return out;
}

function listText(): string {
  const lines = ["Policies:"];
  for (const e of policyEntries()) lines.push(`  ${e.name.padEnd(14)} ${e.description}`);
  lines.push("", "Workloads (default rate in req/s):");
  for (const t of workloadTemplates()) {
    lines.push(`  ${t.name.padEnd(14)} ${String(t.defaultRatePerS).padStart(4)}  ${t.description}`);
  }
  lines.push("", "Model presets (KV capacity per GPU):");
  for (const m of modelPresets()) {
    lines.push(
      `  ${m.name.padEnd(16)} ${String(kvCapacityTokens(m)).padStart(8)} tokens  ${m.description}`,
    );
  }
  return lines.join("\n") + "\n";
}

/** Formats a comparison as the human-readable report. */
export function formatComparison(config: ComparisonConfig, results: readonly RunSummary[]): string {
  const head = `pdrouter sim · workload ${config.workload} (${config.requests} requests, ` +
    `${config.ratePerS} req/s, seed ${config.seed}) · ${config.prefillGpus} prefill + ` +
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
          }, goodput ${ratio(r.goodputRps, base.goodputRps)}`,
      );
    }
  }
  return out.join("\n") + "\n";
}

function ratio(a: number, b: number): string {
  return b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : "-";
}

/** Runs the `sim` command on `args`; returns the exit code. */
export function runSimCommand(args: readonly string[]): Promise<number> {
  return runCommand(buildSimCommand, async (opts) => {
    if (opts.list) {
      writeText(Deno.stdout, listText());
      return;
    }
    const config = simConfigFromFlags(opts);
    const exporter = openExporter(opts, config.requests * config.policies.length);
    const progress = !opts.json && progressEnabled();
    let report;
    try {
      report = await comparePolicies(config, {
        ...(exporter ? exportHooks(exporter.exporter, exporter.sampleMs) : {}),
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
      if (e instanceof TypeError || e instanceof RangeError) {
        throw new UsageError("--set", e.message);
      }
      throw e;
    } finally {
      if (progress) writeText(Deno.stderr, "\r\x1b[K");
      if (exporter && !report) exporter.exporter.close();
    }
    if (exporter) {
      try {
        const files = await exporter.exporter.finish({
          config: { ...report.config },
          results: report.results,
          slo: { ttftMs: config.sloTtftMs, tpotMs: config.sloTpotMs },
          versions: softwareVersions(),
        });
        writeText(Deno.stderr, exportedText(exporter.dir, files));
      } finally {
        exporter.exporter.close();
      }
    }
    if (opts.json) {
      writeText(
        Deno.stdout,
        JSON.stringify({ config: report.config, results: report.results }) + "\n",
      );
    } else {
      writeText(Deno.stdout, formatComparison(report.config, report.results));
    }
  }, args);
}

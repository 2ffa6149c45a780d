/**
 * Benchmark targets of `deno task bench`, named as in the original lab's harness:
 * `dynamic_router:<workload>`, one per named workload. A target runs the baseline
 * (round-robin) and the optimized policy (telemetry) side by side on its workload
 * through `deno task sim`'s own flag parser, so that `--target-extra-arg
 * dynamic_router:<workload>="--migration-budget 8"` takes exactly the flags `sim`
 * takes.
 *
 * @module
 */

import { CommanderError } from "npm:commander@15.1.0";
import { UsageError } from "../core/errors.ts";
import { LogHistogram } from "../metrics/histogram.ts";
import type { RunSummary } from "../metrics/recorder.ts";
import { comparePolicies, type ComparisonConfig } from "../sim/compare.ts";
import { workloadTemplates } from "../workload/catalog.ts";
import { buildSimCommand, simConfigFromFlags } from "./sim_command.ts";

/** The lab's chapter name: every target is `dynamic_router:<workload>`. */
export const TARGET_CHAPTER = "dynamic_router";

/** Quantiles recorded for the TTFT and TPOT distributions of a target. */
export const DISTRIBUTION_QUANTILES: readonly number[] = [
  0.01,
  0.05,
  0.1,
  0.25,
  0.5,
  0.75,
  0.9,
  0.95,
  0.99,
  0.999,
];

/** The names of every benchmark target, in catalog order. */
export function targetNames(): string[] {
  return workloadTemplates().map((t) => `${TARGET_CHAPTER}:${t.name}`);
}

/**
 * Resolves `--targets` items to target names: `dynamic_router` means all of them;
 * the lab's `labs/` prefix is accepted.
 *
 * @throws {UsageError} On an unknown target (naming `--targets`).
 */
export function resolveTargets(items: readonly string[]): string[] {
  const known = targetNames();
  const out: string[] = [];
  for (const raw of items) {
    const item = raw.replace(/^labs\//, "");
    const picked = item === TARGET_CHAPTER ? known : known.includes(item) ? [item] : null;
    if (!picked) {
      throw new UsageError(
        "--targets",
        `unknown target '${raw}' (see \`deno task bench list-targets\`)`,
      );
    }
    for (const t of picked) if (!out.includes(t)) out.push(t);
  }
  return out;
}

/** The workload of a target name (`dynamic_router:seed-lab` → `seed-lab`). */
export function targetWorkload(target: string): string {
  return target.slice(TARGET_CHAPTER.length + 1);
}

/**
 * Splits a flag string like a shell would (whitespace separates; single and double
 * quotes group; no escapes or expansions).
 *
 * @example
 * ```ts
 * import { splitArgs } from "./bench_targets.ts";
 * const args = splitArgs(`--set 'telemetry.waitWeight=2' --rate 40`);
 * if (args.length !== 4 || args[1] !== "telemetry.waitWeight=2") throw new Error("bad split");
 * ```
 * @throws {UsageError} On an unterminated quote (naming `--target-extra-arg`).
 */
export function splitArgs(text: string): string[] {
  const out: string[] = [];
  let cur = "", inWord = false, quote = "";
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = "";
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new UsageError("--target-extra-arg", `unterminated ${quote} in '${text}'`);
  if (inWord) out.push(cur);
  return out;
}

/**
 * Parses repeated `--target-extra-arg TARGET=FLAGS` values into flags per target
 * (`dynamic_router` alone applies to every target). Flags for one target add up.
 *
 * @throws {UsageError} On a value without `=`, or an unknown target.
 */
export function parseExtraArgs(values: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(
        "--target-extra-arg",
        `expected TARGET="--flag value", got '${value}'`,
      );
    }
    let targets: string[];
    try {
      targets = resolveTargets([value.slice(0, eq)]);
    } catch (e) {
      throw new UsageError("--target-extra-arg", (e as Error).message.replace(/^.*?: /, ""));
    }
    const args = splitArgs(value.slice(eq + 1));
    for (const t of targets) out.set(t, [...(out.get(t) ?? []), ...args]);
  }
  return out;
}

/**
 * The comparison a target runs: `deno task sim` defaults, the target's workload,
 * `requests` requests, the seed-lab fleet (2 prefill + 2 decode) for `seed-lab`,
 * then the extra flags (which win).
 *
 * @throws {UsageError} When the extra flags are not valid `sim` flags, or set the
 * workload (the target names it).
 */
export function targetConfig(
  target: string,
  requests: number,
  extraArgs: readonly string[],
): ComparisonConfig {
  const workload = targetWorkload(target);
  for (const flag of ["--workload", "--list", "--json", "--help", "-h"]) {
    if (extraArgs.some((a) => a === flag || a.startsWith(flag + "="))) {
      throw new UsageError(
        "--target-extra-arg",
        `${target}: '${flag}' cannot be given to a target (the target names the workload ` +
          `and the harness writes the output)`,
      );
    }
  }
  const args = ["--workload", workload, "--requests", String(requests)];
  if (workload === "seed-lab") args.push("--prefill-gpus", "2", "--decode-gpus", "2");
  args.push(...extraArgs);
  const cmd = buildSimCommand();
  cmd.exitOverride();
  cmd.configureOutput({ writeOut: () => {}, writeErr: () => {} });
  try {
    cmd.parse(args, { from: "user" });
    return simConfigFromFlags(cmd.opts(), [], (key) => cmd.getOptionValueSource(key) === "cli");
  } catch (e) {
    if (e instanceof CommanderError || e instanceof UsageError) {
      throw new UsageError(
        "--target-extra-arg",
        `${target}: ${e.message.replace(/^error: /, "")}`,
      );
    }
    throw e;
  }
}

/** Quantiles of one distribution, in the order of {@linkcode DISTRIBUTION_QUANTILES}. */
export interface Distribution {
  /** Values recorded. */
  count: number;
  /** Mean. */
  mean: number;
  /** Largest value. */
  max: number;
  /** `[q, value]` pairs. */
  quantiles: [number, number][];
}

/** One policy's side of a target. */
export interface TargetPolicyResult {
  /** The policy's run summary (as `deno task sim --json` prints it). */
  summary: RunSummary;
  /** TTFT distribution, ms. */
  ttftMs: Distribution;
  /** TPOT distribution, ms. */
  tpotMs: Distribution;
  /** Wall time of the simulation, s. */
  wallS: number;
  /** Simulated requests per wall second. */
  requestsPerWallS: number;
}

/** What a target run produces: written to `targets/<workload>.json`. */
export interface TargetResult {
  /** Target name. */
  target: string;
  /** The extra flags given with `--target-extra-arg`. */
  extraArgs: string[];
  /** The comparison run. */
  config: ComparisonConfig;
  /** One entry per policy, in `config.policies` order (baseline first by default). */
  policies: TargetPolicyResult[];
}

function distribution(h: LogHistogram): Distribution {
  return {
    count: h.count,
    mean: h.mean,
    max: h.max,
    quantiles: DISTRIBUTION_QUANTILES.map((q) => [q, h.percentile(q)]),
  };
}

/**
 * Runs one target: every policy of `config` on its workload, with TTFT/TPOT
 * distributions and wall time per policy.
 */
export async function runTarget(
  target: string,
  config: ComparisonConfig,
  extraArgs: readonly string[],
): Promise<TargetResult> {
  const ttft = new Map<string, LogHistogram>(), tpot = new Map<string, LogHistogram>();
  const startMs: number[] = [];
  const report = await comparePolicies(config, {
    onPolicyStart: (policy, i) => {
      ttft.set(policy, new LogHistogram());
      tpot.set(policy, new LogHistogram());
      startMs[i] = performance.now();
    },
    onRequest: (policy, r) => {
      ttft.get(policy)!.add(r.ttftMs);
      if (r.outputTokens > 1) tpot.get(policy)!.add(r.tpotMs);
    },
  });
  const endMs = performance.now();
  return {
    target,
    extraArgs: [...extraArgs],
    config: report.config,
    policies: report.results.map((summary, i) => {
      const wallS = ((i + 1 < startMs.length ? startMs[i + 1] : endMs) - startMs[i]) / 1000;
      return {
        summary,
        ttftMs: distribution(ttft.get(summary.policy)!),
        tpotMs: distribution(tpot.get(summary.policy)!),
        wallS,
        requestsPerWallS: config.requests / wallS,
      };
    }),
  };
}

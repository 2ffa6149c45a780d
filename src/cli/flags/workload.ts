/**
 * The synthetic workload's flags (`--workload`, `--requests`, `--rate`, `--seed`): which
 * named workload, how many requests, at what mean rate, from which seed. Shared by
 * `sim`, `sweep`, `compare`, `scoreboard` (the ones each takes) and, with the trace
 * flags, by the load generator to come.
 *
 * @module
 */

import type { Command } from "npm:commander@15.1.0";
import { UsageError } from "../../core/errors.ts";
import { workloadTemplate, workloadTemplates } from "../../workload/catalog.ts";
import { integer, positiveInt, positiveNumber } from "./values.ts";

/** The workload flags as parsed. */
export interface WorkloadFlags {
  /** Named synthetic workload. */
  readonly workload: string;
  /** Requests to generate. */
  readonly requests: number;
  /** Mean arrival rate, requests/s (the workload's own when `--rate` is absent). */
  readonly ratePerS: number;
  /** Whether `--rate` was given. */
  readonly rateGiven: boolean;
  /** Seed of the workload (and of the policies' random sources). */
  readonly seed: number;
}

/** One of the workload flags, by name. */
export type WorkloadOption = "workload" | "requests" | "rate" | "seed";

/** Defaults of the workload flags. */
export interface WorkloadDefaults {
  /** Default of `--workload`. */
  readonly workload: string;
  /** Default of `--requests`. */
  readonly requests: number;
  /** Default of `--seed`. */
  readonly seed: number;
}

/**
 * Adds the workload flags in `only` (default: all four) to `cmd`, with the command's
 * defaults, and returns it. `--rate` has no default: absent, the workload's own rate.
 *
 * @example
 * ```ts
 * import { Command } from "npm:commander@15.1.0";
 * import { addWorkloadOptions, workloadFlagsFromOpts } from "./workload.ts";
 * const cmd = addWorkloadOptions(new Command("demo"), {
 *   workload: "chat", requests: 100, seed: 1,
 * });
 * cmd.parse(["--rate", "12"], { from: "user" });
 * const w = workloadFlagsFromOpts(cmd.opts());
 * if (w.ratePerS !== 12 || w.workload !== "chat" || !w.rateGiven) throw new Error("not parsed");
 * ```
 */
export function addWorkloadOptions(
  cmd: Command,
  defaults: WorkloadDefaults,
  only: readonly WorkloadOption[] = ["workload", "requests", "rate", "seed"],
): Command {
  if (only.includes("workload")) {
    cmd.option("--workload <name>", "synthetic workload (see --list)", defaults.workload);
  }
  if (only.includes("requests")) {
    cmd.option(
      "--requests <n>",
      "requests of a synthetic workload",
      positiveInt,
      defaults.requests,
    );
  }
  if (only.includes("rate")) {
    cmd.option(
      "--rate <r>",
      "mean arrival rate, requests/s (default: the workload's own)",
      positiveNumber,
    );
  }
  if (only.includes("seed")) {
    cmd.option("--seed <n>", "seed of the workload and the policies", integer, defaults.seed);
  }
  return cmd;
}

/**
 * The workload flags of parsed `opts` (from {@linkcode addWorkloadOptions} with all
 * four), checked.
 *
 * @throws {UsageError} On an unknown workload (naming `--workload`).
 */
export function workloadFlagsFromOpts(opts: Record<string, unknown>): WorkloadFlags {
  const workload = String(opts.workload);
  let defaultRatePerS: number;
  try {
    defaultRatePerS = workloadTemplate(workload).defaultRatePerS;
  } catch {
    throw new UsageError("--workload", unknownWorkload(workload));
  }
  const rate = opts.rate as number | undefined;
  return {
    workload,
    requests: opts.requests as number,
    ratePerS: rate ?? defaultRatePerS,
    rateGiven: rate !== undefined,
    seed: opts.seed as number,
  };
}

/**
 * Checks a list of workload names (e.g. `scoreboard --workloads`).
 *
 * @throws {UsageError} On an unknown one, naming `flag`.
 */
export function checkWorkloads(names: readonly string[], flag: string): void {
  for (const name of names) {
    if (!workloadTemplates().some((t) => t.name === name)) {
      throw new UsageError(flag, unknownWorkload(name));
    }
  }
}

function unknownWorkload(name: string): string {
  return `expected a workload (${workloadTemplates().map((t) => t.name).join(", ")}), ` +
    `got '${name}'`;
}

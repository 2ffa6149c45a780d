/**
 * The export flags (`--out DIR`, `--sample-ms`) for commands that run simulations (and
 * the load generator to come): adding and reading them, opening the exporter, wiring
 * it to the comparison hooks, and the versions recorded with a run.
 *
 * @module
 */

import type { Command } from "npm:commander@15.1.0";
import denoJson from "../../../deno.json" with { type: "json" };
import { UsageError } from "../../core/errors.ts";
import { RunExporter } from "../../report/run_exporter.ts";
import type { RequestSource } from "../../core/types.ts";
import { positiveNumber } from "./values.ts";
import { userPath } from "../user_path.ts";
import {
  type ComparisonConfig,
  type ComparisonHooks,
  syntheticWorkload,
} from "../../sim/compare.ts";

/** Default simulated ms between fleet samples. */
export const DEFAULT_SAMPLE_MS = 500;

/**
 * Requests (over all policies) from which the export runs on a worker thread: starting
 * one costs about 0.25 s, formatting CSV about 2.5 µs per request (measured with
 * `deno task bench:export`), so smaller runs export faster on their own thread.
 */
export const THREADED_EXPORT_MIN_REQUESTS = 100_000;

/** An open export and where it goes. */
export interface OpenExport {
  /** The exporter. */
  readonly exporter: RunExporter;
  /** Output directory. */
  readonly dir: string;
  /** Simulated ms between fleet samples. */
  readonly sampleMs: number;
}

/** The export flags as parsed. */
export interface ExportFlags {
  /** Output directory (`--out`), resolved against the directory the user ran the command from. */
  readonly dir: string;
  /** Simulated ms between fleet samples (`--sample-ms`). */
  readonly sampleMs: number;
}

/** Adds `--out <dir>` and `--sample-ms` to `cmd` and returns it. */
export function addExportOptions(cmd: Command): Command {
  return cmd
    .option(
      "--out <dir>",
      "also write requests.csv, timeseries.csv, migrations.csv, summary.json, plots/*.svg " +
        "and report.html into <dir> (created when missing)",
    )
    .option(
      "--sample-ms <ms>",
      `with --out: simulated ms between fleet samples in timeseries.csv (default ${DEFAULT_SAMPLE_MS})`,
      positiveNumber,
    );
}

/**
 * The export flags of parsed `opts` (from {@linkcode addExportOptions}), or `null`
 * without `--out`.
 *
 * @throws {UsageError} When `--sample-ms` comes without `--out`.
 */
export function exportFlagsFromOpts(opts: Record<string, unknown>): ExportFlags | null {
  const dir = opts.out as string | undefined;
  if (dir === undefined) {
    if (opts.sampleMs !== undefined) {
      throw new UsageError("--sample-ms", "needs --out <dir>");
    }
    return null;
  }
  return {
    dir: userPath(dir),
    sampleMs: (opts.sampleMs as number | undefined) ?? DEFAULT_SAMPLE_MS,
  };
}

/**
 * Opens the export asked for by `flags`, or returns `null` without one.
 *
 * @param flags The export flags ({@linkcode exportFlagsFromOpts}).
 * @param requests Requests the run will simulate, over all policies.
 * @throws {UsageError} When the directory cannot be created (naming `--out`).
 */
export function openExporter(flags: ExportFlags | null, requests: number): OpenExport | null {
  if (flags === null) return null;
  const { dir, sampleMs } = flags;
  try {
    Deno.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError("--out", `cannot create directory '${dir}': ${(e as Error).message}`);
  }
  const threaded = requests >= THREADED_EXPORT_MIN_REQUESTS;
  return { exporter: new RunExporter({ dir, sampleMs, threaded }), dir, sampleMs };
}

/**
 * Comparison hooks that stream a run into `exporter`, sampling the fleet every
 * `sampleMs` (the synthetic workload is throttled by the exporter).
 */
export function exportHooks(
  exporter: RunExporter,
  sampleMs: number,
  makeWorkload: (config: ComparisonConfig) => RequestSource = syntheticWorkload,
): ComparisonHooks {
  return {
    makeWorkload: (config) => exporter.throttle(makeWorkload(config)),
    onPolicyStart: (policy) => exporter.startPolicy(policy),
    onRequest: (_, record) => exporter.request(record),
    sampleIntervalMs: sampleMs,
    onSample: (_, fleet, nowMs) => exporter.sample(fleet, nowMs),
    onMigration: (_, decidedMs, from, to) => exporter.migration(decidedMs, from, to),
  };
}

/** Versions recorded in `summary.json`: pdrouter, Deno, V8 and TypeScript. */
export function softwareVersions(): Record<string, string> {
  return {
    pdrouter: denoJson.version,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
  };
}

/** The line printed after an export. */
export function exportedText(dir: string, files: readonly string[]): string {
  const page = files.find((f) => f.endsWith("report.html")) ?? `${dir}/report.html`;
  return `wrote ${files.length} files to ${dir}; open ${page}\n`;
}

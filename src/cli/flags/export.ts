/**
 * `--out DIR` and `--sample-ms` for commands that run simulations: opening the
 * exporter, wiring it to the comparison hooks, and the versions recorded with a run.
 *
 * @module
 */

import denoJson from "../../../deno.json" with { type: "json" };
import { UsageError } from "../../core/errors.ts";
import { RunExporter } from "../../report/run_exporter.ts";
import type { RequestSource } from "../../core/types.ts";
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

/**
 * Opens the export asked for by `--out` (and `--sample-ms`), or returns `null`.
 *
 * @param opts Parsed flags.
 * @param requests Requests the run will simulate, over all policies.
 * @throws {UsageError} When `--sample-ms` comes without `--out`, or the directory cannot
 * be created.
 */
export function openExporter(opts: Record<string, unknown>, requests: number): OpenExport | null {
  const dir = opts.out as string | undefined;
  if (dir === undefined) {
    if (opts.sampleMs !== undefined) throw new UsageError("--sample-ms", "needs --out <dir>");
    return null;
  }
  try {
    Deno.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError("--out", `cannot create directory '${dir}': ${(e as Error).message}`);
  }
  const sampleMs = (opts.sampleMs as number | undefined) ?? DEFAULT_SAMPLE_MS;
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

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
import { runLabel, type RunMeta } from "../../report/run_writer.ts";
import { exportTargetProblem, StagedDir } from "../../report/staged_dir.ts";
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
 * Requests (over all policies) from which the export may run on a worker thread:
 * starting one costs about 0.25 s, formatting CSV about 2.5 µs per request (measured
 * with `deno task bench:export`), so smaller runs export faster on their own thread.
 */
export const THREADED_EXPORT_MIN_REQUESTS = 100_000;

/**
 * CPU cores from which the export may run on a worker thread. The worker only pays
 * when it has a core of its own beside the simulation's and the rest of the machine's
 * work: `deno task bench:export` (2 × 100k requests) on a busy 2-core machine measured
 * +72% wall time over no export with the worker and +52% on the simulation's thread
 * (best runs +46% and +38%), so on fewer cores the export stays on the main thread.
 */
export const THREADED_EXPORT_MIN_CORES = 4;

/**
 * Whether an export of `requests` (over all policies) runs on a worker thread, on a
 * machine with `cores` logical CPUs: from {@linkcode THREADED_EXPORT_MIN_REQUESTS}
 * requests and {@linkcode THREADED_EXPORT_MIN_CORES} cores.
 *
 * @example
 * ```ts
 * import { threadedExport } from "./export.ts";
 * if (threadedExport(1_000_000, 2)) throw new Error("a 2-core machine exports inline");
 * if (!threadedExport(1_000_000, 8)) throw new Error("8 cores leave one for the writer");
 * ```
 */
export function threadedExport(
  requests: number,
  cores: number = navigator.hardwareConcurrency,
): boolean {
  return requests >= THREADED_EXPORT_MIN_REQUESTS && cores >= THREADED_EXPORT_MIN_CORES;
}

/**
 * An open export and where it goes. The run is written to a hidden folder beside `dir`
 * and moved into place by {@linkcode OpenExport.finish}; a failed or interrupted run
 * (Ctrl-C, SIGTERM) removes it and leaves `dir` as it was.
 */
export interface OpenExport {
  /** The exporter (writing into the staged folder). */
  readonly exporter: RunExporter;
  /** Output directory, where the run lands when complete. */
  readonly dir: string;
  /** Simulated ms between fleet samples. */
  readonly sampleMs: number;
  /** Writes the rest of the export and moves it into place; the paths in `dir`. */
  finish(meta: RunMeta): Promise<string[]>;
  /** Stops the exporter; an export not finished is removed. Idempotent. */
  close(): void;
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
        "and report.html into <dir>: new, empty, or an earlier export (replaced once the run " +
        "is complete; an interrupted run leaves it as it was)",
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
 * @throws {UsageError} Naming `--out`: when the directory is a file, holds files that
 *   are not an export (see `exportTargetProblem`), or cannot be created.
 */
export function openExporter(flags: ExportFlags | null, requests: number): OpenExport | null {
  if (flags === null) return null;
  const { dir, sampleMs } = flags;
  const problem = exportTargetProblem(dir);
  if (problem !== null) throw new UsageError("--out", problem);
  let staged: StagedDir;
  try {
    staged = StagedDir.open(dir);
  } catch (e) {
    throw new UsageError("--out", `cannot create directory '${dir}': ${(e as Error).message}`);
  }
  const threaded = threadedExport(requests);
  const exporter = new RunExporter({ dir: staged.path, sampleMs, threaded, label: runLabel(dir) });
  const stop = stopOnSignals(() => {
    exporter.close();
    staged.discard();
  });
  return {
    exporter,
    dir,
    sampleMs,
    async finish(meta) {
      const files = await exporter.finish(meta);
      staged.commit();
      return files.map((f) => staged.finalPath(f));
    },
    close() {
      stop();
      exporter.close();
      staged.discard();
    },
  };
}

/**
 * Runs `cleanup` and exits (130 on SIGINT, 143 on SIGTERM, as a shell reports them) when
 * the process is interrupted; returns a function that removes the handlers.
 */
function stopOnSignals(cleanup: () => void): () => void {
  const added: [Deno.Signal, () => void][] = [];
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    const handler = () => {
      cleanup();
      Deno.exit(code);
    };
    try {
      Deno.addSignalListener(signal, handler);
      added.push([signal, handler]);
    } catch {
      // A signal this platform does not deliver (SIGTERM on Windows).
    }
  }
  return () => {
    for (const [signal, handler] of added) Deno.removeSignalListener(signal, handler);
    added.length = 0;
  };
}

/**
 * Comparison hooks that stream a run into `exporter`, sampling the fleet every
 * `sampleMs` (the synthetic workload is throttled by the exporter, and yields to the
 * event loop now and then so that Ctrl-C can remove an unfinished export).
 */
export function exportHooks(
  exporter: RunExporter,
  sampleMs: number,
  makeWorkload: (config: ComparisonConfig) => RequestSource = syntheticWorkload,
): ComparisonHooks {
  return {
    makeWorkload: (config) => yielding(exporter.throttle(makeWorkload(config))),
    onPolicyStart: (policy) => exporter.startPolicy(policy),
    onRequest: (_, record) => exporter.request(record),
    sampleIntervalMs: sampleMs,
    onSample: (_, fleet, nowMs) => exporter.sample(fleet, nowMs),
    onMigration: (_, decidedMs, from, to) => exporter.migration(decidedMs, from, to),
  };
}

/**
 * `source`, letting the event loop run (timers, signal handlers) before each batch: a
 * simulation runs synchronously between batches (about 0.1 s of wall time each with an
 * export). The requests are unchanged.
 */
function yielding(source: RequestSource): RequestSource {
  const next = () =>
    new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => source.next());
  return { name: source.name, blockTokens: source.blockTokens, next };
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

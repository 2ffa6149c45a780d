/**
 * `summary.json`: the `sim --json` object (config and per-policy results) plus what a
 * report needs to be rebuilt later: the objectives, the fleet layout, the sampling
 * interval and the versions that produced it.
 *
 * @module
 */

import { InputError } from "../core/errors.ts";
import type { RunSummary, Slo } from "./recorder.ts";

/** Format tag written in every `summary.json`. */
export const SUMMARY_FORMAT = "pdrouter-run/1";

/** Contents of `summary.json`. */
export interface RunSummaryFile {
  /** Always {@linkcode SUMMARY_FORMAT}. */
  format: string;
  /** The run's configuration, as printed by `--json` (plain data). */
  config: Record<string, unknown>;
  /** One summary per policy, in run order (as printed by `--json`). */
  results: RunSummary[];
  /** The objectives used for attainment and goodput. */
  slo: Slo;
  /** Pool of each worker, by worker id (`prefill`, `decode`, `colocated`). */
  fleet: string[];
  /** Fleet sampling interval of `timeseries.csv`, simulated ms. */
  sampleMs: number;
  /** Files written beside it, by role. */
  files: { requests: string; timeseries: string; migrations: string; report: string };
  /**
   * Sizes of the CSV files, bytes, as the run wrote them: `report` checks them, so that a
   * folder mixing files of two runs is refused (absent in exports of older versions).
   */
  bytes?: { requests: number; timeseries: number; migrations: number };
  /** Versions of the software that produced the run. */
  versions: Record<string, string>;
  /** The command line that ran it, word by word (absent in exports of older versions). */
  command?: string[];
}

/** Serialises a summary file (stable key order, `NaN` as `null`, 2-space indent). */
export function formatSummaryFile(s: RunSummaryFile): string {
  return JSON.stringify(s, null, 2) + "\n";
}

/**
 * Reads and checks `summary.json`; `null` latency figures (empty distributions) become
 * `NaN` again.
 *
 * @throws {InputError} When the file is not valid JSON or lacks a required field.
 */
export async function readSummaryFile(path: string): Promise<RunSummaryFile> {
  const text = await Deno.readTextFile(path);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(path, 0, "", `is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseSummaryFile(raw, path);
}

/**
 * Checks a parsed `summary.json` object (see {@linkcode readSummaryFile}).
 *
 * @example
 * ```ts
 * import { parseSummaryFile } from "./summary_file.ts";
 * try {
 *   parseSummaryFile({ format: "pdrouter-run/1" }, "summary.json");
 *   throw new Error("should have failed");
 * } catch (e) {
 *   if (!(e as Error).message.includes("'config'")) throw e;
 * }
 * ```
 * @throws {InputError} When a required field is missing or has the wrong type.
 */
export function parseSummaryFile(raw: unknown, path: string): RunSummaryFile {
  const fail = (field: string, detail: string): never => {
    throw new InputError(path, 0, field, detail);
  };
  if (typeof raw !== "object" || raw === null) return fail("", "must hold a JSON object");
  const o = raw as Record<string, unknown>;
  if (o.format !== SUMMARY_FORMAT) {
    fail("format", `must be '${SUMMARY_FORMAT}', got ${JSON.stringify(o.format)}`);
  }
  if (typeof o.config !== "object" || o.config === null) fail("config", "must be an object");
  if (!Array.isArray(o.results)) fail("results", "must be an array");
  const slo = o.slo as Record<string, unknown> | undefined;
  if (!slo || !(Number(slo.ttftMs) > 0) || !(Number(slo.tpotMs) > 0)) {
    fail("slo", "must hold positive 'ttftMs' and 'tpotMs'");
  }
  if (!Array.isArray(o.fleet) || o.fleet.some((p) => typeof p !== "string")) {
    fail("fleet", "must be an array of pool names");
  }
  if (!(Number(o.sampleMs) > 0)) fail("sampleMs", "must be a positive number");
  const files = o.files as Record<string, unknown> | undefined;
  for (const k of ["requests", "timeseries", "migrations", "report"]) {
    if (typeof files?.[k] !== "string") fail(`files.${k}`, "must be a file name");
  }
  if (
    o.command !== undefined &&
    !(Array.isArray(o.command) && o.command.every((w) => typeof w === "string"))
  ) {
    fail("command", "must be an array of words");
  }
  const bytes = o.bytes as Record<string, unknown> | undefined;
  if (bytes !== undefined) {
    for (const k of ["requests", "timeseries", "migrations"]) {
      const n = bytes?.[k];
      if (!(typeof n === "number" && Number.isInteger(n) && n >= 0)) {
        fail(`bytes.${k}`, "must be a size in bytes");
      }
    }
  }
  const results = (o.results as Record<string, unknown>[]).map((r, i) => {
    if (typeof r?.policy !== "string") fail(`results[${i}].policy`, "must be a string");
    return revive(r) as unknown as RunSummary;
  });
  return { ...(o as unknown as RunSummaryFile), results };
}

function revive(v: unknown): unknown {
  if (v === null) return NaN;
  if (Array.isArray(v)) return v.map(revive);
  if (typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, revive(x)]),
    );
  }
  return v;
}

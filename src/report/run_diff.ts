/**
 * What differs between runs overlaid in one report: their configuration (workload,
 * rate, seed, fleet, model, objectives, trace, policies and their settings), the fleet
 * layout, the sampling interval and the software versions. An overlay of runs that
 * differ in more than the one thing a user meant to vary is easy to misread, so the
 * report and the `report` command name every difference.
 *
 * @module
 */

import type { RunSummaryFile } from "../metrics/summary_file.ts";

/** One thing that differs between runs, with each run's value as text. */
export interface RunDifference {
  /** What differs, e.g. `workload`, `fleet`, `trace.path`, `versions.pdrouter`. */
  readonly what: string;
  /** Each run's label and value, in the runs' order (`–` when a run has none). */
  readonly values: readonly { readonly label: string; readonly value: string }[];
}

/** A run as {@linkcode runDifferences} reads it. */
export interface LabelledSummary {
  /** The run's label. */
  readonly label: string;
  /** Its `summary.json`. */
  readonly summary: RunSummaryFile;
}

/** Software versions that may differ without changing a result (the runtime's). */
const QUIET_VERSIONS = new Set(["v8", "typescript"]);

/**
 * Every difference between `runs` (none for a single run), in a stable order: the
 * configuration's keys (nested objects such as `trace` key by key), then `fleet`,
 * `sampleMs`, `slo` and `versions.*`.
 *
 * @example
 * ```ts
 * import { runDifferences } from "./run_diff.ts";
 * const base = {
 *   format: "pdrouter-run/1", results: [], slo: { ttftMs: 500, tpotMs: 30 },
 *   fleet: ["prefill", "decode"], sampleMs: 500,
 *   files: { requests: "r", timeseries: "t", migrations: "m", report: "h" }, versions: {},
 * };
 * const diffs = runDifferences([
 *   { label: "a", summary: { ...base, config: { workload: "chat", seed: 1 } } },
 *   { label: "b", summary: { ...base, config: { workload: "bursty", seed: 1 } } },
 * ]);
 * if (diffs.length !== 1 || diffs[0].what !== "workload") throw new Error(JSON.stringify(diffs));
 * ```
 */
export function runDifferences(runs: readonly LabelledSummary[]): RunDifference[] {
  if (runs.length < 2) return [];
  const rows = new Map<string, string[]>();
  const put = (what: string, i: number, value: string) => {
    let row = rows.get(what);
    if (!row) rows.set(what, row = runs.map(() => "–"));
    row[i] = value;
  };
  runs.forEach(({ summary: s }, i) => {
    flatten(s.config, "", (k, v) => put(k, i, v));
    put("fleet", i, fleetText(s.fleet));
    put("sampleMs", i, `${s.sampleMs} ms`);
    put("slo", i, `TTFT ${s.slo.ttftMs} ms, TPOT ${s.slo.tpotMs} ms`);
    for (const [k, v] of Object.entries(s.versions)) {
      if (!QUIET_VERSIONS.has(k)) put(`versions.${k}`, i, v);
    }
  });
  const out: RunDifference[] = [];
  for (const [what, values] of rows) {
    if (values.every((v) => v === values[0])) continue;
    out.push({ what, values: values.map((value, i) => ({ label: runs[i].label, value })) });
  }
  return out;
}

/** One line per difference, e.g. `workload: a chat · b bursty`. */
export function differenceLines(diffs: readonly RunDifference[]): string[] {
  return diffs.map((d) => `${d.what}: ${d.values.map((v) => `${v.label} ${v.value}`).join(" · ")}`);
}

/** `4 prefill + 4 decode workers` for a fleet layout (pool per worker). */
export function fleetText(fleet: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const p of fleet) counts.set(p, (counts.get(p) ?? 0) + 1);
  return [...counts].map(([pool, n]) => `${n} ${pool}`).join(" + ") + " workers";
}

function flatten(v: unknown, prefix: string, put: (key: string, value: string) => void): void {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0 && prefix) put(prefix, "(none)");
    for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, put);
    return;
  }
  put(prefix, Array.isArray(v) ? v.map(String).join(", ") : String(v));
}

/**
 * Markdown tables of side-by-side policy results, as `docs/results.md` shows them (written
 * there by `deno task docs`, never pasted): one table per run (p50/p99 TTFT, mean TPOT,
 * SLO attainment, goodput per policy, the best value of each column in bold) and a
 * summary of which policy was best where.
 *
 * @module
 */

import type { RunSummary } from "../metrics/recorder.ts";

/** One run of a side-by-side comparison. */
export interface SideBySideRun {
  /** Short name of the run, e.g. `Mooncake conversation, 70%`. */
  title: string;
  /** One line on what ran: rate, fleet, SLOs. */
  detail: string;
  /** The command that reproduces the run's numbers. */
  command: string;
  /** One summary per policy. */
  results: readonly RunSummary[];
}

interface Column {
  header: string;
  value: (r: RunSummary) => number;
  digits: number;
  suffix: string;
  better: "low" | "high";
}

const COLUMNS: readonly Column[] = [
  { header: "p50 TTFT ms", value: (r) => r.ttftMs.p50, digits: 0, suffix: "", better: "low" },
  { header: "p99 TTFT ms", value: (r) => r.ttftMs.p99, digits: 0, suffix: "", better: "low" },
  { header: "mean TPOT ms", value: (r) => r.tpotMs.mean, digits: 1, suffix: "", better: "low" },
  {
    header: "SLO attainment",
    value: (r) => r.sloAttainment * 100,
    digits: 1,
    suffix: "%",
    better: "high",
  },
  { header: "goodput req/s", value: (r) => r.goodputRps, digits: 2, suffix: "", better: "high" },
];

/** `x` as shown (rounded to `digits`), so that ties are ties at the shown precision. */
function shown(x: number, digits: number): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : NaN;
}

/** The policies with the best shown value of `col` in `results`. */
function best(results: readonly RunSummary[], col: Column): string[] {
  const values = results.map((r) => shown(col.value(r), col.digits));
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  const target = col.better === "low" ? Math.min(...finite) : Math.max(...finite);
  return results.filter((_, i) => values[i] === target).map((r) => r.policy);
}

/**
 * A markdown table with its columns padded as `deno fmt` pads them, so that pasting
 * the output into a formatted file changes nothing: the first column left-aligned, the
 * others right-aligned unless `left` is set.
 */
function table(headers: readonly string[], rows: readonly string[][], left = false): string {
  const widths = headers.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const right = (i: number) => i > 0 && !left;
  const line = (cells: readonly string[]) =>
    `| ${
      cells.map((c, i) => (right(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")
    } |`;
  const rule = `| ${
    widths.map((w, i) => (right(i) ? "-".repeat(w - 1) + ":" : "-".repeat(w))).join(" | ")
  } |`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

/** Greedy word wrap at `width` characters, as `deno fmt` wraps markdown prose. */
function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}

/**
 * Formats one run as a markdown table, best values in bold.
 *
 * @example
 * ```ts
 * import { formatRunMarkdown } from "./results_markdown.ts";
 * const summary = (policy: string, p99: number) => ({
 *   policy, completed: 1, shed: 0, migrations: 0, prefixHitRate: 0, sloAttainment: 1,
 *   goodputRps: 1, durationMs: 1, offeredRps: 1,
 *   ttftMs: { mean: 1, p50: 1, p90: 1, p99, max: 1, std: 0 },
 *   tpotMs: { mean: 1, p50: 1, p90: 1, p99: 1, max: 1, std: 0 },
 *   e2eMs: { mean: 1, p50: 1, p90: 1, p99: 1, max: 1, std: 0 },
 * });
 * const md = formatRunMarkdown({
 *   title: "demo", detail: "", command: "deno task sim",
 *   results: [summary("a", 10), summary("b", 20)],
 * });
 * if (!md.includes("| a      |       **1** |      **10** |")) throw new Error(md);
 * ```
 */
export function formatRunMarkdown(run: SideBySideRun): string {
  const bests = COLUMNS.map((c) => best(run.results, c));
  const rows = run.results.map((r) => [
    r.policy,
    ...COLUMNS.map((c, i) => (bests[i].includes(r.policy) ? `**${col(c, r)}**` : col(c, r))),
  ]);
  return [
    wrap(`**${run.title}** · ${run.detail}`.trimEnd()),
    "",
    table(["policy", ...COLUMNS.map((c) => c.header)], rows),
    "",
    "```sh",
    run.command,
    "```",
  ].join("\n");
}

function col(c: Column, r: RunSummary): string {
  const x = c.value(r);
  return Number.isFinite(x) ? x.toFixed(c.digits) + c.suffix : "-";
}

/** `names value (next: name value)` for the best and runner-up of `col`. */
function bestText(results: readonly RunSummary[], c: Column): string {
  const names = best(results, c);
  if (names.length === 0) return "-";
  const first = results.find((r) => r.policy === names[0])!;
  let text = `${names.join(" = ")} ${col(c, first)}`;
  const rest = results.filter((r) => !names.includes(r.policy));
  const next = best(rest, c);
  if (next.length > 0) {
    const second = rest.find((r) => r.policy === next[0])!;
    text += ` (next: ${next.join(" = ")} ${col(c, second)})`;
  }
  return text;
}

/**
 * Formats every run (tables in order) and a summary table naming, per run, the
 * policies with the best p99 TTFT and the best goodput, and the runners-up.
 *
 * @example
 * ```ts
 * import { formatResultsMarkdown } from "./results_markdown.ts";
 * const md = formatResultsMarkdown([]);
 * if (!md.includes("| run | best p99 TTFT ms | best goodput req/s |")) throw new Error(md);
 * ```
 */
export function formatResultsMarkdown(runs: readonly SideBySideRun[]): string {
  const p99 = COLUMNS[1], goodput = COLUMNS[4];
  const summary = table(
    ["run", `best ${p99.header}`, `best ${goodput.header}`],
    runs.map((r) => [r.title, bestText(r.results, p99), bestText(r.results, goodput)]),
    true,
  );
  return [...runs.map(formatRunMarkdown), summary].join("\n\n") + "\n";
}

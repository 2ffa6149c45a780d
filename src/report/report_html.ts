/**
 * `report.html`: one self-contained page (inline CSS and SVG, no script, no network)
 * with the summary table per policy (best value per column marked), the plots and the
 * configuration of every run shown.
 *
 * @module
 */

import type { RunSummary } from "../metrics/recorder.ts";
import type { RunSummaryFile } from "../metrics/summary_file.ts";
import { fleetText, runDifferences } from "./run_diff.ts";

/** A run shown in a report. */
export interface ReportRun {
  /** Label of the run (its directory name, or one given with `--labels`). */
  readonly label: string;
  /** Its `summary.json`. */
  readonly summary: RunSummaryFile;
}

/** A rendered plot. */
export interface RenderedPlot {
  /** File stem (`ttft_cdf`). */
  readonly id: string;
  /** Heading. */
  readonly title: string;
  /** How to read it. */
  readonly caption: string;
  /** Spans the full width of the page. */
  readonly wide: boolean;
  /** Inline SVG document. */
  readonly svg: string;
}

/** A column of the summary table. */
export interface SummaryColumn {
  /** Header text. */
  readonly label: string;
  /** Header group (`TTFT ms`), or `""`. */
  readonly group: string;
  /** Path into a {@linkcode RunSummary}, e.g. `ttftMs.p99`. */
  readonly field: string;
  /** Decimals shown. */
  readonly digits: number;
  /** Shown as a percentage (the value × 100). */
  readonly percent: boolean;
  /** Which value is best: `low`, `high`, or `none` (not marked). */
  readonly best: "low" | "high" | "none";
}

/** Columns of the report's summary table, in order. */
export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  { label: "done", group: "requests", field: "completed", digits: 0, percent: false, best: "high" },
  { label: "shed", group: "requests", field: "shed", digits: 0, percent: false, best: "low" },
  {
    label: "mean",
    group: "TTFT (ms)",
    field: "ttftMs.mean",
    digits: 1,
    percent: false,
    best: "low",
  },
  { label: "p50", group: "TTFT (ms)", field: "ttftMs.p50", digits: 1, percent: false, best: "low" },
  { label: "p90", group: "TTFT (ms)", field: "ttftMs.p90", digits: 1, percent: false, best: "low" },
  { label: "p99", group: "TTFT (ms)", field: "ttftMs.p99", digits: 1, percent: false, best: "low" },
  { label: "std", group: "TTFT (ms)", field: "ttftMs.std", digits: 1, percent: false, best: "low" },
  {
    label: "mean",
    group: "TPOT (ms)",
    field: "tpotMs.mean",
    digits: 2,
    percent: false,
    best: "low",
  },
  { label: "p50", group: "TPOT (ms)", field: "tpotMs.p50", digits: 2, percent: false, best: "low" },
  { label: "p99", group: "TPOT (ms)", field: "tpotMs.p99", digits: 2, percent: false, best: "low" },
  { label: "p99", group: "E2E (ms)", field: "e2eMs.p99", digits: 0, percent: false, best: "low" },
  { label: "migrations", group: "", field: "migrations", digits: 0, percent: false, best: "none" },
  {
    label: "prefix hit",
    group: "",
    field: "prefixHitRate",
    digits: 1,
    percent: true,
    best: "high",
  },
  { label: "SLO met", group: "", field: "sloAttainment", digits: 1, percent: true, best: "high" },
  {
    label: "goodput (req/s)",
    group: "",
    field: "goodputRps",
    digits: 2,
    percent: false,
    best: "high",
  },
];

/** The value at a dotted `path` of a summary (`NaN` when absent). */
export function summaryField(s: RunSummary, path: string): number {
  let v: unknown = s;
  for (const k of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[k];
  return typeof v === "number" ? v : NaN;
}

/** A summary value as the table shows it (`–` when not a number). */
export function formatCell(value: number, column: SummaryColumn): string {
  if (!Number.isFinite(value)) return "–";
  const x = column.percent ? value * 100 : value;
  return x.toLocaleString("en-US", {
    minimumFractionDigits: column.digits,
    maximumFractionDigits: column.digits,
  }) + (column.percent ? "%" : "");
}

/**
 * Builds the report page.
 *
 * @example
 * ```ts
 * import { reportHtml } from "./report_html.ts";
 * const html = reportHtml("demo", [], []);
 * if (!html.startsWith("<!doctype html>")) throw new Error("not a page");
 * ```
 */
export function reportHtml(
  title: string,
  runs: readonly ReportRun[],
  plots: readonly RenderedPlot[],
): string {
  const rows = runs.flatMap((run) => run.summary.results.map((result) => ({ run, result })));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="lede">${esc(lede(runs))}</p>
${commandLines(runs)}
${differencesNote(runs)}
</header>
<main>
<section id="summary">
<h2>Summary</h2>
${summaryTable(rows, runs.length > 1)}
${highlights(runs)}
<p class="note">Best value per column in <span class="best-key">bold green</span>. TTFT: arrival → first token;
TPOT: time per output token after the first; SLO met: share of all requests (shed included) meeting both
objectives; goodput: such requests per second.</p>
</section>
<section id="plots">
<h2>Plots</h2>
<div class="grid">
${plots.map(figure).join("\n")}
</div>
</section>
<section id="config">
<h2>Configuration</h2>
${configTables(runs)}
</section>
</main>
<footer>${esc(footer(runs))}</footer>
</body>
</html>
`;
}

function lede(runs: readonly ReportRun[]): string {
  return runs.map((r) => {
    const c = r.summary.config;
    const parts = [
      runs.length > 1 ? `${r.label}:` : "",
      c.workload !== undefined ? `workload ${c.workload}` : "",
      c.requests !== undefined ? `${c.requests} requests` : "",
      c.ratePerS !== undefined ? `at ${c.ratePerS} req/s nominal` : "",
      offeredText(r.summary.results),
      `on ${fleetText(r.summary.fleet)}`,
      c.model !== undefined ? `(${c.model})` : "",
      `· SLO TTFT ${r.summary.slo.ttftMs} ms, TPOT ${r.summary.slo.tpotMs} ms`,
    ];
    return parts.filter((p) => p !== "").join(" ");
  }).join(" — ");
}

/** The offered rate of a run's first policy (the same workload for every policy). */
function offeredText(results: readonly RunSummary[]): string {
  const r = results[0];
  if (!r || !Number.isFinite(r.offeredRps)) return "";
  return r.offeredRps > 0
    ? `(${r.offeredRps.toFixed(2)} req/s offered)`
    : "(offered as one burst at t = 0)";
}

/** The command line of each run, and pdrouter's version. */
function commandLines(runs: readonly ReportRun[]): string {
  const lines = runs.map((r) => {
    const cmd = r.summary.command;
    const who = runs.length > 1 ? `${esc(r.label)}: ` : "";
    const version = r.summary.versions.pdrouter ?? "?";
    return `<p class="command">${who}<code>${
      esc(cmd ? cmd.map(shellWord).join(" ") : "(command not recorded)")
    }</code> · pdrouter ${esc(version)}</p>`;
  });
  return lines.join("\n");
}

function shellWord(w: string): string {
  return /^[\w./:=,@%+-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`;
}

/** A notice naming every difference between overlaid runs. */
function differencesNote(runs: readonly ReportRun[]): string {
  const diffs = runDifferences(runs);
  if (diffs.length === 0) return "";
  const items = diffs.map((d) =>
    `<li><b>${esc(d.what)}</b>: ${
      d.values.map((v) => `${esc(v.label)} <code>${esc(v.value)}</code>`).join(" · ")
    }</li>`
  );
  return `<div class="differs" id="differences"><p>These runs differ in ${diffs.length} ${
    diffs.length === 1 ? "setting" : "settings"
  }; compare their series with that in mind:</p>
<ul>
${items.join("\n")}
</ul></div>`;
}

function summaryTable(
  rows: readonly { run: ReportRun; result: RunSummary }[],
  showRun: boolean,
): string {
  // The best value of each column among the policies of one run: runs overlaid may
  // differ in workload or length, so their rows are not compared with each other.
  const bestOf = new Map<ReportRun, (number | null)[]>();
  for (const run of new Set(rows.map((r) => r.run))) {
    const own = rows.filter((r) => r.run === run);
    bestOf.set(
      run,
      SUMMARY_COLUMNS.map((col) => {
        if (col.best === "none" || own.length < 2) return null;
        const shown = own.map((r) => formatCell(summaryField(r.result, col.field), col))
          .filter((t) => t !== "–")
          .map(parseShown);
        // Nothing to point out when every row shows the same value.
        if (shown.length === 0 || shown.every((x) => x === shown[0])) return null;
        return col.best === "low" ? Math.min(...shown) : Math.max(...shown);
      }),
    );
  }
  // Header: grouped columns share a spanning cell above their own; others span both rows.
  const groups: { label: string; columns: SummaryColumn[] }[] = [];
  for (const col of SUMMARY_COLUMNS) {
    const last = groups[groups.length - 1];
    if (last && col.group !== "" && last.label === col.group) last.columns.push(col);
    else groups.push({ label: col.group, columns: [col] });
  }
  const head1 = `<tr><th rowspan="2" class="name">${showRun ? "run · policy" : "policy"}</th>${
    groups.map((g) =>
      g.label === ""
        ? `<th rowspan="2">${esc(g.columns[0].label)}</th>`
        : `<th colspan="${g.columns.length}" class="group">${esc(g.label)}</th>`
    ).join("")
  }</tr>`;
  const head2 = `<tr>${
    SUMMARY_COLUMNS.filter((c) => c.group !== "").map((c) => `<th>${esc(c.label)}</th>`).join("")
  }</tr>`;
  const body = rows.map(({ run, result }) => {
    // A run's label above the policy, so that long labels do not widen the table.
    const name = showRun
      ? `<span class="run">${esc(run.label)} ·</span> ${esc(result.policy)}`
      : esc(result.policy);
    const best = bestOf.get(run)!;
    const cells = SUMMARY_COLUMNS.map((c, i) => {
      const text = formatCell(summaryField(result, c.field), c);
      const isBest = best[i] !== null && text !== "–" && parseShown(text) === best[i];
      return `<td data-field="${c.field}"${isBest ? ' class="best"' : ""}>${text}</td>`;
    }).join("");
    return `<tr data-run="${esc(run.label)}" data-policy="${esc(result.policy)}">` +
      `<th class="name" scope="row">${name}</th>${cells}</tr>`;
  }).join("\n");
  return `<div class="table-wrap"><table class="summary">
<thead>${head1}${head2}</thead>
<tbody>
${body}
</tbody>
</table></div>`;
}

function parseShown(text: string): number {
  return Number(text.replace(/[,%]/g, ""));
}

function figure(p: RenderedPlot): string {
  return `<figure id="plot-${p.id}" data-plot="${p.id}"${p.wide ? ' class="wide"' : ""}>
<figcaption><h3>${esc(p.title)}</h3><p>${esc(p.caption)}</p></figcaption>
${p.svg}
</figure>`;
}

function configTables(runs: readonly ReportRun[]): string {
  const keys: string[] = [];
  for (const r of runs) {
    for (const k of Object.keys(r.summary.config)) if (!keys.includes(k)) keys.push(k);
  }
  const versions = [...new Set(runs.flatMap((r) => Object.keys(r.summary.versions)))];
  const head = runs.length > 1
    ? `<tr><th></th>${runs.map((r) => `<th>${esc(r.label)}</th>`).join("")}</tr>`
    : "";
  const line = (k: string, cell: (r: ReportRun) => string) =>
    `<tr><th scope="row">${esc(k)}</th>${
      runs.map((r) => `<td>${esc(cell(r))}</td>`).join("")
    }</tr>`;
  const run = [
    ...keys.map((k) => line(k, (r) => configValue(r.summary.config[k]))),
    line("fleet", (r) => fleetText(r.summary.fleet)),
    line("sample interval", (r) => `${r.summary.sampleMs} ms`),
  ];
  const software = versions.map((k) => line(k, (r) => r.summary.versions[k] ?? ""));
  return `<div class="config-grid">
<div class="table-wrap"><h3>Run</h3><table class="config">${head}
${run.join("\n")}
</table></div>
<div class="table-wrap"><h3>Software</h3><table class="config">${head}
${software.join("\n")}
</table></div>
</div>`;
}

/** One line per non-baseline policy of each run: how it compares with the baseline. */
function highlights(runs: readonly ReportRun[]): string {
  const items: string[] = [];
  for (const run of runs) {
    const results = run.summary.results;
    if (results.length < 2) continue;
    const base = results.find((r) => r.policy === "round-robin") ?? results[0];
    for (const r of results) {
      if (r === base) continue;
      const who = runs.length > 1 ? `${run.label}: ${r.policy}` : r.policy;
      items.push(
        `<li><b>${esc(who)}</b> vs ${esc(base.policy)}: p99 TTFT ${
          change(base.ttftMs.p99, r.ttftMs.p99, " ms", 0)
        } · mean TPOT ${change(base.tpotMs.mean, r.tpotMs.mean, " ms", 2)} · SLO met ${
          change(base.sloAttainment * 100, r.sloAttainment * 100, "%", 1)
        } · goodput ${change(base.goodputRps, r.goodputRps, " req/s", 2)}</li>`,
      );
    }
  }
  return items.length ? `<ul class="highlights">\n${items.join("\n")}\n</ul>` : "";
}

function change(from: number, to: number, unit: string, digits: number): string {
  if (!Number.isFinite(from) || !Number.isFinite(to)) return "–";
  const f = (x: number) =>
    x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const ratio = from > 0 ? ` (${(to / from).toFixed(2)}×)` : "";
  return `${f(from)}${unit} → ${f(to)}${unit}${ratio}`;
}

function configValue(v: unknown): string {
  if (v === undefined) return "";
  if (Array.isArray(v)) return v.map(String).join(", ");
  if (typeof v === "object" && v !== null) {
    return Object.keys(v).length === 0 ? "(defaults)" : JSON.stringify(v);
  }
  return String(v);
}

function footer(runs: readonly ReportRun[]): string {
  const v = runs[0]?.summary.versions ?? {};
  return `Generated by pdrouter ${v.pdrouter ?? ""} · ` +
    "rebuild with `deno task report DIR` from requests.csv, timeseries.csv, migrations.csv " +
    "and summary.json.";
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

const CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg2: #f6f8fa;
  --best: #1a7f37; --best-bg: #dafbe1; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: var(--fg); background: #fff; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 22px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 0; }
.lede { color: var(--muted); margin: 0; }
.command { margin: 4px 0 0; font-size: 12.5px; color: var(--muted); overflow-wrap: anywhere; }
.command code, .differs code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas,
  monospace; font-size: 12px; color: var(--fg); }
.differs { margin: 10px 0 0; padding: 8px 12px; border: 1px solid #d4a72c; background: #fff8c5;
  border-radius: 6px; font-size: 13px; }
.differs p { margin: 0 0 4px; }
.differs ul { margin: 0; padding-left: 18px; }
.note { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.summary { width: 100%; }
table.summary { font-size: 13.5px; }
table.summary th, table.summary td { padding: 5px 6px; border-bottom: 1px solid var(--line);
  text-align: right; white-space: nowrap; }
table.summary thead th { background: var(--bg2); font-weight: 600; font-size: 12.5px;
  white-space: normal; }
table.summary tbody th.name { white-space: normal; max-width: 170px; overflow-wrap: anywhere; }
table.summary th.name .run { display: block; font-weight: 500; font-size: 12px;
  color: var(--muted); }
table.summary th.group { text-align: center; border-bottom: 1px solid var(--line); }
table.summary th.name { text-align: left; }
table.summary tbody th.name { font-weight: 600; }
td.best, .best-key { color: var(--best); font-weight: 700; background: var(--best-bg); }
.best-key { padding: 0 3px; border-radius: 3px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(540px, 1fr)); gap: 16px; }
figure.wide { grid-column: 1 / -1; }
figure { margin: 0; padding: 10px 12px; border: 1px solid var(--line); border-radius: 6px;
  background: #fff; }
figcaption p { margin: 2px 0 6px; color: var(--muted); font-size: 12.5px; }
figure svg { display: block; max-width: 100%; height: auto; }
.config-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
  gap: 8px 32px; align-items: start; }
.config-grid h3 { font-size: 13px; color: var(--muted); margin: 4px 0; }
ul.highlights { margin: 10px 0 0; padding-left: 18px; }
ul.highlights li { margin: 2px 0; }
table.config th, table.config td { padding: 3px 10px; border-bottom: 1px solid var(--line);
  text-align: left; vertical-align: top; font-size: 13px; }
table.config th { font-weight: 600; color: var(--muted); }
table.config td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 12.5px; word-break: break-word; }
footer { color: var(--muted); font-size: 12px; padding: 24px 20px 28px; }
`;

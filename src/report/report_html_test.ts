import { equal, ok } from "node:assert/strict";
import { Recorder, type RunSummary } from "../metrics/recorder.ts";
import { createRequestRecord } from "../core/record.ts";
import { formatCell, reportHtml, SUMMARY_COLUMNS, summaryField } from "./report_html.ts";
import { SUMMARY_FORMAT } from "../metrics/summary_file.ts";

function result(policy: string, ttfts: number[]): RunSummary {
  const rec = new Recorder({ ttftMs: 100, tpotMs: 10 });
  const r = createRequestRecord();
  for (const t of ttfts) {
    Object.assign(r, { ttftMs: t, tpotMs: 5, outputTokens: 3, e2eMs: t + 10 });
    rec.add(r);
  }
  return rec.summary(policy, 0);
}

function page(results: RunSummary[], label = "run"): string {
  return reportHtml("t", [{
    label,
    summary: {
      format: SUMMARY_FORMAT,
      config: {},
      results,
      slo: { ttftMs: 100, tpotMs: 10 },
      fleet: ["prefill", "decode"],
      sampleMs: 100,
      files: { requests: "", timeseries: "", migrations: "", report: "" },
      versions: {},
    },
  }], []);
}

function cell(html: string, policy: string, field: string): string {
  const row = html.split("<tr").find((r) => r.includes(`data-policy="${policy}"`))!;
  const m = new RegExp(`<td data-field="${field.replace(".", "\\.")}"([^>]*)>([^<]*)</td>`).exec(
    row,
  );
  ok(m, `no cell ${field} for ${policy}`);
  return `${m[1].includes("best") ? "*" : ""}${m[2]}`;
}

Deno.test("the best value per column is marked, ties and all-equal columns aside", () => {
  const html = page([result("slow", [90, 200]), result("fast", [20, 40])]);
  equal(cell(html, "fast", "ttftMs.p99"), "*40.0");
  equal(cell(html, "slow", "ttftMs.p99"), "200.0");
  equal(cell(html, "fast", "sloAttainment"), "*100.0%");
  equal(cell(html, "slow", "sloAttainment"), "50.0%");
  // Both shed nothing and have the same TPOT: nothing to point out.
  equal(cell(html, "fast", "shed"), "0");
  equal(cell(html, "slow", "tpotMs.mean"), "5.00");
  equal(cell(html, "fast", "migrations"), "0");
});

Deno.test("every summary column is shown, with – for missing figures", () => {
  const empty = new Recorder({ ttftMs: 1, tpotMs: 1 }).summary("idle", 0);
  const html = page([empty]);
  for (const c of SUMMARY_COLUMNS) {
    const text = cell(html, "idle", c.field);
    equal(text, formatCell(summaryField(empty, c.field), c));
  }
  equal(cell(html, "idle", "ttftMs.p99"), "–");
});

Deno.test("labels and policy names are escaped", () => {
  const html = page([result("<b>&", [10])], '"><script>');
  ok(!html.includes("<script>"));
  ok(html.includes("&lt;b&gt;&amp;"));
});

Deno.test("formatCell rounds to the column's digits, with thousands separators", () => {
  const p99 = SUMMARY_COLUMNS.find((c) => c.field === "ttftMs.p99")!;
  const hit = SUMMARY_COLUMNS.find((c) => c.field === "prefixHitRate")!;
  equal(formatCell(12345.678, p99), "12,345.7");
  equal(formatCell(0.4567, hit), "45.7%");
  equal(formatCell(NaN, p99), "–");
});

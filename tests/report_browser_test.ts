/**
 * Renders `report.html` in headless Chromium and checks what a reader would see: no
 * console errors or network requests, every plot drawn, and the summary table agreeing
 * with `summary.json`. Screenshots go to `artifacts/`.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { summaryField } from "../src/report/report_html.ts";
import { readSummaryFile } from "../src/metrics/summary_file.ts";
import type { PageFacts } from "./_browser.ts";
import { exportRun } from "./_export_fixture.ts";

/** Where Debian installs Chromium. */
const CHROMIUM = "/usr/bin/chromium";
const PLOTS = ["ttft_cdf", "tpot_cdf", "queue_depth", "kv_usage", "migrations", "worker_load"];
const ARTIFACTS = new URL("../artifacts/", import.meta.url).pathname;

function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

const chromiumPresent = hasChromium();
if (!chromiumPresent) {
  console.warn(
    `SKIPPING the report browser test: ${CHROMIUM} is absent (install it with ` +
      "`apt-get install -y chromium`; .ci/run does so)",
  );
}

async function inspect(html: string): Promise<PageFacts> {
  const script = new URL("./_browser.ts", import.meta.url).pathname;
  const lock = new URL("./browser.lock", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `--lock=${lock}`, script, html, ARTIFACTS, CHROMIUM],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  ok(out.success, `browser script failed:\n${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test({
  name: "report.html in Chromium: no errors, every plot drawn, table equals summary.json",
  ignore: !chromiumPresent,
  async fn() {
    const { dir } = await exportRun();
    try {
      const summary = await readSummaryFile(join(dir, "summary.json"));
      const facts = await inspect(join(dir, "report.html"));

      deepEqual(facts.problems, []);
      deepEqual(facts.plots.map((p) => p.id), PLOTS);
      for (const p of facts.plots) {
        equal(p.svgs, 1, `plot ${p.id}: one inline SVG`);
        ok(p.marks > 0, `plot ${p.id}: has drawn marks`);
      }
      deepEqual(facts.rows.map((r) => r.policy), summary.results.map((r) => r.policy));
      for (const row of facts.rows) {
        const result = summary.results.find((r) => r.policy === row.policy)!;
        ok(row.cells.length >= 10, `row ${row.policy}: has its cells`);
        for (const { field, text } of row.cells) {
          const expected = summaryField(result, field);
          if (text === "–") {
            ok(!Number.isFinite(expected), `${row.policy} ${field}: shown as – but is ${expected}`);
            continue;
          }
          const bare = text.replace(/[,%]/g, "");
          const digits = (bare.split(".")[1] ?? "").length;
          const value = text.endsWith("%") ? expected * 100 : expected;
          ok(
            Math.abs(Number(bare) - value) <= 0.5 * 10 ** -digits + 1e-9,
            `${row.policy} ${field}: the table shows ${text}, summary.json has ${expected}`,
          );
        }
      }
      for (const shot of facts.screenshots) ok((await Deno.stat(shot)).size > 10_000, shot);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

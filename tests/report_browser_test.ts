/**
 * Renders `report.html` in headless Chromium and checks what a reader would see: no
 * console errors or network requests, every plot drawn, and the summary table agreeing
 * with `summary.json`, at 1366 px for the two default policies and at 1280 px with every
 * built-in policy, where nothing may overflow. Screenshots go to `artifacts/`.
 */

import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { summaryField } from "../src/report/report_html.ts";
import { readSummaryFile, type RunSummaryFile } from "../src/metrics/summary_file.ts";
import { rebuildReport } from "../src/report/load_run.ts";
import type { PageFacts } from "./_browser.ts";
import { exportRun, FIXTURE_CONFIG } from "./_export_fixture.ts";
import { policyNames } from "../src/policy/registry.ts";
import type { ComparisonConfig } from "../src/sim/compare.ts";

/** Where Debian installs Chromium. */
const CHROMIUM = "/usr/bin/chromium";
const PLOTS = [
  "ttft_cdf",
  "tpot_cdf",
  "latency_tail",
  "queue_depth",
  "kv_usage",
  "migrations",
  "worker_load",
];
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

async function inspect(html: string, width: number, name: string): Promise<PageFacts> {
  const script = new URL("./_browser.ts", import.meta.url).pathname;
  const lock = new URL("./browser.lock", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      `--lock=${lock}`,
      script,
      html,
      ARTIFACTS,
      CHROMIUM,
      String(width),
      name,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  ok(out.success, `browser script failed:\n${stderr}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/**
 * Exports each of `configs` (labelled by `labels`), overlays them when there are
 * several, opens the report at `width` and checks what a reader would see.
 */
async function check(
  configs: readonly ComparisonConfig[],
  labels: readonly string[],
  width: number,
  name: string,
): Promise<void> {
  const parent = await Deno.makeTempDir({ prefix: "pdrouter-browser-" });
  try {
    const dirs: string[] = [];
    for (let i = 0; i < configs.length; i++) {
      dirs.push((await exportRun(configs[i], { dir: join(parent, labels[i]) })).dir);
    }
    let page = join(dirs[0], "report.html");
    if (dirs.length > 1) {
      const out = join(parent, "overlay");
      await rebuildReport(dirs, labels, out);
      page = join(out, "report.html");
    }
    const summaries = new Map<string, RunSummaryFile>();
    for (let i = 0; i < dirs.length; i++) {
      summaries.set(labels[i], await readSummaryFile(join(dirs[i], "summary.json")));
    }
    const facts = await inspect(page, width, name);

    deepEqual(facts.problems, []);
    deepEqual(facts.overflows, [], `at ${width} px nothing may overflow`);
    deepEqual(facts.plots.map((p) => p.id), PLOTS);
    for (const p of facts.plots) {
      equal(p.svgs, 1, `plot ${p.id}: one inline SVG`);
      ok(p.marks > 0, `plot ${p.id}: has drawn marks`);
    }
    deepEqual(
      facts.rows.map((r) => `${r.run} ${r.policy}`),
      labels.flatMap((l) => summaries.get(l)!.results.map((r) => `${l} ${r.policy}`)),
    );
    for (const row of facts.rows) {
      const result = summaries.get(row.run)!.results.find((r) => r.policy === row.policy)!;
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
    await Deno.remove(parent, { recursive: true });
  }
}

Deno.test({
  name: "report.html in Chromium: no errors, every plot drawn, table equals summary.json",
  ignore: !chromiumPresent,
  fn: () => check([FIXTURE_CONFIG], ["run"], 1366, "report"),
});

Deno.test({
  name: "every built-in policy, two runs overlaid, at 1280 px: nothing overflows, plots drawn",
  ignore: !chromiumPresent,
  fn: () =>
    check(
      [
        { ...FIXTURE_CONFIG, requests: 800, policies: policyNames() },
        { ...FIXTURE_CONFIG, workload: "chat", requests: 600, seed: 2, policies: policyNames() },
      ],
      ["skewed-seed1", "chat-seed2"],
      1280,
      "report_all_1280",
    ),
});

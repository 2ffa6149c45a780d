/**
 * `sim --out` end to end through the library: the CSV files reproduce the summaries,
 * and a report rebuilt from them equals the one written live.
 */

import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import { basename, join } from "node:path";
import { InputError } from "../src/core/errors.ts";
import { readCsv } from "../src/metrics/csv.ts";
import { rebuildReport, summarizeRequestsCsv } from "../src/report/load_run.ts";
import { readSummaryFile } from "../src/metrics/summary_file.ts";
import { exportRun, FIXTURE_CONFIG } from "./_export_fixture.ts";

async function countRows(path: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const row of readCsv(path)) {
    const p = row.fields.policy;
    counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return counts;
}

Deno.test("requests.csv read back reproduces summary.json's figures exactly", async () => {
  const { dir, report } = await exportRun();
  try {
    const summary = await readSummaryFile(join(dir, "summary.json"));
    // summary.json holds what the simulator reported.
    deepEqual(summary.results, report.results);
    const again = await summarizeRequestsCsv(join(dir, "requests.csv"), summary.slo);
    equal(again.length, summary.results.length);
    for (let i = 0; i < again.length; i++) {
      const want = summary.results[i], got = again[i];
      equal(got.policy, want.policy);
      deepEqual(got.ttftMs, want.ttftMs, `${want.policy} TTFT`);
      deepEqual(got.tpotMs, want.tpotMs, `${want.policy} TPOT`);
      // And everything else the summary holds.
      deepEqual(got, want);
    }
    const telemetry = summary.results.find((r) => r.policy === "telemetry")!;
    ok(telemetry.migrations > 0, "the fixture migrates");
    const migrations = await countRows(join(dir, "migrations.csv"));
    equal(migrations.get("telemetry"), telemetry.migrations);
    const requests = await countRows(join(dir, "requests.csv"));
    for (const p of FIXTURE_CONFIG.policies) equal(requests.get(p), FIXTURE_CONFIG.requests);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("timeseries.csv has a worker row per worker and a pool row per pool per sample", async () => {
  const { dir } = await exportRun();
  try {
    const summary = await readSummaryFile(join(dir, "summary.json"));
    const perTime = new Map<string, { workers: number; pools: number }>();
    for await (const row of readCsv(join(dir, "timeseries.csv"))) {
      const key = `${row.fields.policy}@${row.fields.time_ms}`;
      const e = perTime.get(key) ?? { workers: 0, pools: 0 };
      if (row.fields.scope === "worker") e.workers++;
      else e.pools++;
      perTime.set(key, e);
      const frac = Number(row.fields.kv_usage_frac);
      ok(frac >= 0 && frac <= 1, `kv_usage_frac ${frac} at line ${row.line}`);
      equal(Number(row.fields.time_ms) % summary.sampleMs, 0);
    }
    ok(perTime.size > 100);
    for (const e of perTime.values()) deepEqual(e, { workers: summary.fleet.length, pools: 2 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task report rebuilds the very same report from the files", async () => {
  const { dir } = await exportRun();
  const rebuilt = await Deno.makeTempDir();
  try {
    await rebuildReport([dir], [basename(dir)], rebuilt);
    for (
      const f of [
        "ttft_cdf",
        "tpot_cdf",
        "latency_tail",
        "queue_depth",
        "kv_usage",
        "migrations",
        "worker_load",
      ]
    ) {
      equal(
        await Deno.readTextFile(join(rebuilt, "plots", `${f}.svg`)),
        await Deno.readTextFile(join(dir, "plots", `${f}.svg`)),
        `plots/${f}.svg`,
      );
    }
    equal(
      await Deno.readTextFile(join(rebuilt, "report.html")),
      await Deno.readTextFile(join(dir, "report.html")),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(rebuilt, { recursive: true });
  }
});

Deno.test("several runs overlay in one report, one row and series per run and policy", async () => {
  const a = await exportRun();
  const b = await exportRun({ ...FIXTURE_CONFIG, seed: 2, requests: 500 });
  const out = await Deno.makeTempDir();
  try {
    await rebuildReport([a.dir, b.dir], ["x", "y"], out);
    const html = await Deno.readTextFile(join(out, "report.html"));
    for (const run of ["x", "y"]) {
      for (const p of FIXTURE_CONFIG.policies) {
        ok(html.includes(`data-run="${run}" data-policy="${p}"`), `row ${run} ${p}`);
        ok(html.includes(`<span class="run">${run} ·</span> ${p}`), `row name ${run} · ${p}`);
      }
    }
    await rejects(rebuildReport([a.dir, b.dir], ["x", "x"], out), /labels must differ/);
  } finally {
    for (const d of [a.dir, b.dir, out]) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("rebuilding names the file, line and field of bad input", async () => {
  const { dir } = await exportRun({ ...FIXTURE_CONFIG, requests: 200 });
  const out = await Deno.makeTempDir();
  const requests = join(dir, "requests.csv");
  const timeseries = join(dir, "timeseries.csv");
  try {
    const text = await Deno.readTextFile(requests);
    const lines = text.split("\n");
    lines[3] = lines[3].replace(/^round-robin,/, "nobody,");
    await Deno.writeTextFile(requests, lines.join("\n"));
    await rejects(rebuildReport([dir], ["r"], out), (e: InputError) => {
      ok(e instanceof InputError);
      equal(e.file, requests);
      equal(e.line, 4);
      equal(e.field, "policy");
      return true;
    });
    await Deno.writeTextFile(requests, text.replace(/,(\d+),(\d+),(\d+),/, ",$1,$2,x$3,"));
    await rejects(
      rebuildReport([dir], ["r"], out),
      /requests\.csv:2: field '\w+' must be a number/,
    );
    await Deno.writeTextFile(requests, text);
    const ts = await Deno.readTextFile(timeseries);
    await Deno.writeTextFile(timeseries, ts.replace(",worker,prefill,0,", ",worker,prefill,99,"));
    await rejects(
      rebuildReport([dir], ["r"], out),
      /timeseries\.csv:2: field 'worker' must be a worker id/,
    );
    await Deno.remove(join(dir, "summary.json"));
    await rejects(rebuildReport([dir], ["r"], out), /summary\.json: does not exist/);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

import { equal, ok } from "node:assert/strict";
import type { RunSummary } from "../metrics/recorder.ts";
import { formatResultsMarkdown, formatRunMarkdown } from "./results_markdown.ts";

function summary(policy: string, p99: number, goodput: number, tpot = 20): RunSummary {
  const stats = (x: number) => ({ mean: x, p50: x, p90: x, p99: x, max: x, std: 0 });
  return {
    policy,
    completed: 10,
    shed: 0,
    migrations: 0,
    prefixHitRate: 0,
    sloAttainment: goodput / 10,
    goodputRps: goodput,
    durationMs: 1000,
    offeredRps: 10,
    ttftMs: { ...stats(100), p99 },
    tpotMs: stats(tpot),
    e2eMs: stats(1000),
  };
}

const run = {
  title: "demo, 70%",
  detail: "1 req/s",
  command: "deno task sim --load 0.7",
  results: [summary("a", 500, 2), summary("b", 400, 3, 25), summary("c", 400.2, 1, NaN)],
};

Deno.test("formatRunMarkdown: best per column in bold, lower or higher as the metric wants", () => {
  const md = formatRunMarkdown(run);
  const lines = md.split("\n");
  equal(lines[0], "**demo, 70%** · 1 req/s");
  equal(
    lines[2],
    "| policy | p50 TTFT ms | p99 TTFT ms | mean TPOT ms | SLO attainment | goodput req/s |",
  );
  equal(
    lines[3],
    "| ------ | ----------: | ----------: | -----------: | -------------: | ------------: |",
  );
  // p50 ties everywhere (all bold); p99 400 and 400.2 both show as 400 (a tie);
  // TPOT: lowest wins, NaN shows as '-'; SLO and goodput: highest wins.
  equal(
    lines[4],
    "| a      |     **100** |         500 |     **20.0** |          20.0% |          2.00 |",
  );
  equal(
    lines[5],
    "| b      |     **100** |     **400** |         25.0 |      **30.0%** |      **3.00** |",
  );
  equal(
    lines[6],
    "| c      |     **100** |     **400** |            - |          10.0% |          1.00 |",
  );
  ok(md.endsWith("```sh\ndeno task sim --load 0.7\n```"), md);
});

Deno.test("formatResultsMarkdown: a summary names the best p99 and goodput of each run", () => {
  const md = formatResultsMarkdown([run]);
  ok(md.includes(formatRunMarkdown(run)));
  ok(
    md.endsWith(
      "| run       | best p99 TTFT ms        | best goodput req/s    |\n" +
        "| --------- | ----------------------- | --------------------- |\n" +
        "| demo, 70% | b = c 400 (next: a 500) | b 3.00 (next: a 2.00) |\n",
    ),
    md,
  );
});

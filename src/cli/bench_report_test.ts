import { deepEqual, equal, ok } from "node:assert/strict";
import {
  acceptanceChecks,
  type BenchSummary,
  type Figure,
  figuresFromAlloc,
  figuresFromDenoBench,
  figuresFromHotPath,
  figuresFromScale,
  summaryMarkdown,
} from "./bench_report.ts";
import { compareSummaries } from "./bench_compare.ts";

const ok1 = (avg: number, min = avg) => [{ ok: { n: 10, avg, p75: avg, p99: avg, min } }];

Deno.test("figuresFromDenoBench reads route costs and turns sim runs into requests/s", () => {
  const figures = figuresFromDenoBench({
    benches: [
      {
        origin: "file:///x/benches/policy_bench.ts",
        group: "route n=64 blocks=24",
        name: "telemetry n=64 blocks=24",
        results: ok1(350),
      },
      {
        origin: "file:///x/benches/sim_bench.ts",
        group: "sim throughput",
        name: "small 2P+2D seed-lab telemetry 100000 requests",
        results: ok1(0.5e9, 0.25e9),
      },
      {
        origin: "file:///x/benches/sim_bench.ts",
        group: "sim chat",
        name: "chat 4P+4D telemetry 3000 requests",
        results: ok1(40e6),
      },
      { origin: "file:///x/benches/policy_bench.ts", group: null, name: "broken", results: [{}] },
    ],
  });
  deepEqual(figures.map((f) => [f.name, f.value, f.unit, f.better]), [
    ["route telemetry n=64 blocks=24 (avg)", 350, "ns", "lower"],
    [
      "sim throughput small 2P+2D seed-lab telemetry 100000 requests",
      200_000,
      "requests/s",
      "higher",
    ],
    [
      "sim throughput small 2P+2D seed-lab telemetry 100000 requests (best run)",
      400_000,
      "requests/s",
      "higher",
    ],
    ["sim chat 4P+4D telemetry 3000 requests (wall per run)", 40, "ms", "lower"],
  ]);
});

function fig(name: string, value: number, better: "lower" | "higher" = "lower"): Figure {
  return { name, value, unit: "u", better, stage: "test" };
}

Deno.test("acceptanceChecks evaluates each bound, and says what was not measured", () => {
  const figures = [
    ...figuresFromHotPath({
      profile: "minimal",
      results: [
        { policy: "telemetry", n: 64, blocks: 24, medianNs: 400 },
        { policy: "telemetry", n: 4096, blocks: 24, medianNs: 900 },
      ],
    }),
    ...figuresFromAlloc({
      fleet: 64,
      blocks: 24,
      results: [{
        policy: "telemetry",
        decisions: 1_000_000,
        allocatedBytes: 2 * 2 ** 20,
        retainedBytes: 0,
        gcAvailable: true,
      }],
    }),
    ...figuresFromScale({
      workload: "seed-lab",
      requests: 1_000_000,
      prefill: 512,
      decode: 512,
      wallS: 12,
      requestsPerS: 83_333,
      peakRssBytes: 400 * 2 ** 20,
    }),
  ];
  const checks = acceptanceChecks(figures);
  const status = Object.fromEntries(checks.map((c) => [c.name, [c.value, c.status]]));
  deepEqual(status["telemetry decision, 24-block prompt, 64 workers (median)"], [400, "pass"]);
  deepEqual(status["telemetry decision at 4096 workers ÷ at 64 workers (24 blocks)"], [
    2.25,
    "fail",
  ]);
  deepEqual(status["telemetry heap growth over 10^6 decisions"], [2048, "fail"]);
  equal(status["simulator on seed-lab (2P+2D, average run)"][1], "not measured");
  deepEqual(status["10^6 requests on 1024 GPUs: wall time"], [12, "pass"]);
  deepEqual(status["10^6 requests on 1024 GPUs: peak RSS"], [400, "pass"]);
});

Deno.test("compareSummaries prints B/A per shared figure with a direction-aware verdict", () => {
  const a = {
    figures: [fig("lat", 100), fig("speed", 100, "higher"), fig("flat", 100), fig("gone", 1)],
  };
  const b = {
    figures: [fig("lat", 80), fig("speed", 50, "higher"), fig("flat", 101), fig("new", 1)],
  };
  const lines = compareSummaries(a, b).split("\n");
  const row = (name: string) => lines.find((l) => l.startsWith(name + " "))!.split(/\s+/);
  deepEqual(row("lat").slice(-2), ["0.80×", "better"]);
  deepEqual(row("speed").slice(-2), ["0.50×", "worse"]);
  deepEqual(row("flat").slice(-2), ["1.01×", "same"]);
  ok(!lines.some((l) => l.startsWith("gone ") || l.startsWith("new ")));
  ok(lines.some((l) => l.includes("1 figure(s) only in A, 1 only in B")));
  ok(!compareSummaries(a, b).includes("profile"));
  ok(
    compareSummaries({ ...a, profile: "minimal" }, { ...b, profile: "full" })
      .includes("A ran profile 'minimal', B 'full'"),
  );
});

Deno.test("summaryMarkdown lists the checks, stages and figures", () => {
  const figures = [fig("route x (avg)", 12.5)];
  const s: BenchSummary = {
    schema: "pdrouter-bench/1",
    startedUtc: "2025-01-01T00:00:00.000Z",
    durationS: 1,
    profile: "minimal",
    args: ["run", "--profile", "minimal"],
    runtime: "Deno test",
    cpu: "",
    stages: [{ name: "hot-path", status: "skipped", wallS: 0, file: "" }],
    figures,
    checks: acceptanceChecks(figures),
    targets: [],
  };
  const md = summaryMarkdown(s, []);
  ok(md.includes("`deno task bench run --profile minimal`"));
  ok(
    md.includes(
      "| telemetry decision, 24-block prompt, 64 workers (median) | - ns | ≤ 1000 ns | not measured |",
    ),
  );
  ok(md.includes("| hot-path | skipped |"));
  ok(md.includes("| route x (avg) | 12.5 | u | lower |"));
  ok(!md.includes("## Targets"));
});

Deno.test("compareSummaries says in what the two runs differ", () => {
  const f = { name: "x", value: 1, unit: "ns", better: "lower" as const, stage: "hot-path" };
  const a = {
    figures: [f],
    profile: "minimal",
    args: ["run"],
    runtime: "Deno 2.9.6",
    cpu: "A",
    targets: [{ target: "dynamic_router:chat", file: "targets/chat.json" }],
  };
  const same = compareSummaries(a, a);
  ok(!same.includes("differ in"), same);
  const b = { ...a, args: ["run", "--requests", "500"], cpu: "B" };
  const text = compareSummaries(a, b);
  ok(text.includes("A and B differ in 2 settings"), text);
  ok(
    text.includes("  command: A deno task bench run · B deno task bench run --requests 500"),
    text,
  );
  ok(text.includes("  cpu: A A · B B"), text);
});

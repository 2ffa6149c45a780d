import { deepEqual, equal, notEqual, ok } from "node:assert/strict";
import type { BenchSummary, Check, Figure } from "./bench_report.ts";
import { artifactDir, failedChecksText, runBenchCommand } from "./bench_command.ts";
import type { TargetResult } from "./bench_targets.ts";

Deno.test("artifactDir names a UTC-timestamped folder and never reuses one", () => {
  const parent = Deno.makeTempDirSync();
  const at = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
  const first = artifactDir(parent, at);
  equal(first, `${parent}/2025-01-02T03-04-05Z`);
  Deno.mkdirSync(first);
  const second = artifactDir(parent + "/", at);
  equal(second, `${parent}/2025-01-02T03-04-05Z-2`);
  Deno.removeSync(parent, { recursive: true });
});

Deno.test("bench run writes summary and per-target artifacts; compare reads them", async () => {
  const out = Deno.makeTempDirSync();
  const args = [
    "run",
    "--skip",
    "deno-bench,hot-path,alloc,scale,idle",
    "--targets",
    "dynamic_router:seed-lab,dynamic_router:chat",
    "--requests",
    "150",
    "--out",
    out,
    "--target-extra-arg",
    "dynamic_router:seed-lab=--migration-budget 4 --seed 9",
  ];
  equal(await runBenchCommand(args), 0);
  const [dir] = [...Deno.readDirSync(out)].map((e) => `${out}/${e.name}`);
  const summary = JSON.parse(Deno.readTextFileSync(`${dir}/summary.json`)) as BenchSummary;
  equal(summary.schema, "pdrouter-bench/1");
  deepEqual(summary.args, args);
  deepEqual(
    summary.stages.map((s) => [s.name, s.status]),
    [
      ["deno-bench", "skipped"],
      ["hot-path", "skipped"],
      ["alloc", "skipped"],
      ["scale", "skipped"],
      ["idle", "skipped"],
      ["targets", "ok"],
    ],
  );
  ok(summary.checks.every((c) => c.status === "not measured"));
  deepEqual(summary.targets.map((t) => t.file), ["targets/seed-lab.json", "targets/chat.json"]);
  const lab = JSON.parse(Deno.readTextFileSync(`${dir}/targets/seed-lab.json`)) as TargetResult;
  equal(lab.config.migrationBudget, 4);
  equal(lab.config.seed, 9);
  equal(lab.config.requests, 150);
  deepEqual(lab.extraArgs, ["--migration-budget", "4", "--seed", "9"]);
  deepEqual(lab.policies.map((p) => p.summary.policy), ["round-robin", "telemetry"]);
  const p99 = summary.figures.find((f) => f.name === "dynamic_router:seed-lab telemetry TTFT p99");
  equal(p99?.value, lab.policies[1].summary.ttftMs.p99);
  const md = Deno.readTextFileSync(`${dir}/summary.md`);
  ok(md.includes("| dynamic_router:seed-lab `--migration-budget 4 --seed 9` | telemetry |"));

  // A second run, then compare the two folders.
  equal(await runBenchCommand(args), 0);
  const dirs = [...Deno.readDirSync(out)].map((e) => `${out}/${e.name}`).sort();
  equal(dirs.length, 2);
  notEqual(dirs[0], dirs[1]);
  equal(await runBenchCommand(["compare", dirs[0], `${dirs[1]}/summary.json`]), 0);
  Deno.removeSync(out, { recursive: true });
});

Deno.test("bench exits 2 on bad flags, targets, extra args and artifacts", async () => {
  const out = Deno.makeTempDirSync();
  const bad = [
    ["run", "--profile", "huge"],
    ["run", "--targets", "dynamic_router:nope", "--out", out],
    ["run", "--target-extra-arg", "no-equals-sign", "--out", out],
    ["run", "--target-extra-arg", "dynamic_router:chat=--rate x", "--out", out],
    [
      "run",
      "--targets",
      "dynamic_router:chat",
      "--target-extra-arg",
      "dynamic_router:poisson=--rate 5",
      "--out",
      out,
    ],
    ["run", "--skip", "lunch"],
    ["run", "--requests", "0"],
    ["compare", `${out}/missing`, `${out}/missing`],
    ["compare", out],
    ["frobnicate"],
  ];
  for (const args of bad) equal(await runBenchCommand(args), 2, args.join(" "));
  // Nothing was started for any of them.
  equal([...Deno.readDirSync(out)].length, 0);
  equal(await runBenchCommand(["--help"]), 0);
  equal(await runBenchCommand(["run", "--help"]), 0);
  Deno.removeSync(out, { recursive: true });
});

Deno.test("bench run exits 1 when an acceptance check fails, and ends with it", async () => {
  const out = Deno.makeTempDirSync();
  // Real targets, and bounds on their figures: one that holds, one that cannot.
  const checks = (figures: readonly Figure[]): Check[] => {
    const p99 = figures.find((f) => f.name === "dynamic_router:seed-lab telemetry TTFT p99")!;
    const bound = (name: string, limit: number): Check => ({
      name,
      value: p99.value,
      unit: "ms",
      limit,
      kind: "max",
      status: p99.value <= limit ? "pass" : "fail",
    });
    return [bound("p99 TTFT under an hour", 3_600_000), bound("p99 TTFT under 1 µs", 0.001)];
  };
  const args = [
    "run",
    "--skip",
    "deno-bench,hot-path,alloc,scale,idle",
    "--targets",
    "dynamic_router:seed-lab",
    "--requests",
    "100",
    "--out",
    out,
  ];
  equal(await runBenchCommand(args, { checks }), 1);
  const [dir] = [...Deno.readDirSync(out)].map((e) => `${out}/${e.name}`);
  const summary = JSON.parse(Deno.readTextFileSync(`${dir}/summary.json`)) as BenchSummary;
  deepEqual(summary.checks.map((c) => c.status), ["pass", "fail"]);
  const text = failedChecksText(summary.checks.filter((c) => c.status === "fail"), 2);
  ok(text.startsWith("FAILED: 1 of 2 acceptance checks\n  p99 TTFT under 1 µs: "), text);
  ok(text.endsWith("ms, bound ≤ 0.001 ms\n"), text);
  Deno.removeSync(out, { recursive: true });
});

/**
 * The summary of a `deno task bench` run: named figures pulled from each stage's
 * output, the issue's acceptance checks evaluated on them and a Markdown rendering
 * (`deno task bench compare`'s table is `bench_compare.ts`).
 *
 * @module
 */

import type { TargetResult } from "./bench_targets.ts";
import { fixed } from "./table.ts";

/** Which way a figure improves. */
export type Better = "lower" | "higher";

/** One measured number. */
export interface Figure {
  /** Unique name, stable across runs (what `compare` matches on). */
  name: string;
  /** The value. */
  value: number;
  /** Unit, e.g. `ns`, `requests/s`, `MiB`. */
  unit: string;
  /** Which way is better. */
  better: Better;
  /** Stage that measured it. */
  stage: string;
}

/** An acceptance check of the issue. */
export interface Check {
  /** What is checked, in words. */
  name: string;
  /** Measured value (NaN when not measured). */
  value: number;
  /** Unit of `value` and `limit`. */
  unit: string;
  /** The bound. */
  limit: number;
  /** `max`: value must be at most the limit; `min`: at least. */
  kind: "max" | "min";
  /** `pass`, `fail`, or `not measured`. */
  status: "pass" | "fail" | "not measured";
}

/** The `summary.json` of an artifact folder. */
export interface BenchSummary {
  /** Format tag. */
  schema: "pdrouter-bench/1";
  /** When the run started, ISO 8601 UTC. */
  startedUtc: string;
  /** Wall time of the whole run, s. */
  durationS: number;
  /** Profile name. */
  profile: string;
  /** The command line after `deno task bench`. */
  args: string[];
  /** Runtime (`deno --version` of the harness). */
  runtime: string;
  /** CPU name as `deno bench` reports it (empty when that stage was skipped). */
  cpu: string;
  /** Per stage: `ok`, `skipped` or `failed: …`, its wall time and output file. */
  stages: { name: string; status: string; wallS: number; file: string }[];
  /** Every figure. */
  figures: Figure[];
  /** The acceptance checks. */
  checks: Check[];
  /** Targets run, with the file holding each one's full result. */
  targets: { target: string; file: string }[];
}

// ---- figures from each stage's output ---------------------------------------------

/** One bench of `deno bench --json` output (the fields used here). */
interface DenoBench {
  origin: string;
  group: string | null;
  name: string;
  results: { ok?: { n: number; avg: number; p75: number; p99: number; min: number } }[];
}

/** Figures from `deno bench --json` output: route costs and simulation throughput. */
export function figuresFromDenoBench(report: { benches: DenoBench[] }): Figure[] {
  const out: Figure[] = [];
  for (const b of report.benches) {
    const ok = b.results[0]?.ok;
    if (!ok) continue;
    if (b.origin.endsWith("policy_bench.ts")) {
      out.push({
        name: `route ${b.name} (avg)`,
        value: ok.avg,
        unit: "ns",
        better: "lower",
        stage: "deno-bench",
      });
      continue;
    }
    const m = / (\d+) requests$/.exec(b.name);
    if (!b.origin.endsWith("sim_bench.ts") || !m) continue;
    if (b.group === "sim throughput") {
      // Requests per wall second over the average run, and over the fastest one (the
      // least disturbed by other load on a shared machine).
      const requests = Number(m[1]);
      for (const [label, ns] of [["", ok.avg], [" (best run)", ok.min]] as const) {
        out.push({
          name: `sim throughput ${b.name}${label}`,
          value: requests / (ns / 1e9),
          unit: "requests/s",
          better: "higher",
          stage: "deno-bench",
        });
      }
    } else {
      out.push({
        name: `sim ${b.name} (wall per run)`,
        value: ok.avg / 1e6,
        unit: "ms",
        better: "lower",
        stage: "deno-bench",
      });
    }
  }
  return out;
}

/** Output of `benches/hot_path.ts --json`. */
export interface HotPathReport {
  /** Profile measured. */
  profile: string;
  /** One cell per policy × fleet × prompt length. */
  results: { policy: string; n: number; blocks: number; medianNs: number }[];
}

/** Figures from the hot-path medians. */
export function figuresFromHotPath(report: HotPathReport): Figure[] {
  return report.results.map((r) => ({
    name: `decision ${r.policy} n=${r.n} blocks=${r.blocks} (median)`,
    value: r.medianNs,
    unit: "ns",
    better: "lower" as const,
    stage: "hot-path",
  }));
}

/** Output of `benches/alloc_check.ts --json`. */
export interface AllocReport {
  /** Fleet size of the fixture. */
  fleet: number;
  /** Prompt length in blocks. */
  blocks: number;
  /** Per policy. */
  results: {
    policy: string;
    decisions: number;
    allocatedBytes: number;
    retainedBytes: number;
    gcAvailable: boolean;
  }[];
}

/** Figures from the allocation check. */
export function figuresFromAlloc(report: AllocReport): Figure[] {
  return report.results.flatMap((r) => [
    {
      name: `heap allocated ${r.policy} ${r.decisions} decisions n=${report.fleet}`,
      value: r.allocatedBytes / 1024,
      unit: "KiB",
      better: "lower" as const,
      stage: "alloc",
    },
    {
      name: `heap retained ${r.policy} ${r.decisions} decisions n=${report.fleet}`,
      value: r.retainedBytes / 1024,
      unit: "KiB",
      better: "lower" as const,
      stage: "alloc",
    },
  ]);
}

/** Output of `benches/scale_check.ts --json` (the fields used here). */
export interface ScaleReport {
  /** Workload. */
  workload: string;
  /** Requests. */
  requests: number;
  /** Prefill workers. */
  prefill: number;
  /** Decode workers. */
  decode: number;
  /** Wall time, s. */
  wallS: number;
  /** Requests per wall second. */
  requestsPerS: number;
  /** Peak RSS, bytes. */
  peakRssBytes: number;
}

/** Figures from the scale check. */
export function figuresFromScale(r: ScaleReport): Figure[] {
  const label = `scale ${r.requests} ${r.workload} ${r.prefill}P+${r.decode}D`;
  return [
    { name: `${label} wall`, value: r.wallS, unit: "s", better: "lower", stage: "scale" },
    {
      name: `${label} peak RSS`,
      value: r.peakRssBytes / 2 ** 20,
      unit: "MiB",
      better: "lower",
      stage: "scale",
    },
    {
      name: `${label} throughput`,
      value: r.requestsPerS,
      unit: "requests/s",
      better: "higher",
      stage: "scale",
    },
  ];
}

/** Output of `benches/idle_check.ts --json` (the fields used here). */
export interface IdleReport {
  /** Best wall time of `sim --rate 1e-7 --requests 100`, s. */
  sparseRunWallS: number;
  /** Bytes of the `--out` folder of two BurstGPT rows a day apart. */
  twoRowExportBytes: number;
}

/** Figures from the idle check. */
export function figuresFromIdle(r: IdleReport): Figure[] {
  return [
    {
      name: "sim --rate 1e-7 --requests 100 wall",
      value: r.sparseRunWallS,
      unit: "s",
      better: "lower",
      stage: "idle",
    },
    {
      name: "two BurstGPT rows a day apart --out size",
      value: r.twoRowExportBytes / 1e6,
      unit: "MB",
      better: "lower",
      stage: "idle",
    },
  ];
}

/** Figures from one target: latency, goodput and simulation speed per policy. */
export function figuresFromTarget(t: TargetResult): Figure[] {
  const out: Figure[] = [];
  for (const p of t.policies) {
    const s = p.summary;
    const at = `${t.target} ${s.policy}`;
    const add = (what: string, value: number, unit: string, better: Better) =>
      out.push({ name: `${at} ${what}`, value, unit, better, stage: "targets" });
    add("TTFT p50", s.ttftMs.p50, "ms", "lower");
    add("TTFT p99", s.ttftMs.p99, "ms", "lower");
    add("TTFT std", s.ttftMs.std, "ms", "lower");
    add("TPOT mean", s.tpotMs.mean, "ms", "lower");
    add("TPOT p99", s.tpotMs.p99, "ms", "lower");
    add("goodput", s.goodputRps, "requests/s", "higher");
    add("SLO attainment", s.sloAttainment * 100, "%", "higher");
    add("simulated requests per wall second", p.requestsPerWallS, "requests/s", "higher");
  }
  return out;
}

// ---- acceptance checks ------------------------------------------------------------

function check(
  name: string,
  value: number | undefined,
  unit: string,
  kind: "max" | "min",
  limit: number,
): Check {
  const v = value ?? NaN;
  const status = !Number.isFinite(v)
    ? "not measured"
    : (kind === "max" ? v <= limit : v >= limit)
    ? "pass"
    : "fail";
  return { name, value: v, unit, limit, kind, status };
}

/** Evaluates the "must reach" bounds on the figures of a run. */
export function acceptanceChecks(figures: readonly Figure[]): Check[] {
  const get = (name: string) => figures.find((f) => f.name === name)?.value;
  const at64 = get("decision telemetry n=64 blocks=24 (median)");
  const at4096 = get("decision telemetry n=4096 blocks=24 (median)");
  const seedLab = figures.find((f) =>
    /^sim throughput small 2P\+2D seed-lab telemetry \d+ requests$/.test(f.name)
  )?.value;
  const scaleWall = figures.find((f) => /^scale 1000000 \S+ 512P\+512D wall$/.test(f.name))
    ?.value;
  const scaleRss = figures.find((f) => /^scale 1000000 \S+ 512P\+512D peak RSS$/.test(f.name))
    ?.value;
  return [
    check("telemetry decision, 24-block prompt, 64 workers (median)", at64, "ns", "max", 1000),
    check(
      "telemetry decision at 4096 workers ÷ at 64 workers (24 blocks)",
      at64 !== undefined && at4096 !== undefined ? at4096 / at64 : undefined,
      "×",
      "max",
      2,
    ),
    check(
      "telemetry heap growth over 10^6 decisions",
      get("heap allocated telemetry 1000000 decisions n=64"),
      "KiB",
      "max",
      1024,
    ),
    check("simulator on seed-lab (2P+2D, average run)", seedLab, "requests/s", "min", 300_000),
    check("10^6 requests on 1024 GPUs: wall time", scaleWall, "s", "max", 30),
    check("10^6 requests on 1024 GPUs: peak RSS", scaleRss, "MiB", "max", 1024),
    check(
      "sim --rate 1e-7 --requests 100 (idle simulated time): wall time",
      get("sim --rate 1e-7 --requests 100 wall"),
      "s",
      "max",
      1,
    ),
    check(
      "two BurstGPT rows a day apart: size of the --out folder",
      get("two BurstGPT rows a day apart --out size"),
      "MB",
      "max",
      1,
    ),
  ];
}

// ---- rendering --------------------------------------------------------------------

function num(x: number): string {
  if (!Number.isFinite(x)) return "-";
  const a = Math.abs(x);
  return a >= 100 ? fixed(x, 0) : a >= 10 ? fixed(x, 1) : fixed(x, 2);
}

function mdTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** `summary.md`: checks, targets (baseline vs optimized) and every figure. */
export function summaryMarkdown(s: BenchSummary, targets: readonly TargetResult[]): string {
  const out: string[] = [
    `# pdrouter bench · ${s.startedUtc}`,
    "",
    `Profile \`${s.profile}\`, ${num(s.durationS)} s; ${s.runtime}` +
    (s.cpu ? `; CPU ${s.cpu}` : "") + `. Command: \`${["deno task bench", ...s.args].join(" ")}\`.`,
    "",
    "## Acceptance checks",
    "",
    mdTable(
      ["check", "measured", "bound", "status"],
      s.checks.map((c) => [
        c.name,
        `${num(c.value)} ${c.unit}`,
        `${c.kind === "max" ? "≤" : "≥"} ${c.limit} ${c.unit}`,
        c.status,
      ]),
    ),
    "",
    "## Stages",
    "",
    mdTable(
      ["stage", "status", "wall s", "output"],
      s.stages.map((st) => [st.name, st.status, num(st.wallS), st.file || "-"]),
    ),
  ];
  if (targets.length > 0) {
    out.push(
      "",
      "## Targets: baseline vs optimized",
      "",
      "TTFT and TPOT in ms (simulated); goodput in requests/s; speed in simulated requests " +
        "per wall second.",
      "",
      mdTable(
        [
          "target",
          "policy",
          "TTFT p50",
          "TTFT p90",
          "TTFT p99",
          "TTFT std",
          "TPOT mean",
          "TPOT p99",
          "SLO ok",
          "goodput",
          "speed",
        ],
        targets.flatMap((t) =>
          t.policies.map((p) => [
            t.target + (t.extraArgs.length ? ` \`${t.extraArgs.join(" ")}\`` : ""),
            p.summary.policy,
            num(p.summary.ttftMs.p50),
            num(p.summary.ttftMs.p90),
            num(p.summary.ttftMs.p99),
            num(p.summary.ttftMs.std),
            num(p.summary.tpotMs.mean),
            num(p.summary.tpotMs.p99),
            `${fixed(p.summary.sloAttainment * 100, 1)}%`,
            num(p.summary.goodputRps),
            fixed(p.requestsPerWallS, 0),
          ])
        ),
      ),
    );
  }
  out.push(
    "",
    "## All figures",
    "",
    mdTable(
      ["figure", "value", "unit", "better"],
      s.figures.map((f) => [f.name, num(f.value), f.unit, f.better]),
    ),
    "",
  );
  return out.join("\n");
}

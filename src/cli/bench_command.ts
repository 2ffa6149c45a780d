/**
 * `deno task bench`: the benchmark harness, shaped like the original lab's
 * (`list-targets`, `run --targets … --profile …`, `--target-extra-arg`), plus
 * `compare`.
 *
 * `run` (the default) writes `artifacts/bench/<UTC timestamp>/` with:
 *
 * | file | what |
 * | --- | --- |
 * | `deno-bench.json` | raw `deno bench --json` output of `benches/policy_bench.ts` and `benches/sim_bench.ts` |
 * | `hot-path.json` | median ns per routing decision (`benches/hot_path.ts`) |
 * | `alloc.json` | heap growth over 10^6 decisions per policy (`benches/alloc_check.ts`) |
 * | `scale.json` | 10^6 requests on 1024 GPUs: wall time, peak RSS (`benches/scale_check.ts`) |
 * | `idle.json` | what idle simulated time costs: a sparse run's wall time, a two-row export's size (`benches/idle_check.ts`) |
 * | `targets/<workload>.json` | baseline vs optimized simulation results, TTFT/TPOT distributions |
 * | `summary.json`, `summary.md` | every figure, the acceptance checks, the targets table |
 *
 * The suites run as child processes of `Deno.execPath()`, so their timings and
 * memory are their own; the targets run in this process.
 *
 * @module
 */

import { Command, Option } from "npm:commander@15.1.0";
import { UsageError } from "../core/errors.ts";
import {
  acceptanceChecks,
  type AllocReport,
  type BenchSummary,
  type Check,
  type Figure,
  figuresFromAlloc,
  figuresFromDenoBench,
  figuresFromHotPath,
  figuresFromIdle,
  figuresFromScale,
  figuresFromTarget,
  type HotPathReport,
  type IdleReport,
  type ScaleReport,
  summaryMarkdown,
} from "./bench_report.ts";
import { compareSummaries } from "./bench_compare.ts";
import {
  parseExtraArgs,
  resolveTargets,
  runTarget,
  TARGET_CHAPTER,
  targetConfig,
  targetNames,
  type TargetResult,
  targetWorkload,
} from "./bench_targets.ts";
import { nameList, oneOf, positiveInt } from "./flags/values.ts";
import { progressEnabled, runCommand, writeText } from "./run_command.ts";
import { outputDirProblem, userPath } from "./user_path.ts";

/** Stages of `run`, in order. */
export const STAGES = ["deno-bench", "hot-path", "alloc", "scale", "idle", "targets"] as const;
/** One of {@linkcode STAGES}. */
export type Stage = typeof STAGES[number];

const PROFILE_NAMES = ["minimal", "full"] as const;
/** Requests per target, by profile (`--requests` overrides). */
const TARGET_REQUESTS: Record<(typeof PROFILE_NAMES)[number], number> = {
  minimal: 3000,
  full: 20_000,
};
// Keep in step with benches/_profile.ts and benches/alloc_check.ts (benches/ is not
// imported from src/).
const PROFILE_ENV = "PDROUTER_BENCH_PROFILE";
const ALLOC_V8_FLAGS = "--expose-gc,--min-semi-space-size=64,--max-semi-space-size=64";

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function stageList(value: string): Stage[] {
  const names = nameList(value);
  for (const n of names) oneOf(STAGES)(n);
  return names as Stage[];
}

/** What a subcommand handler gets. */
type Selected = { name: string; opts: Record<string, unknown>; args: string[] };

/** The `bench` command and its subcommands; `select` records which one ran. */
export function buildBenchCommand(select: (s: Selected) => void = () => {}): Command {
  const root = new Command("bench")
    .description(
      "Benchmarks: routing hot path, simulator throughput, allocation and scale checks, and " +
        "per-workload targets (baseline round-robin vs optimized telemetry), recorded as " +
        "artifacts under artifacts/bench/<UTC timestamp>/.",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => writeText(Deno.stdout, s), writeErr: () => {} })
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  deno task bench                                   # run, minimal profile\n" +
        "  deno task bench list-targets\n" +
        "  deno task bench run --targets dynamic_router:seed-lab --profile full\n" +
        "  deno task bench run --targets dynamic_router:seed-lab --target-extra-arg \\\n" +
        '      dynamic_router:seed-lab="--migration-budget 8"\n' +
        "  deno task bench compare artifacts/bench/A artifacts/bench/B",
    );
  root.command("run", { isDefault: true })
    .description(
      "Run the suites and targets and write an artifact folder (the default command).\n" +
        "Profile minimal: about 70 s on a shared 2-core machine; full: about 2 min\n" +
        "(profiles: docs/benchmarks.md).",
    )
    .option(
      "--targets <list>",
      `comma-separated targets (default: all; '${TARGET_CHAPTER}' means all too)`,
      nameList,
    )
    .addOption(
      new Option("--profile <name>", "how much to measure").choices(PROFILE_NAMES).default(
        "minimal",
      ),
    )
    .option(
      "--target-extra-arg <target=flags>",
      `extra \`deno task sim\` flags for one target, e.g. ` +
        `${TARGET_CHAPTER}:seed-lab="--migration-budget 8" (repeatable)`,
      collect,
      [] as string[],
    )
    .option(
      "--requests <n>",
      "requests per target (default: 3000 minimal, 20000 full)",
      positiveInt,
    )
    .option("--skip <stages>", `stages to skip, comma-separated (${STAGES.join(", ")})`, stageList)
    .option("--out <dir>", "parent folder of the artifact folder (default: artifacts/bench)")
    .action((opts, cmd: Command) => select({ name: "run", opts, args: cmd.args }));
  root.command("list-targets")
    .description(`List the benchmark targets (${TARGET_CHAPTER}:<workload>).`)
    .action(() => select({ name: "list-targets", opts: {}, args: [] }));
  root.command("compare")
    .description(
      "Compare two artifact folders (or their summary.json): every shared figure, B ÷ A.",
    )
    .argument("<artifactA>", "baseline run")
    .argument("<artifactB>", "run to compare")
    .action((a: string, b: string) => select({ name: "compare", opts: {}, args: [a, b] }));
  return root;
}

/** What `bench run` may be given besides its flags (for tests). */
export interface BenchHooks {
  /** Evaluates the acceptance checks on a run's figures. Default: `acceptanceChecks`. */
  readonly checks?: (figures: readonly Figure[]) => Check[];
}

/**
 * Runs `deno task bench` with `args`; returns the exit code: 1 when an acceptance check
 * of `run` failed (the failing checks are the last lines printed), 2 on bad usage.
 */
export function runBenchCommand(args: readonly string[], hooks: BenchHooks = {}): Promise<number> {
  let selected: Selected | undefined;
  return runCommand(() => buildBenchCommand((s) => (selected = s)), async () => {
    if (!selected) return;
    if (selected.name === "list-targets") {
      writeText(Deno.stdout, targetNames().join("\n") + "\n");
    } else if (selected.name === "compare") {
      const [a, b] = selected.args.map((p) => readSummary(userPath(p)));
      writeText(Deno.stdout, compareSummaries(a, b));
    } else {
      const { dir, summary } = await runBench(selected.opts, [...args], hooks);
      writeText(Deno.stdout, `${Deno.readTextFileSync(`${dir}/summary.md`)}\nArtifacts: ${dir}\n`);
      const failed = summary.checks.filter((c) => c.status === "fail");
      if (failed.length > 0) {
        writeText(Deno.stderr, failedChecksText(failed, summary.checks.length));
        return 1;
      }
    }
  }, args);
}

/** The closing lines of a run with failed checks. */
export function failedChecksText(failed: readonly Check[], total: number): string {
  const lines = failed.map((c) =>
    `  ${c.name}: ${Number(c.value.toPrecision(4))} ${c.unit}, bound ` +
    `${c.kind === "max" ? "≤" : "≥"} ${c.limit} ${c.unit}`
  );
  return `FAILED: ${failed.length} of ${total} acceptance checks\n${lines.join("\n")}\n`;
}

function readSummary(path: string): BenchSummary {
  let file = path;
  try {
    if (Deno.statSync(path).isDirectory) file = `${path.replace(/\/$/, "")}/summary.json`;
  } catch {
    throw new UsageError("", `Cannot read artifact '${path}': no such file or folder`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Deno.readTextFileSync(file));
  } catch (e) {
    throw new UsageError("", `Cannot read '${file}': ${(e as Error).message}`);
  }
  if ((parsed as BenchSummary)?.schema !== "pdrouter-bench/1") {
    throw new UsageError("", `'${file}' is not a pdrouter bench summary.json`);
  }
  return parsed as BenchSummary;
}

/** A fresh `artifacts/bench/<UTC timestamp>` folder name under `parent`. */
export function artifactDir(parent: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-");
  let dir = `${parent.replace(/\/$/, "")}/${stamp}`;
  for (let i = 2; exists(dir); i++) dir = `${parent.replace(/\/$/, "")}/${stamp}-${i}`;
  return dir;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const ROOT = new URL("../../", import.meta.url);
function benchPath(file: string): string {
  return new URL(`benches/${file}`, ROOT).pathname;
}

/** Runs `deno <args>`; returns stdout, or throws with the tail of stderr. */
async function deno(args: string[], env: Record<string, string> = {}): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT.pathname,
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join(" / ");
    throw new Error(`deno ${args.slice(0, 2).join(" ")} … exited with ${out.code}: ${err}`);
  }
  return stdout;
}

/**
 * The `run` subcommand: every stage not skipped, then `summary.json` and
 * `summary.md`. Returns the artifact folder and the summary.
 */
async function runBench(
  opts: Record<string, unknown>,
  argv: string[],
  hooks: BenchHooks,
): Promise<{ dir: string; summary: BenchSummary }> {
  const profile = opts.profile as (typeof PROFILE_NAMES)[number];
  const targets = resolveTargets((opts.targets as string[] | undefined) ?? [TARGET_CHAPTER]);
  const extra = parseExtraArgs((opts.targetExtraArg as string[] | undefined) ?? []);
  for (const t of extra.keys()) {
    if (!targets.includes(t)) {
      throw new UsageError("--target-extra-arg", `target '${t}' is not among --targets`);
    }
  }
  const parent = opts.out === undefined
    ? new URL("artifacts/bench", ROOT).pathname // the repository's; a user's path is theirs
    : userPath(String(opts.out));
  const problem = outputDirProblem(parent);
  if (problem) throw new UsageError("--out", problem);
  const requests = (opts.requests as number | undefined) ?? TARGET_REQUESTS[profile];
  // Validate every target's flags before spending minutes on the suites.
  const configs = targets.map((t) => targetConfig(t, requests, extra.get(t) ?? []));
  const skip = new Set((opts.skip as Stage[] | undefined) ?? []);

  const started = new Date();
  const t0 = performance.now();
  const dir = artifactDir(parent, started);
  Deno.mkdirSync(dir, { recursive: true });
  const progress = progressEnabled();
  const say = (s: string) => progress && writeText(Deno.stderr, `\r\x1b[K${s}`);

  const figures: Figure[] = [];
  const stages: BenchSummary["stages"] = [];
  let cpu = "";
  const todo = STAGES.filter((s) => !skip.has(s));
  const stage = async (name: Stage, file: string, body: () => Promise<void>) => {
    if (skip.has(name)) {
      stages.push({ name, status: "skipped", wallS: 0, file: "" });
      return;
    }
    say(`[${todo.indexOf(name) + 1}/${todo.length}] ${name} …`);
    const s0 = performance.now();
    let status = "ok";
    try {
      await body();
    } catch (e) {
      status = `failed: ${(e as Error).message}`;
    }
    stages.push({ name, status, wallS: (performance.now() - s0) / 1000, file });
  };
  const childEnv = { [PROFILE_ENV]: profile };
  const read = "--allow-read";
  const env = `--allow-env=${PROFILE_ENV}`;

  await stage("deno-bench", "deno-bench.json", async () => {
    const raw = await deno(
      ["bench", "--json", read, env, benchPath("policy_bench.ts"), benchPath("sim_bench.ts")],
      childEnv,
    );
    Deno.writeTextFileSync(`${dir}/deno-bench.json`, raw);
    const report = JSON.parse(raw);
    cpu = String(report.cpu ?? "");
    figures.push(...figuresFromDenoBench(report));
  });
  await stage("hot-path", "hot-path.json", async () => {
    const raw = await deno([
      "run",
      read,
      env,
      benchPath("hot_path.ts"),
      "--profile",
      profile,
      "--json",
    ]);
    Deno.writeTextFileSync(`${dir}/hot-path.json`, raw);
    figures.push(...figuresFromHotPath(JSON.parse(raw) as HotPathReport));
  });
  await stage("alloc", "alloc.json", async () => {
    const raw = await deno([
      "run",
      read,
      env,
      `--v8-flags=${ALLOC_V8_FLAGS}`,
      benchPath("alloc_check.ts"),
      "--json",
    ]);
    Deno.writeTextFileSync(`${dir}/alloc.json`, raw);
    figures.push(...figuresFromAlloc(JSON.parse(raw) as AllocReport));
  });
  await stage("scale", "scale.json", async () => {
    const raw = await deno(["run", read, env, benchPath("scale_check.ts"), "--json"]);
    Deno.writeTextFileSync(`${dir}/scale.json`, raw);
    figures.push(...figuresFromScale(JSON.parse(raw) as ScaleReport));
  });
  await stage("idle", "idle.json", async () => {
    const raw = await deno([
      "run",
      read,
      "--allow-write",
      "--allow-run",
      "--allow-env",
      benchPath("idle_check.ts"),
      "--json",
    ]);
    Deno.writeTextFileSync(`${dir}/idle.json`, raw);
    figures.push(...figuresFromIdle(JSON.parse(raw) as IdleReport));
  });
  const results: TargetResult[] = [];
  const targetFiles: BenchSummary["targets"] = [];
  await stage("targets", "targets/", async () => {
    Deno.mkdirSync(`${dir}/targets`, { recursive: true });
    for (let i = 0; i < targets.length; i++) {
      say(`[${todo.indexOf("targets") + 1}/${todo.length}] targets: ${targets[i]} …`);
      const r = await runTarget(targets[i], configs[i], extra.get(targets[i]) ?? []);
      const file = `targets/${targetWorkload(targets[i])}.json`;
      Deno.writeTextFileSync(`${dir}/${file}`, JSON.stringify(r, null, 2) + "\n");
      results.push(r);
      targetFiles.push({ target: targets[i], file });
      figures.push(...figuresFromTarget(r));
    }
  });
  say("");

  const summary: BenchSummary = {
    schema: "pdrouter-bench/1",
    startedUtc: started.toISOString(),
    durationS: (performance.now() - t0) / 1000,
    profile,
    args: argv,
    runtime: `Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`,
    cpu,
    stages,
    figures,
    checks: (hooks.checks ?? acceptanceChecks)(figures),
    targets: targetFiles,
  };
  Deno.writeTextFileSync(`${dir}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
  Deno.writeTextFileSync(`${dir}/summary.md`, summaryMarkdown(summary, results));
  const failed = stages.filter((s) => s.status.startsWith("failed"));
  if (failed.length > 0) {
    throw new Error(
      `${failed.map((s) => `${s.name} ${s.status}`).join("; ")} (partial artifacts in ${dir})`,
    );
  }
  return { dir, summary };
}

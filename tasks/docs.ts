/**
 * `deno task docs`: rewrites the generated blocks of `README.md` and `docs/*.md`, so that
 * no table, figure or flag list in the docs is typed by hand.
 *
 * A block sits between an opening marker and `<!-- docs:end -->`:
 *
 * - `<!-- docs:run deno task sim --help -->`: the command's stdout in a `text` fence,
 *   after a `$ command` line;
 * - `<!-- docs:md deno task compare -->`: the command's stdout as markdown;
 * - `<!-- docs:gen NAME -->`: a markdown table built here (`policy-config`,
 *   `model-presets`, `calibration`, `export-schema`, `bench-checks`, `bench-profiles`,
 *   `emulator-capacity`).
 *
 * Commands are `deno task` commands, run from the repository root with `NO_COLOR=1`;
 * the page is then formatted by `deno fmt`. With `--check` nothing is written and the
 * exit code is 1 when a block is stale; `--only TEXT` picks the blocks whose command
 * contains TEXT.
 *
 * ```sh
 * deno task docs                 # rewrite every block
 * deno task docs --check         # what `deno task test` runs
 * deno task docs --only --help   # only the flag references
 * ```
 *
 * @module
 */

import { policyEntries } from "../src/policy/registry.ts";
import { kvCapacityTokens } from "../src/model/model.ts";
import { calibrationError, staticBatchRows, transferRows } from "../src/model/calibration.ts";
import { createExecutionModel } from "../src/model/execution_model.ts";
import { modelPreset, modelPresets } from "../src/model/presets.ts";
import { burstRows } from "../src/sim/calibration.ts";
import { acceptanceChecks } from "../src/cli/bench_report.ts";
import { benchProfile, PROFILES } from "../benches/_profile.ts";
import { type CapacityReport, capacityTable } from "../benches/emulator_capacity.ts";

/** Where `deno task bench:emulator --out` writes the curve `docs/emulator.md` shows. */
const CAPACITY_REPORT = "docs/data/emulator-capacity.json";

/** The repository root: where pages are read and commands run (`--root` changes it). */
let root = new URL("../", import.meta.url);

/** The closing marker of every block. */
export const END_MARKER = "<!-- docs:end -->";

const OPEN = /^<!-- docs:(run|md|gen) (.+?) -->$/;
// Plain words only: no quotes, no shell syntax; the command is split on spaces.
const SAFE_COMMAND = /^deno task [\w:.-]+( [\w./:=,@+-]+)*$/;

/** One generated block of a page. */
export interface Block {
  /** How the output is shown: a text fence, markdown, or a built-in generator. */
  readonly kind: "run" | "md" | "gen";
  /** The command (`run`, `md`) or the generator's name (`gen`). */
  readonly command: string;
  /** The lines between the markers, joined, without the blank lines next to them. */
  readonly content: string;
}

/**
 * The generated blocks of a page, in order.
 *
 * @example
 * ```ts
 * import { findBlocks } from "./docs.ts";
 * const page = "# x\n\n<!-- docs:run deno task sim --help -->\n\nold\n\n<!-- docs:end -->\n";
 * const [b] = findBlocks(page);
 * if (b.kind !== "run" || b.command !== "deno task sim --help" || b.content !== "old") {
 *   throw new Error(JSON.stringify(b));
 * }
 * ```
 * @throws {SyntaxError} On a block without its end marker, a nested block, or a command
 * that is not a plain `deno task` command.
 */
export function findBlocks(page: string): Block[] {
  const lines = page.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = OPEN.exec(lines[i]);
    if (!m) {
      if (lines[i] === END_MARKER) {
        throw new SyntaxError(`Cannot read docs blocks: line ${i + 1} ends no block`);
      }
      continue;
    }
    const kind = m[1] as Block["kind"], command = m[2];
    if (kind !== "gen" && !SAFE_COMMAND.test(command)) {
      throw new SyntaxError(
        `Cannot read docs blocks: line ${i + 1} must name a plain 'deno task' command, ` +
          `got '${command}'`,
      );
    }
    let j = i + 1;
    while (j < lines.length && lines[j] !== END_MARKER) {
      if (OPEN.test(lines[j])) {
        throw new SyntaxError(`Cannot read docs blocks: line ${j + 1} opens a nested block`);
      }
      j++;
    }
    if (j === lines.length) {
      throw new SyntaxError(`Cannot read docs blocks: the block of line ${i + 1} has no end`);
    }
    blocks.push({ kind, command, content: lines.slice(i + 1, j).join("\n").trim() });
    i = j;
  }
  return blocks;
}

/**
 * `page` with the content of every block replaced by `render(block)` (`undefined`:
 * kept), one blank line after the opening marker and before the end marker.
 *
 * @example
 * ```ts
 * import { replaceBlocks } from "./docs.ts";
 * const page = "<!-- docs:md deno task compare -->\nold\n<!-- docs:end -->\n";
 * const out = replaceBlocks(page, () => "| a |");
 * if (out !== "<!-- docs:md deno task compare -->\n\n| a |\n\n<!-- docs:end -->\n") {
 *   throw new Error(out);
 * }
 * ```
 */
export function replaceBlocks(page: string, render: (b: Block) => string | undefined): string {
  const lines = page.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = OPEN.exec(lines[i]);
    out.push(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (lines[j] !== END_MARKER) j++;
    const old = lines.slice(i + 1, j).join("\n").trim();
    const text = render({ kind: m[1] as Block["kind"], command: m[2], content: old });
    out.push("", text ?? old, "", END_MARKER);
    i = j;
  }
  return out.join("\n");
}

/** Runs a `deno task` command from the repository root; its stdout. */
async function runDenoTask(command: string): Promise<string> {
  const args = command.split(" ").slice(2); // after "deno task"
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: root.pathname,
    // Paths in the commands are the repository's (a task resolves user paths against
    // INIT_CWD, which a `deno task docs` run from elsewhere would pass on).
    env: { NO_COLOR: "1", INIT_CWD: root.pathname },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (out.code !== 0) {
    throw new Error(
      `Cannot run '${command}': exit code ${out.code}\n${dec.decode(out.stderr).trimEnd()}`,
    );
  }
  return dec.decode(out.stdout).trimEnd();
}

// ---- built-in generators ------------------------------------------------------------

function cell(text: string): string {
  return text.replaceAll("|", "\\|");
}

function code(text: string): string {
  return "`" + text + "`";
}

function mdTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Every built-in policy's `--set` fields: default, allowed values, meaning. */
function policyConfigTables(): string {
  const parts: string[] = [];
  for (const e of policyEntries()) {
    parts.push(`**${code(e.name)}**: ${e.description}.`);
    const fields = Object.entries(e.spec);
    if (fields.length === 0) {
      parts.push("No configuration fields.");
      continue;
    }
    parts.push(mdTable(
      ["field", "default", "allowed", "meaning"],
      fields.map(([name, f]) => {
        let allowed: string;
        if ("oneOf" in f) allowed = f.oneOf.map(code).join(", ");
        else {
          const lo = f.min ?? -Infinity, hi = f.max ?? Infinity;
          allowed = (f.integer ? "integer " : "") +
            (hi === Infinity ? (lo === -Infinity ? "any" : `≥ ${lo}`) : `${lo} … ${hi}`);
        }
        return [code(name), code(String(f.default)), allowed, f.doc];
      }),
    ));
  }
  return parts.join("\n\n");
}

function si(x: number, unit: string): string {
  const prefixes: [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
  for (const [f, p] of prefixes) if (x >= f) return `${Number((x / f).toPrecision(4))} ${p}${unit}`;
  return `${x} ${unit}`;
}

/** The timing constants of every model preset, one column per preset. */
function modelPresetTable(): string {
  const ps = modelPresets();
  const row = (name: string, f: (p: (typeof ps)[number]) => string) => [name, ...ps.map(f)];
  return mdTable(["constant", ...ps.map((p) => code(p.name))], [
    row("GPU", (p) => p.gpu.name),
    row("peak dense bf16", (p) => si(p.gpu.peakFlopsPerS, "FLOP/s")),
    row("HBM bandwidth", (p) => si(p.gpu.hbmBytesPerS, "B/s")),
    row("HBM capacity", (p) => `${p.gpu.memoryBytes / 2 ** 30} GiB`),
    row("layers × hidden size", (p) => `${p.layers} × ${p.hiddenSize}`),
    row("KV bytes per token", (p) => String(p.kvBytesPerToken)),
    row("weights", (p) => si(p.weightsBytes, "B")),
    row("`--gpu-memory-utilization`", (p) => String(p.gpuMemoryUtilization)),
    row("activation reserve", (p) => si(p.activationReserveBytes, "B")),
    row("KV capacity per worker", (p) => `${kvCapacityTokens(p)} tokens`),
    row("`max_num_batched_tokens`", (p) => String(p.maxBatchedTokens)),
    row("`max_num_seqs`", (p) => String(p.maxNumSeqs)),
    row(
      "dense step table (tokens → ms)",
      (p) => p.denseTokens.map((t, i) => `${t} → ${round(p.denseMs[i])}`).join(", "),
    ),
    row("GPUs per worker (tensor parallel)", (p) => String(p.tensorParallel)),
    row("LM head per step", (p) => `${round(p.lmHeadMs)} ms`),
    row(
      "CPU overhead per step",
      (p) => `${p.stepOverheadMs} ms + ${p.seqOverheadMs} ms per running sequence`,
    ),
    row("prefill attention, fraction of peak", (p) => String(p.attentionMfu)),
    row("decode KV reads, fraction of HBM bandwidth", (p) => String(p.hbmEfficiency)),
    row(
      "all-reduce (2 per layer when TP > 1)",
      (p) => `${p.allReduce.latencyMs} ms + bytes ÷ ${si(p.allReduce.bytesPerS, "B/s")}`,
    ),
    row(
      "front end per request",
      (p) => `${round(p.frontEnd.requestMs)} ms + ${p.frontEnd.perTokenMs} ms per prompt token`,
    ),
    row("P/D link", (p) => {
      const l = p.link;
      return `${l.setupMs + l.notifyMs} ms + ${round(l.perBlockMs * 1000)} µs per ` +
        `${l.blockTokens}-token block per layer + bytes ÷ ${si(l.bytesPerS, "B/s")}`;
    }),
  ]);
}

/** `x` to 4 significant digits. */
function round(x: number): number {
  return Number(x.toPrecision(4));
}

/** Every recorded measurement beside the model (the calibration tests' rows). */
async function calibrationTable(): Promise<string> {
  const dir = new URL("src/model/testdata/calibration/", root);
  const load = async (f: string) => JSON.parse(await Deno.readTextFile(new URL(f, dir)));
  const modelFor = (name: string) => createExecutionModel(modelPreset(name));
  const rows = [
    ...staticBatchRows(await load("argonne_vllm_static_batches.json"), modelFor),
    ...await burstRows(await load("lambda_vllm_sharegpt_burst.json")),
    ...transferRows(await load("vllm_nixl_transfers.json"), modelPreset("llama3-8b-h100").link),
  ];
  return mdTable(
    ["source", "measurement", "measured", "model", "error"],
    rows.map((r) => [
      code(r.source),
      r.what,
      `${round(r.measured)} ${r.unit}`,
      `${round(r.model)} ${r.unit}`,
      `${(calibrationError(r) * 100).toFixed(1)}%`,
    ]),
  );
}

/** File names, CSV columns and JSON keys of a real `sim --out` export. */
async function exportSchemaTable(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "pdrouter-docs-" });
  try {
    await runDenoTask(`deno task sim --requests 40 --out ${dir}`);
    const rows: string[][] = [];
    const header = async (f: string) =>
      (await Deno.readTextFile(`${dir}/${f}`)).split("\n")[0].split(",").map(code).join(", ");
    for (const f of ["requests.csv", "timeseries.csv", "migrations.csv"]) {
      rows.push([code(f), "columns: " + await header(f)]);
    }
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
    const keys = (o: Record<string, unknown>) => Object.keys(o).map(code).join(", ");
    const result = summary.results[0];
    rows.push([code("summary.json"), "keys: " + keys(summary)]);
    rows.push([code("summary.json") + " " + code("config"), "keys: " + keys(summary.config)]);
    rows.push([code("summary.json") + " " + code("results[]"), "keys: " + keys(result)]);
    rows.push([
      `${code("ttftMs")}, ${code("tpotMs")}, ${code("e2eMs")} of a result`,
      "keys: " + keys(result.ttftMs),
    ]);
    rows.push([code("summary.json") + " " + code("versions"), "keys: " + keys(summary.versions)]);
    const plots = [];
    for await (const e of Deno.readDir(`${dir}/plots`)) plots.push(e.name);
    rows.push([code("plots/"), plots.sort().map(code).join(", ")]);
    rows.push([code("report.html"), "one self-contained page"]);
    return mdTable(["file", "contents"], rows);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The acceptance checks `deno task bench` evaluates, with their bounds. */
function benchChecksTable(): string {
  return mdTable(
    ["check", "bound"],
    acceptanceChecks([]).map((
      c,
    ) => [c.name, `${c.kind === "max" ? "≤" : "≥"} ${c.limit} ${c.unit}`]),
  );
}

/** What each `deno task bench` profile measures. */
function benchProfilesTable(): string {
  const ps = PROFILES.map(benchProfile);
  const row = (name: string, f: (p: (typeof ps)[number]) => string) => [name, ...ps.map(f)];
  const n = (x: number) => (x === 0 ? "skipped" : x.toLocaleString("en-US"));
  return mdTable(["", ...ps.map((p) => code(p.name))], [
    row("policy benches: fleet sizes", (p) => p.fleets.join(", ")),
    row("policy benches: prompt KV blocks", (p) => p.promptBlocks.join(", ")),
    row("seed-lab throughput (2 + 2): requests per run", (p) => n(p.smallRequests)),
    row("16 + 16 throughput: requests per run", (p) => n(p.mediumRequests)),
    row("128 + 128 throughput: requests per run", (p) => n(p.largeRequests)),
    row("per-workload benches (4 + 4): requests per run", (p) => n(p.workloadRequests)),
    row("measured iterations per simulation bench", (p) => String(p.simIterations)),
  ]);
}

/** The emulator's capacity curve, from the report `deno task bench:emulator --out` wrote. */
async function emulatorCapacity(): Promise<string> {
  const file = new URL(CAPACITY_REPORT, root);
  let report: CapacityReport;
  try {
    report = JSON.parse(await Deno.readTextFile(file));
  } catch {
    return `Not measured yet: run \`deno task bench:emulator --out ${CAPACITY_REPORT}\`, then ` +
      "`deno task docs`.";
  }
  const m = report.machine;
  const lines = Object.entries(report.capacity).map(([s, n]) =>
    `- time scale ${s}: **${n}** concurrent streams with token-timing error p99 < ` +
    `${report.p99BoundMs} ms; **${report.workCapacity?.[s] ?? "?"}** by the emulator's own ` +
    "work alone (from waking to writing)"
  );
  return `Measured ${report.date} by \`${report.command}\` on this project's ${m.cores}-core ` +
    `machine (load average ${m.loadavg.join(", ")} at the start; other jobs share it), Deno ` +
    `${m.deno}; the report is \`${CAPACITY_REPORT}\`.\n\n${capacityTable(report)}\n\n` +
    [...lines, ...(report.skipped ?? []).map((x) => `- ${x}`)].join("\n");
}

const GENERATORS: Readonly<Record<string, () => string | Promise<string>>> = {
  "emulator-capacity": emulatorCapacity,
  "policy-config": policyConfigTables,
  "model-presets": modelPresetTable,
  "calibration": calibrationTable,
  "export-schema": exportSchemaTable,
  "bench-checks": benchChecksTable,
  "bench-profiles": benchProfilesTable,
};

/** The new content of block `b`. */
async function produce(b: Block): Promise<string> {
  if (b.kind === "gen") {
    const gen = GENERATORS[b.command];
    if (!gen) {
      throw new SyntaxError(
        `Cannot generate '${b.command}': known generators are ${Object.keys(GENERATORS)}`,
      );
    }
    return await gen();
  }
  const out = await runDenoTask(b.command);
  return b.kind === "md" ? out : "```text\n$ " + b.command + "\n" + out + "\n```";
}

/** `text` as `deno fmt` formats markdown under the repository's configuration. */
async function fmtMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    cwd: root.pathname,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

/** Runs `jobs` with at most `limit` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

async function pages(): Promise<string[]> {
  const files = ["README.md"];
  for await (const e of Deno.readDir(new URL("docs/", root))) {
    if (e.isFile && e.name.endsWith(".md")) files.push(`docs/${e.name}`);
  }
  return files.sort();
}

async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(
      "Usage: docs [--check] [--only TEXT] [--root DIR]\n\n" +
        "Rewrite the generated blocks of README.md and docs/*.md: the output of the\n" +
        "command named in each 'docs:run', 'docs:md' or 'docs:gen' marker comment.\n\n" +
        "Options:\n" +
        "  --check      write nothing; exit 1 naming each stale block\n" +
        "  --only TEXT  only the blocks whose command contains TEXT\n" +
        "  --root DIR   the repository root (default: the one holding this script)",
    );
    return 0;
  }
  const check = args.includes("--check");
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] ?? "" : undefined;
  };
  const only = value("--only"), dir = value("--root");
  const known = new Set(["--check", "--only", "--root", only, dir]);
  const bad = args.find((a) => !known.has(a)) ?? (only === "" ? "--only" : undefined) ??
    (dir === "" ? "--root" : undefined);
  if (bad !== undefined) {
    console.error(`error: unknown or incomplete argument '${bad}' (see --help)`);
    return 2;
  }
  if (dir !== undefined) root = new URL(`file://${Deno.realPathSync(dir)}/`);
  const files = await pages();
  const texts = new Map<string, string>();
  const wanted = new Map<string, Block>();
  for (const f of files) {
    const text = await Deno.readTextFile(new URL(f, root));
    texts.set(f, text);
    for (const b of findBlocks(text)) {
      if (only === undefined || b.command.includes(only)) wanted.set(`${b.kind} ${b.command}`, b);
    }
  }
  const keys = [...wanted.keys()];
  const progress = Deno.stderr.isTerminal();
  let done = 0;
  const outputs = await pool(
    keys.map((k) => async () => {
      const text = await produce(wanted.get(k)!);
      if (progress) await Deno.stderr.write(new TextEncoder().encode(`\r${++done}/${keys.length}`));
      return text;
    }),
    Math.max(1, navigator.hardwareConcurrency),
  );
  if (progress) await Deno.stderr.write(new TextEncoder().encode("\r\x1b[K"));
  const byKey = new Map(keys.map((k, i) => [k, outputs[i]]));
  let stale = 0;
  for (const f of files) {
    const text = texts.get(f)!;
    const next = await fmtMarkdown(replaceBlocks(text, (b) => byKey.get(`${b.kind} ${b.command}`)));
    if (next === text) continue;
    if (!check) {
      await Deno.writeTextFile(new URL(f, root), next);
      console.log(`rewrote ${f}`);
      continue;
    }
    const before = findBlocks(text), after = findBlocks(next);
    after.forEach((b, i) => {
      if (b.content !== before[i]?.content) {
        stale++;
        console.error(`${f}: the block of '${b.command}' is stale`);
      }
    });
    if (after.every((b, i) => b.content === before[i]?.content)) {
      stale++;
      console.error(`${f}: not formatted as 'deno fmt' formats it`);
    }
  }
  if (stale > 0) {
    console.error("run 'deno task docs' to rewrite them");
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));

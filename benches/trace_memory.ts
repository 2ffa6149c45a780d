/**
 * `deno task bench:trace-memory`: generates a 1,000,000-request Mooncake-format trace
 * (gzip) and replays it through the simulator (round-robin and telemetry, as
 * `deno task sim --trace` does), reporting the replay's peak resident memory.
 *
 * The replay runs in a child process so that the figure is the replay's alone: the
 * child reports the kernel's high-water mark (`VmHWM` in /proc/self/status, Linux) and
 * the largest `Deno.memoryUsage().rss` sampled at every batch of requests. The target
 * is under 300 MiB; the exit code is 1 when the peak is over it.
 *
 * Flags: `--requests N` (default 1000000), `--rate R` (req/s, default 10),
 * `--keep PATH` (write the trace there and keep it), `--budget-mib M` (default 300).
 *
 * @module
 */

import { Command, Option } from "npm:commander@15.1.0";
import { positiveInt, positiveNumber } from "../src/cli/flags/values.ts";
import { runCommand } from "../src/cli/run_command.ts";
import { outputFileProblem, userPath } from "../src/cli/user_path.ts";
import { UsageError } from "../src/core/errors.ts";
import type { InferenceRequest, RequestSource } from "../src/core/types.ts";
import { comparePolicies, DEFAULT_SCENARIO } from "../src/sim/compare.ts";
import { generateMooncakeLines, TRACE_GEN_DEFAULTS } from "../src/workload/trace_gen.ts";
import { TraceSource } from "../src/workload/trace_reader.ts";
import { writeLines } from "../src/workload/trace_writer.ts";

const MIB = 1024 * 1024;

async function vmHwmBytes(): Promise<number> {
  try {
    const status = await Deno.readTextFile("/proc/self/status");
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Wraps a source, counts its requests and samples the resident set size at every batch. */
class SampledSource implements RequestSource {
  readonly name: string;
  readonly blockTokens: number;
  peakRss = 0;
  requests = 0;
  readonly #inner: RequestSource;
  constructor(inner: RequestSource) {
    this.#inner = inner;
    this.name = inner.name;
    this.blockTokens = inner.blockTokens;
  }
  async next(): Promise<readonly InferenceRequest[]> {
    const rss = Deno.memoryUsage().rss;
    if (rss > this.peakRss) this.peakRss = rss;
    const batch = await this.#inner.next();
    this.requests += batch.length;
    return batch;
  }
}

/** Child mode: replay `path` and print one JSON line of figures. */
async function replay(path: string): Promise<void> {
  const t0 = performance.now();
  const sources: SampledSource[] = [];
  const report = await comparePolicies(
    { ...DEFAULT_SCENARIO, workload: "trace", sloTtftMs: 2000, sloTpotMs: 100 },
    {
      makeWorkload: () => {
        const s = new SampledSource(new TraceSource({ path, format: "mooncake" }));
        sources.push(s);
        return s;
      },
    },
  );
  console.log(JSON.stringify({
    requestsReplayed: sources.reduce((n, s) => n + s.requests, 0),
    completed: report.results.map((r) => [r.policy, r.completed, r.shed]),
    p99TtftMs: report.results.map((r) => [r.policy, Math.round(r.ttftMs.p99)]),
    vmHwmMiB: (await vmHwmBytes()) / MIB,
    sampledPeakRssMiB: Math.max(...sources.map((s) => s.peakRss)) / MIB,
    heapUsedMiB: Deno.memoryUsage().heapUsed / MIB,
    wallS: (performance.now() - t0) / 1000,
  }));
}

function build(): Command {
  return new Command("bench:trace-memory")
    .description(
      "Generate an N-request Mooncake-format trace and replay it (round-robin and telemetry " +
        "on 4 + 4 GPUs) in a child process, reporting the replay's peak RSS.",
    )
    .option("--requests <n>", "requests to generate", positiveInt, 1_000_000)
    .option("--rate <r>", "arrival rate of the generated trace, requests/s", positiveNumber, 10)
    .option("--keep <path>", "write the trace here and keep it (default: a temporary file)")
    .option("--budget-mib <m>", "fail (exit 1) when the peak exceeds this", positiveNumber, 300)
    .addOption(new Option("--replay <path>", "child mode: replay one trace").hideHelp());
}

/** Exit status of the measurement (1 when over budget), for `main` to hand back. */
let status = 0;

async function main(values: Record<string, unknown>): Promise<void> {
  if (values.replay) {
    await replay(values.replay as string);
    return;
  }
  const requests = values.requests as number;
  const rate = values.rate as number;
  const budgetMiB = values.budgetMib as number;
  const keep = values.keep !== undefined ? userPath(String(values.keep)) : undefined;
  const problem = keep === undefined ? null : outputFileProblem(keep);
  if (problem) throw new UsageError("--keep", problem);
  const path = keep ?? await Deno.makeTempFile({ suffix: ".jsonl.gz" });
  try {
    const t0 = performance.now();
    const spec = { ...TRACE_GEN_DEFAULTS, requests, ratePerS: rate };
    await writeLines(path, generateMooncakeLines(spec));
    const sizeMiB = (await Deno.stat(path)).size / MIB;
    console.log(
      `generated ${requests} requests (${rate} req/s, prefix ratio ${spec.prefixRatio}) → ` +
        `${path} (${sizeMiB.toFixed(1)} MiB gzip) in ${
          ((performance.now() - t0) / 1000).toFixed(1)
        } s`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        // Deno lets a script read /proc/self/status (the kernel's VmHWM) only with
        // --allow-all; the child is this very script, so it gets that.
        "--allow-all",
        new URL(import.meta.url).pathname,
        "--replay",
        path,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error("the replay child failed (see above)");
    const r = JSON.parse(new TextDecoder().decode(out.stdout));
    const exact = Number.isFinite(r.vmHwmMiB);
    const peakMiB = exact ? r.vmHwmMiB : r.sampledPeakRssMiB;
    console.log(
      `replayed ${r.requestsReplayed} requests (2 policies × ${requests}) in ${
        r.wallS.toFixed(1)
      } s`,
    );
    for (const [policy, done, shed] of r.completed) {
      console.log(`  ${policy}: ${done} completed, ${shed} shed`);
    }
    console.log(
      `peak RSS: ${peakMiB.toFixed(1)} MiB (${
        exact ? "kernel VmHWM" : "sampled; VmHWM unreadable"
      }), sampled rss max ` +
        `${r.sampledPeakRssMiB.toFixed(1)} MiB, heap used at end ${
          r.heapUsedMiB.toFixed(1)
        } MiB; ` +
        `budget ${budgetMiB} MiB: ${peakMiB < budgetMiB ? "OK" : "OVER"}`,
    );
    status = peakMiB < budgetMiB ? 0 : 1;
  } finally {
    if (!values.keep) await Deno.remove(path).catch(() => {});
  }
}

if (import.meta.main) {
  const code = await runCommand(build, main, Deno.args);
  Deno.exit(code === 0 ? status : code);
}

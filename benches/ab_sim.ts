/**
 * `deno task bench:ab`: simulation speed of two checkouts side by side, in one
 * invocation, alternating A, B, A, B… so that a busy machine slows both alike.
 *
 * Speed: one child process imports both checkouts' `benches/_sim_run.ts`, runs each
 * once to warm up, then alternates measured runs (as `deno bench` measures, warm).
 * Memory: one fresh process per side and run, reporting the kernel's peak RSS
 * (`VmHWM`; the child runs with `--allow-all` to read it). Make the other checkout with
 * `git worktree add /tmp/old <commit>`.
 *
 * ```sh
 * deno task bench:ab --a /tmp/old --b . --scenario seed-lab --reps 7
 * deno task bench:ab --a /tmp/old --b . --scenario scale --reps 3 --memory
 * ```
 *
 * @module
 */

import { Command, Option } from "npm:commander@15.1.0";
import { UsageError } from "../src/core/errors.ts";
import { oneOf, positiveInt } from "../src/cli/flags/values.ts";
import { runCommand, writeText } from "../src/cli/run_command.ts";

/** The scenarios: seed-lab on 2+2 GPUs, 10^6 (or 3·10^5) requests on 1024 GPUs, chat on 4+4. */
export const AB_SCENARIOS = {
  "seed-lab": { workload: "seed-lab", requests: 300_000, prefill: 2, decode: 2 },
  scale: { workload: "seed-lab", requests: 1_000_000, prefill: 512, decode: 512 },
  "scale-short": { workload: "seed-lab", requests: 300_000, prefill: 512, decode: 512 },
  chat: { workload: "chat", requests: 60_000, prefill: 4, decode: 4 },
} as const;

/** One run's figures. */
export interface AbRun {
  readonly side: "A" | "B";
  readonly wallS: number;
  readonly requestsPerS: number;
  readonly peakRssMiB: number;
  readonly completed: number;
}

type Scenario = (typeof AB_SCENARIOS)[keyof typeof AB_SCENARIOS];

function runUrl(dir: string): string {
  return new URL(`file://${Deno.realPathSync(dir)}/benches/_sim_run.ts`).href;
}

/** One process, both checkouts, alternating warm runs; prints one JSON line per run. */
function speedScript(a: string, b: string, s: Scenario, policy: string, reps: number): string {
  return `const sides = { A: (await import(${JSON.stringify(runUrl(a))})).runSim,
  B: (await import(${JSON.stringify(runUrl(b))})).runSim };
const run = ${JSON.stringify({ ...s, policy })};
for (let i = -1; i < ${reps}; i++) {
  for (const side of ["A", "B"]) {
    const t0 = performance.now();
    const r = await sides[side](run);
    const wallS = (performance.now() - t0) / 1000;
    if (i >= 0) console.log(JSON.stringify({ side, wallS, completed: r.summary.completed,
      requestsPerS: ${s.requests} / wallS, peakRssMiB: NaN }));
  }
}
`;
}

/** One fresh process for one side: wall time and the kernel's peak RSS. */
function memoryScript(dir: string, s: Scenario, policy: string, side: string): string {
  return `import { runSim } from ${JSON.stringify(runUrl(dir))};
const t0 = performance.now();
const r = await runSim(${JSON.stringify({ ...s, policy })});
const wallS = (performance.now() - t0) / 1000;
const m = /VmHWM:\\s+(\\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
console.log(JSON.stringify({ side: ${JSON.stringify(side)}, wallS, completed: r.summary.completed,
  requestsPerS: ${s.requests} / wallS, peakRssMiB: m ? Number(m[1]) / 1024 : NaN }));
`;
}

async function runChild(script: string, onRun: (r: AbRun) => void): Promise<void> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, script);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-all", "--no-lock", file],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    let buf = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line.startsWith("{")) {
          const r = JSON.parse(line);
          onRun({ ...r, peakRssMiB: r.peakRssMiB ?? NaN });
        }
      }
    }
    const status = await child.status;
    if (!status.success) throw new Error(await stderr);
  } finally {
    await Deno.remove(file);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

if (import.meta.main) {
  Deno.exit(
    await runCommand(() =>
      new Command("bench:ab")
        .description("Simulation speed of two checkouts, alternating runs in one invocation")
        .requiredOption(
          "--a <dir>",
          "the baseline checkout (e.g. a git worktree of the old commit)",
        )
        .requiredOption("--b <dir>", "the checkout to compare with it")
        .addOption(
          new Option("--scenario <name>", "what to simulate").argParser(
            oneOf(Object.keys(AB_SCENARIOS) as (keyof typeof AB_SCENARIOS)[]),
          ).default("seed-lab"),
        )
        .option("--policy <name>", "policy to simulate with", "round-robin")
        .option("--reps <n>", "runs per side", positiveInt, 3)
        .option(
          "--memory",
          "a fresh process per run (cold, with its peak RSS) instead of warm runs in one",
          false,
        )
        .option("--json", "print the runs as JSON", false), async (opts) => {
      const s = AB_SCENARIOS[opts.scenario as keyof typeof AB_SCENARIOS];
      const dirs: Record<"A" | "B", string> = { A: String(opts.a), B: String(opts.b) };
      for (const side of ["A", "B"] as const) {
        try {
          Deno.statSync(`${dirs[side]}/benches/_sim_run.ts`);
        } catch {
          throw new UsageError(
            `--${side.toLowerCase()}`,
            `no benches/_sim_run.ts under '${dirs[side]}'`,
          );
        }
      }
      const runs: AbRun[] = [];
      const onRun = (r: AbRun) => {
        runs.push(r);
        if (!opts.json) {
          writeText(
            Deno.stdout,
            `${r.side} ${r.requestsPerS.toFixed(0)} req/s  ${r.wallS.toFixed(2)} s` +
              (Number.isNaN(r.peakRssMiB) ? "\n" : `  ${r.peakRssMiB.toFixed(0)} MiB VmHWM\n`),
          );
        }
      };
      const reps = opts.reps as number, policy = String(opts.policy);
      if (opts.memory) {
        for (let i = 0; i < reps; i++) {
          for (const side of ["A", "B"] as const) {
            await runChild(memoryScript(dirs[side], s, policy, side), onRun);
          }
        }
      } else {
        await runChild(speedScript(dirs.A, dirs.B, s, policy, reps), onRun);
      }
      const med = (side: "A" | "B", k: "requestsPerS" | "wallS" | "peakRssMiB") =>
        median(runs.filter((r) => r.side === side).map((r) => r[k]));
      const summary = {
        scenario: opts.scenario,
        policy: opts.policy,
        medianRequestsPerS: { A: med("A", "requestsPerS"), B: med("B", "requestsPerS") },
        medianWallS: { A: med("A", "wallS"), B: med("B", "wallS") },
        medianPeakRssMiB: { A: med("A", "peakRssMiB"), B: med("B", "peakRssMiB") },
        memory: Boolean(opts.memory),
        speedRatioBOverA: med("B", "requestsPerS") / med("A", "requestsPerS"),
      };
      writeText(
        Deno.stdout,
        opts.json
          ? JSON.stringify({ runs, summary }) + "\n"
          : `${
            s.requests.toLocaleString("en")
          } ${s.workload} requests on ${s.prefill}+${s.decode} GPUs, ${opts.policy}, ${
            opts.memory ? "cold processes" : "warm, one process"
          }: median ` +
            `A ${summary.medianRequestsPerS.A.toFixed(0)} req/s, B ${
              summary.medianRequestsPerS.B.toFixed(0)
            } req/s, B/A = ${summary.speedRatioBOverA.toFixed(3)}\n`,
      );
    }, Deno.args),
  );
}

/**
 * `deno task bench:ab`: simulation speed of two checkouts side by side, in one
 * invocation, alternating A, B, A, B… so that a busy machine slows both alike.
 *
 * Each run is a fresh `deno run --allow-all` process that imports the checkout's own
 * `benches/_sim_run.ts` and simulates one scenario; it reports simulated requests per
 * wall second and the kernel's peak RSS (`VmHWM`). Make the other checkout with
 * `git worktree add /tmp/old <commit>`.
 *
 * ```sh
 * deno task bench:ab --a /tmp/old --b . --scenario seed-lab --reps 5
 * deno task bench:ab --a /tmp/old --b . --scenario scale --reps 3
 * ```
 *
 * @module
 */

import { Command, Option } from "npm:commander@15.1.0";
import { UsageError } from "../src/core/errors.ts";
import { oneOf, positiveInt } from "../src/cli/flags/values.ts";
import { runCommand, writeText } from "../src/cli/run_command.ts";

/** The scenarios: seed-lab on 2+2 GPUs, and 10^6 requests on 1024 GPUs. */
export const AB_SCENARIOS = {
  "seed-lab": { workload: "seed-lab", requests: 300_000, prefill: 2, decode: 2 },
  scale: { workload: "seed-lab", requests: 1_000_000, prefill: 512, decode: 512 },
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

function childScript(
  dir: string,
  s: (typeof AB_SCENARIOS)[keyof typeof AB_SCENARIOS],
  policy: string,
) {
  const url = new URL(`file://${Deno.realPathSync(dir)}/benches/_sim_run.ts`).href;
  return `import { runSim } from ${JSON.stringify(url)};
const t0 = performance.now();
const r = await runSim(${JSON.stringify({ ...s, policy })});
const wallS = (performance.now() - t0) / 1000;
const m = /VmHWM:\\s+(\\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
console.log(JSON.stringify({ wallS, completed: r.summary.completed,
  requestsPerS: ${s.requests} / wallS, peakRssMiB: m ? Number(m[1]) / 1024 : NaN }));
`;
}

async function runOnce(script: string): Promise<Omit<AbRun, "side">> {
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-all", "--no-lock", file],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
    return JSON.parse(text.split("\n").at(-1)!);
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
        .option("--json", "print the runs as JSON", false), async (opts) => {
      const s = AB_SCENARIOS[opts.scenario as keyof typeof AB_SCENARIOS];
      const scripts: Record<"A" | "B", string> = { A: "", B: "" };
      for (const side of ["A", "B"] as const) {
        const dir = String(side === "A" ? opts.a : opts.b);
        try {
          Deno.statSync(`${dir}/benches/_sim_run.ts`);
        } catch {
          throw new UsageError(`--${side.toLowerCase()}`, `no benches/_sim_run.ts under '${dir}'`);
        }
        scripts[side] = childScript(dir, s, String(opts.policy));
      }
      const runs: AbRun[] = [];
      for (let i = 0; i < (opts.reps as number); i++) {
        for (const side of ["A", "B"] as const) {
          const r = { side, ...await runOnce(scripts[side]) };
          runs.push(r);
          if (!opts.json) {
            writeText(
              Deno.stdout,
              `${side} ${r.requestsPerS.toFixed(0)} req/s  ${r.wallS.toFixed(2)} s  ` +
                `${r.peakRssMiB.toFixed(0)} MiB VmHWM\n`,
            );
          }
        }
      }
      const med = (side: "A" | "B", k: "requestsPerS" | "wallS" | "peakRssMiB") =>
        median(runs.filter((r) => r.side === side).map((r) => r[k]));
      const summary = {
        scenario: opts.scenario,
        policy: opts.policy,
        medianRequestsPerS: { A: med("A", "requestsPerS"), B: med("B", "requestsPerS") },
        medianWallS: { A: med("A", "wallS"), B: med("B", "wallS") },
        medianPeakRssMiB: { A: med("A", "peakRssMiB"), B: med("B", "peakRssMiB") },
        speedRatioBOverA: med("B", "requestsPerS") / med("A", "requestsPerS"),
      };
      writeText(
        Deno.stdout,
        opts.json
          ? JSON.stringify({ runs, summary }) + "\n"
          : `${
            s.requests.toLocaleString("en")
          } ${s.workload} requests on ${s.prefill}+${s.decode} GPUs, ${opts.policy}: median ` +
            `A ${summary.medianRequestsPerS.A.toFixed(0)} req/s, B ${
              summary.medianRequestsPerS.B.toFixed(0)
            } req/s, B/A = ${summary.speedRatioBOverA.toFixed(3)}\n`,
      );
    }, Deno.args),
  );
}

/**
 * Idle-time check: what an idle stretch of simulated time costs a user, as the CLI
 * runs it (each command in a fresh `deno run` process, like `deno task sim`):
 *
 * - the wall time of `sim --rate 1e-7 --requests 100` (100 requests about 116 days
 *   apart: nearly all of the simulated time is idle), the best of 3 runs;
 * - the size of the `--out` folder of a two-row BurstGPT trace whose rows lie a day
 *   apart.
 *
 * ```sh
 * deno run --allow-read --allow-write --allow-run --allow-env benches/idle_check.ts --json
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { Command } from "npm:commander@15.1.0";
import { runCommand, writeText } from "../src/cli/run_command.ts";

/** What the check reports. */
export interface IdleReport {
  /** Best wall time of `sim --rate 1e-7 --requests 100` over 3 runs, s. */
  sparseRunWallS: number;
  /** Simulated time of that run, s (from its `--json` results). */
  sparseRunSimulatedS: number;
  /** Bytes written by `sim --trace <two BurstGPT rows a day apart> --out DIR`. */
  twoRowExportBytes: number;
  /** Of which `timeseries.csv`. */
  twoRowTimeseriesBytes: number;
}

const SIM = new URL("../tasks/sim.ts", import.meta.url).pathname;

/** The two BurstGPT rows: one at 5 s, one a day later. */
const TWO_ROWS = "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n" +
  "5,ChatGPT,472,18,490,Conversation log\n" +
  "86405,ChatGPT,1087,200,1287,Conversation log\n";

async function sim(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-read", "--allow-env", "--allow-write", SIM, ...args],
    env: { NO_COLOR: "1", INIT_CWD: Deno.cwd() },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  if (!out.success) throw new Error(`sim ${args.join(" ")} failed: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout);
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    total += e.isDirectory ? await folderBytes(path) : (await Deno.stat(path)).size;
  }
  return total;
}

/** Runs both measurements. */
export async function idleCheck(): Promise<IdleReport> {
  let best = Infinity, simulatedS = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const json = JSON.parse(await sim(["--rate", "1e-7", "--requests", "100", "--json"]));
    best = Math.min(best, (performance.now() - t0) / 1000);
    simulatedS = json.results[0].durationMs / 1000;
  }
  const dir = await Deno.makeTempDir({ prefix: "pdrouter-idle-" });
  try {
    const trace = join(dir, "two_rows.csv");
    await Deno.writeTextFile(trace, TWO_ROWS);
    const out = join(dir, "out");
    await sim(["--trace", trace, "--out", out]);
    return {
      sparseRunWallS: best,
      sparseRunSimulatedS: simulatedS,
      twoRowExportBytes: await folderBytes(out),
      twoRowTimeseriesBytes: (await Deno.stat(join(out, "timeseries.csv"))).size,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function build(): Command {
  return new Command("idle_check")
    .description(
      "Wall time of sim --rate 1e-7 --requests 100 and the export size of two BurstGPT rows " +
        "a day apart: idle simulated time should cost nothing.",
    )
    .option("--json", "print one JSON object", false);
}

if (import.meta.main) {
  Deno.exit(
    await runCommand(build, async (opts) => {
      const r = await idleCheck();
      writeText(
        Deno.stdout,
        opts.json
          ? JSON.stringify(r) + "\n"
          : `sim --rate 1e-7 --requests 100: ${
            r.sparseRunWallS.toFixed(2)
          } s wall (best of 3) for ${(r.sparseRunSimulatedS / 86400).toFixed(0)} simulated days\n` +
            `two BurstGPT rows a day apart, --out: ${r.twoRowExportBytes} bytes ` +
            `(timeseries.csv ${r.twoRowTimeseriesBytes})\n`,
      );
    }, Deno.args),
  );
}

/**
 * `deno task sweep`: runs the default comparison over a range of seeds and prints, per
 * seed, telemetry's p99 TTFT, TTFT std and mean TPOT relative to round-robin, and
 * how many seeds telemetry wins on p99 TTFT. Extra flags are passed to the scenario
 * (e.g. `--workload bursty`).
 *
 * @module
 */

import type { Command } from "npm:commander@15.1.0";
import { comparePolicies } from "../src/sim/compare.ts";
import { buildSimCommand, simConfigFromFlags } from "../src/cli/sim_command.ts";
import { positiveInt } from "../src/cli/flags/values.ts";
import { runCommand, writeText } from "../src/cli/run_command.ts";
import { UsageError } from "../src/core/errors.ts";
import { fixed, formatTable } from "../src/cli/table.ts";

// `sim` flags a sweep cannot honour: it always compares round-robin with telemetry on a
// synthetic workload, over its own seeds, and prints one table.
const NOT_FOR_SWEEP = [
  "policies",
  "mode",
  "policy",
  "seed",
  "json",
  "list",
  "load",
  "out",
  "sampleMs",
  "trace",
  "traceFormat",
  "rateScale",
  "start",
  "duration",
  "limit",
  "skipBad",
];

function build(): Command {
  const cmd = buildSimCommand({ examples: false }).name("sweep")
    .description(
      "Run the round-robin vs telemetry comparison for seeds 1..N and count telemetry's wins. " +
        "Takes the `sim` flags that shape a synthetic scenario (workload, rate, requests, " +
        "model, fleet, SLOs, --migration-budget, --set); the others are rejected.",
    );
  for (const o of cmd.options) if (NOT_FOR_SWEEP.includes(o.attributeName())) o.hideHelp();
  cmd.option("--seeds <n>", "number of seeds, 1..N", positiveInt, 10);
  cmd.addHelpText(
    "after",
    "\nExamples:\n" +
      "  deno task sweep                              # the default scenario, seeds 1-10\n" +
      "  deno task sweep --seeds 20 --workload shared-prefix --rate 60",
  );
  return cmd;
}

if (import.meta.main) {
  Deno.exit(
    await runCommand(build, async (opts, _args, cmd) => {
      for (const o of cmd.options) {
        if (
          NOT_FOR_SWEEP.includes(o.attributeName()) &&
          cmd.getOptionValueSource(o.attributeName()) === "cli"
        ) {
          throw new UsageError("", `${o.long ?? o.flags} is not supported by sweep (see --help)`);
        }
      }
      const base = simConfigFromFlags(
        { ...opts, policies: ["round-robin", "telemetry"], mode: undefined },
        [],
        (key) => cmd.getOptionValueSource(key) === "cli",
      );
      const rows: string[][] = [];
      let wins = 0;
      const seeds = opts.seeds as number;
      for (let seed = 1; seed <= seeds; seed++) {
        const { results: [rr, tm] } = await comparePolicies({ ...base, seed });
        const win = tm.ttftMs.p99 < rr.ttftMs.p99;
        if (win) wins++;
        rows.push([
          String(seed),
          fixed(rr.ttftMs.p99),
          fixed(tm.ttftMs.p99),
          fixed(tm.ttftMs.p99 / rr.ttftMs.p99, 2),
          fixed(tm.ttftMs.std / rr.ttftMs.std, 2),
          fixed(tm.tpotMs.mean / rr.tpotMs.mean, 3),
          win ? "yes" : "no",
        ]);
      }
      writeText(
        Deno.stdout,
        formatTable(
          ["seed", "rr p99 TTFT", "tm p99 TTFT", "p99 ratio", "std ratio", "TPOT ratio", "tm wins"],
          rows,
        ) + `\ntelemetry has the lower p99 TTFT on ${wins} of ${seeds} seeds\n`,
      );
    }, Deno.args),
  );
}

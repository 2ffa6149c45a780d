/**
 * `deno task trace:gen`: write a synthetic Mooncake-format trace (JSONL, gzip when the
 * output ends in `.gz`) with a chosen prefix-sharing ratio.
 *
 * @module
 */

import { Command } from "npm:commander@15.1.0";
import { generateMooncakeLines, TRACE_GEN_DEFAULTS } from "../workload/trace_gen.ts";
import { writeLines } from "../workload/trace_writer.ts";
import { integer, positiveInt, positiveNumber } from "./flags/values.ts";
import { runCommand, writeText } from "./run_command.ts";
import { userPath } from "./user_path.ts";
import { InvalidArgumentError } from "npm:commander@15.1.0";
import { UsageError } from "../core/errors.ts";

function ratio(value: string): number {
  const x = Number(value.trim());
  if (value.trim() === "" || !(x >= 0 && x <= 1)) {
    throw new InvalidArgumentError(`expected a number in [0, 1], got '${value}'`);
  }
  return x;
}

/** The `trace:gen` command's flags and help. */
export function buildTraceGenCommand(): Command {
  const d = TRACE_GEN_DEFAULTS;
  const prompt = d.prompt.kind === "lognormal" ? d.prompt.median : 0;
  const output = d.output.kind === "lognormal" ? d.output.median : 0;
  return new Command("trace:gen")
    .description(
      "Write a seeded synthetic trace in Mooncake JSONL format (timestamp ms, input_length, " +
        "output_length, hash_ids of 512-token blocks) with a given prefix-sharing ratio.",
    )
    .option("--requests <n>", "requests (rows) to write", positiveInt, d.requests)
    .option("--rate <r>", "mean Poisson arrival rate, requests/s", positiveNumber, d.ratePerS)
    .option("--seed <n>", "seed", integer, d.seed)
    .option(
      "--prefix-ratio <x>",
      "fraction of each prompt's blocks shared with a common prefix, 0..1",
      ratio,
      d.prefixRatio,
    )
    .option("--prefix-groups <n>", "distinct shared prefixes", positiveInt, d.prefixGroups)
    .option("--prompt-median <tokens>", "median prompt length (log-normal)", positiveInt, prompt)
    .option("--output-median <tokens>", "median output length (log-normal)", positiveInt, output)
    .option("--out <path>", "output file (.gz: gzip-compressed); '-' or absent: stdout")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  deno task trace:gen --requests 1000 --prefix-ratio 0.6 > trace.jsonl\n" +
        "  deno task trace:gen --requests 1000000 --rate 20 --out /tmp/big.jsonl.gz\n" +
        "  deno task sim --trace /tmp/big.jsonl.gz --policies round-robin",
    );
}

/** Runs `trace:gen` on `args`; returns the exit code. */
export function runTraceGenCommand(args: readonly string[]): Promise<number> {
  return runCommand(buildTraceGenCommand, async (opts) => {
    const d = TRACE_GEN_DEFAULTS;
    const spec = {
      ...d,
      requests: opts.requests as number,
      ratePerS: opts.rate as number,
      seed: opts.seed as number,
      prefixRatio: opts.prefixRatio as number,
      prefixGroups: opts.prefixGroups as number,
      prompt: { ...d.prompt, median: opts.promptMedian as number },
      output: { ...d.output, median: opts.outputMedian as number },
    };
    const given = (opts.out as string | undefined) ?? null;
    const out = given === null || given === "-" ? given : userPath(given);
    let n: number;
    try {
      n = await writeLines(out, generateMooncakeLines(spec));
    } catch (e) {
      if (
        out !== null &&
        (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.IsADirectory ||
          e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotADirectory)
      ) {
        throw new UsageError("--out", `cannot write '${out}': ${(e as Error).message}`, {
          cause: e,
        });
      }
      throw e;
    }
    if (out !== null && out !== "-") writeText(Deno.stderr, `wrote ${n} requests to ${out}\n`);
  }, args);
}

/**
 * The SLO flags (`--slo-ttft-ms`, `--slo-tpot-ms`): the objectives that SLO attainment
 * and goodput are measured against, and that policies get as deployment facts. Shared
 * by `sim`, `sweep`, the bench targets and (to come) the proxy and the load generator.
 *
 * @module
 */

import type { Command } from "npm:commander@15.1.0";
import { positiveNumber } from "./values.ts";

/** The SLO flags as parsed. */
export interface SloFlags {
  /** TTFT objective, ms. */
  readonly ttftMs: number;
  /** TPOT objective, ms. */
  readonly tpotMs: number;
}

/**
 * Adds `--slo-ttft-ms` and `--slo-tpot-ms` to `cmd`, with the command's defaults, and
 * returns it.
 *
 * @example
 * ```ts
 * import { Command } from "npm:commander@15.1.0";
 * import { addSloOptions, sloFlagsFromOpts } from "./slo.ts";
 * const cmd = addSloOptions(new Command("demo"), { ttftMs: 500, tpotMs: 30 });
 * cmd.parse(["--slo-ttft-ms", "2000"], { from: "user" });
 * const slo = sloFlagsFromOpts(cmd.opts());
 * if (slo.ttftMs !== 2000 || slo.tpotMs !== 30) throw new Error("not parsed");
 * ```
 */
export function addSloOptions(cmd: Command, defaults: SloFlags): Command {
  return cmd
    .option(
      "--slo-ttft-ms <ms>",
      "TTFT objective for attainment and goodput",
      positiveNumber,
      defaults.ttftMs,
    )
    .option(
      "--slo-tpot-ms <ms>",
      "TPOT objective for attainment and goodput",
      positiveNumber,
      defaults.tpotMs,
    );
}

/** The SLO flags of parsed `opts` (from {@linkcode addSloOptions}). */
export function sloFlagsFromOpts(opts: Record<string, unknown>): SloFlags {
  return { ttftMs: opts.sloTtftMs as number, tpotMs: opts.sloTpotMs as number };
}

/**
 * The live path's server flags (`--host`, `--port`, `--time-scale`): where a server
 * listens, and how much faster than real time its model clock runs. Shared by the
 * engine emulator and (to come) the proxy and the load generator (`--time-scale`).
 *
 * @module
 */

import type { Command } from "npm:commander@15.1.0";
import { nonNegativeInt, positiveNumber } from "./values.ts";

/** The live flags as parsed. */
export interface LiveFlags {
  /** Bind address. */
  readonly host: string;
  /** Port (0 = a free one). */
  readonly port: number;
  /** Model time per wall time. */
  readonly timeScale: number;
}

/**
 * Adds `--host`, `--port` and `--time-scale` to `cmd` and returns it.
 *
 * @example
 * ```ts
 * import { Command } from "npm:commander@15.1.0";
 * import { addLiveOptions, liveFlagsFromOpts } from "./live.ts";
 * const cmd = addLiveOptions(new Command("demo"), { host: "127.0.0.1", port: 8000 });
 * cmd.parse(["--port", "0", "--time-scale", "4"], { from: "user" });
 * const f = liveFlagsFromOpts(cmd.opts());
 * if (f.port !== 0 || f.timeScale !== 4 || f.host !== "127.0.0.1") throw new Error();
 * ```
 */
export function addLiveOptions(
  cmd: Command,
  defaults: { readonly host: string; readonly port: number },
): Command {
  return cmd
    .option(
      "--host <host>",
      "address to listen on (loopback unless you say otherwise)",
      defaults.host,
    )
    .option("--port <n>", "port to listen on (0: a free one)", nonNegativeInt, defaults.port)
    .option(
      "--time-scale <f>",
      "model time runs F times faster than the wall clock; every figure is model time",
      positiveNumber,
      1,
    );
}

/** The live flags of parsed `opts` (from {@linkcode addLiveOptions}). */
export function liveFlagsFromOpts(opts: Record<string, unknown>): LiveFlags {
  return {
    host: String(opts.host),
    port: opts.port as number,
    timeScale: opts.timeScale as number,
  };
}

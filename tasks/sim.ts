/**
 * Entry point of `deno task sim`. See `--help`.
 *
 * @module
 */
import { runSimCommand } from "../src/cli/sim_command.ts";

if (import.meta.main) Deno.exit(await runSimCommand(Deno.args));
